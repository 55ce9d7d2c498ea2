#!/usr/bin/env bash
# Packs the NuGet packages (SdNative, SdNative.Workflow, SdNative.Runtime.linux-x64 and the
# sdnative .NET tool) into one folder, a local feed: scripts/pack.sh [--no-build] [FOLDER]
# (default build/packages). The native library must already be built into build/ by CMake;
# --no-build reuses the managed Release build instead of building it again.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
no_build=()
if [ "${1:-}" = "--no-build" ]; then
  no_build=(--no-build)
  shift
fi
out="$(realpath -m "${1:-$REPO/build/packages}")"
if [ ! -f "$REPO/build/libsdnative.so" ]; then
  echo "pack.sh: $REPO/build/libsdnative.so is missing; build it first: cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build" >&2
  exit 2
fi
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

for project in SdNative SdNative.Workflow SdNative.Cli; do
  dotnet pack "$REPO/src/$project/$project.csproj" -c Release "${no_build[@]}" -o "$out" --nologo -v quiet
done
# The runtime package has no assembly to reuse, so it is always packed with a (tiny) build.
dotnet pack "$REPO/src/SdNative.Runtime.linux-x64/SdNative.Runtime.linux-x64.csproj" -c Release -o "$out" --nologo -v quiet
ls -1 "$out"/*.nupkg
