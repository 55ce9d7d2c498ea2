#!/usr/bin/env bash
# Runs the real `sdnative tui` in tmux as a person would: waits for the generate screen,
# presses F5, then sends Ctrl+Enter the way a CSI-u terminal does (ESC[13;5u), waits for both
# runs to finish on a tiny random-weight model, checks the files and the drawn preview, and
# quits with Ctrl+Q (exit 0). Writes a JUnit file with one testcase per step.
#
#   scripts/tui-smoke.sh [junit-output.xml]
#
# Needs tmux, the built CLI (dotnet build SdNative.sln -c Release) and the CLIP vocabulary in
# $SDN_SHARED_DIR; without them the testcases are skipped, or fail under CI=true.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JUNIT="${1:-$REPO/build/tui-smoke.junit.xml}"
CLI="$REPO/src/SdNative.Cli/bin/Release/net10.0/SdNative.Cli.dll"
VOCAB="${SDN_SHARED_DIR:-$REPO/../shared}/data/clip/bpe_simple_vocab_16e6.txt.gz"
STEPS=(starts f5_generates ctrl_enter_generates ctrl_q_exits_0)
mkdir -p "$(dirname "$JUNIT")"

xml_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'; }
cases=""
failures=0
skipped=0
add_case() {  # name outcome(pass|fail|skip) message
  cases+="  <testcase classname=\"tui-smoke\" name=\"$1\">"
  case "$2" in
    fail) failures=$((failures + 1)); cases+="<failure message=\"$(printf '%s' "$3" | xml_escape)\">$(printf '%s' "${screen:-}" | xml_escape)</failure>" ;;
    skip) skipped=$((skipped + 1)); cases+="<skipped message=\"$(printf '%s' "$3" | xml_escape)\"/>" ;;
  esac
  cases+="</testcase>"$'\n'
}
finish() {
  {
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo "<testsuites><testsuite name=\"tui-smoke\" tests=\"${#STEPS[@]}\" failures=\"$failures\" skipped=\"$skipped\">"
    printf '%s' "$cases"
    echo "</testsuite></testsuites>"
  } >"$JUNIT"
  [ -n "${SESSION:-}" ] && tmux kill-session -t "$SESSION" 2>/dev/null
  [ -n "${WORK:-}" ] && rm -rf "$WORK"
  echo "tui-smoke: $failures failed, $skipped skipped of ${#STEPS[@]}"
  [ "$failures" -eq 0 ]
  exit $?
}
# Every remaining step gets the same outcome (a missing tool, or a step that the rest depend on).
rest() {  # outcome message
  local done_count=$(( $(printf '%s' "$cases" | grep -c '<testcase') ))
  for step in "${STEPS[@]:$done_count}"; do add_case "$step" "$1" "$2"; done
  finish
}

missing=""
command -v tmux >/dev/null 2>&1 || missing="tmux is not installed (scripts/install-deps.sh)"
[ -f "$CLI" ] || missing="the CLI is not built ($CLI)"
[ -f "$VOCAB" ] || missing="the CLIP vocabulary is missing ($VOCAB); set SDN_SHARED_DIR"
if [ -n "$missing" ]; then
  if [ "${CI:-}" = "true" ]; then rest fail "CI=true: $missing"; else rest skip "$missing"; fi
fi

WORK="$(mktemp -d /tmp/sdn-tui-smoke-XXXXXX)"
SESSION="sdn-tui-smoke-$$"
mkdir -p "$WORK/models/tokenizers" "$WORK/input"
cp "$VOCAB" "$WORK/models/tokenizers/"
dotnet "$CLI" make-test-model --out "$WORK/models/checkpoints/tiny.safetensors" >"$WORK/make-model.log" 2>&1 ||
  { screen="$(cat "$WORK/make-model.log")"; rest fail "make-test-model failed"; }
# A 64×64 gradient as the source image (PNG written with the standard library alone).
/usr/bin/python3 - "$WORK/input/example.png" <<'PY'
import struct, sys, zlib
w = h = 64
rows = b"".join(b"\0" + b"".join(bytes((x * 4, y * 4, 128)) for x in range(w)) for y in range(h))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
with open(sys.argv[1], "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
PY

screen=""
capture() { screen="$(tmux capture-pane -p -t "$SESSION" 2>/dev/null)"; }
# wait_for TEXT SECONDS: polls the pane until TEXT shows (the app gives no other signal).
wait_for() {
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    capture
    case "$screen" in *"$1"*) return 0 ;; esac
    sleep 0.5
  done
  return 1
}

tmux new-session -d -s "$SESSION" -x 120 -y 36 -e TERM=xterm-256color \
  "dotnet '$CLI' tui --base '$WORK' --threads 2; echo \$? > '$WORK/exit-code'; sleep 60"
if wait_for "Ctrl+Enter" 90 && wait_for "tiny.safetensors" 5; then add_case starts pass; else rest fail "the generate screen did not appear"; fi

tmux send-keys -t "$SESSION" F5
if wait_for "#1 done" 180 && [ -f "$WORK/output/img2img_00001_.png" ]; then
  case "$screen" in *"▀"*) add_case f5_generates pass ;; *) add_case f5_generates fail "no half-block picture on screen" ;; esac
else
  add_case f5_generates fail "F5 did not finish a generation with img2img_00001_.png"
fi

# The bytes kitty, WezTerm, foot or tmux with extended-keys-format csi-u send for Ctrl+Enter
# (ESC [ 1 3 ; 5 u), written to the pane as they are.
tmux send-keys -t "$SESSION" -H 1b 5b 31 33 3b 35 75
if wait_for "#2 done" 180 && [ -f "$WORK/output/img2img_00002_.png" ]; then add_case ctrl_enter_generates pass; else add_case ctrl_enter_generates fail "Ctrl+Enter (ESC[13;5u) did not finish a second generation"; fi

tmux send-keys -t "$SESSION" Escape   # cancels nothing here, and must not quit
sleep 1
tmux send-keys -t "$SESSION" C-q
deadline=$((SECONDS + 30))
while [ ! -s "$WORK/exit-code" ] && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
capture
code="$(cat "$WORK/exit-code" 2>/dev/null || echo none)"
if [ "$code" = "0" ]; then add_case ctrl_q_exits_0 pass; else add_case ctrl_q_exits_0 fail "exit code after Ctrl+Q: $code"; fi
finish
