#!/usr/bin/python3
"""Independent reference for the CLIP tokenizer and ComfyUI's prompt chunking, used to
produce the literal tables in tests/native/model/clip_tokenizer_test.cpp and
clip_prompt_weights_test.cpp. It follows HuggingFace's slow CLIPTokenizer without ftfy
(BERT-style cleanup) and comfy/sd1_clip.py as described in the ComfyUI compatibility spec,
written independently of the C++ code, with the `regex` module for \\p{L} / \\p{N}.

Usage: /usr/bin/python3 clip_bpe_reference.py <bpe_simple_vocab_16e6.txt.gz> [--chunks] < prompts
  One prompt per line, written as a Python string literal (so escapes are explicit).
  Prints the C++ initializer of the ids (or of ids+weights per chunk with --chunks).
"""
import ast
import gzip
import sys
import unicodedata

import regex as re


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


class Tokenizer:
    def __init__(self, path):
        lines = gzip.open(path).read().decode("utf-8").split("\n")
        merges = [tuple(m.split()) for m in lines[1:49152 - 256 - 2 + 1]]
        self.byte_encoder = bytes_to_unicode()
        vocab = list(self.byte_encoder.values())
        vocab = vocab + [v + "</w>" for v in vocab]
        vocab += ["".join(m) for m in merges]
        vocab += ["<|startoftext|>", "<|endoftext|>"]
        self.encoder = {v: i for i, v in enumerate(vocab)}
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.pat = re.compile(r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|"""
                              r"""[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""", re.IGNORECASE)

    def bpe(self, token):
        if token in ("<|startoftext|>", "<|endoftext|>"):
            return [token]
        word = list(token[:-1]) + [token[-1] + "</w>"]
        while len(word) > 1:
            pairs = [(self.ranks.get((word[i], word[i + 1]), 1e18), i) for i in range(len(word) - 1)]
            rank, _ = min(pairs)
            if rank == 1e18:
                break
            a, b = self.rank_pair(rank)
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == a and word[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            word = out
        return word

    def rank_pair(self, rank):
        if not hasattr(self, "_by_rank"):
            self._by_rank = {r: m for m, r in self.ranks.items()}
        return self._by_rank[rank]

    @staticmethod
    def bert_clean(text):
        out = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD:
                continue
            cat = unicodedata.category(ch)
            if ch in " \t\n\r" or cat == "Zs":
                out.append(" ")
                continue
            if cat in ("Cc", "Cf"):
                continue
            if (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or
                    0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or
                    0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or
                    0x2F800 <= cp <= 0x2FA1F):
                out.append(" " + ch + " ")
                continue
            out.append(ch)
        text = unicodedata.normalize("NFC", "".join(out))
        return " ".join(w.lower() for w in text.split())

    def encode_piece(self, text):
        ids = []
        for tok in self.pat.findall(self.bert_clean(text)):
            tok = "".join(self.byte_encoder[b] for b in tok.encode("utf-8"))
            ids += [self.encoder[p] for p in self.bpe(tok)]
        return ids

    def encode(self, text):
        # special-token strings in the raw text are split out first
        parts = re.split(r"(<\|startoftext\|>|<\|endoftext\|>)", text)
        ids = []
        for p in parts:
            if p == "<|startoftext|>":
                ids.append(49406)
            elif p == "<|endoftext|>":
                ids.append(49407)
            elif p:
                ids += self.encode_piece(p)
        return ids


def parse_groups(s):
    out, cur, level = [], "", 0
    for c in s:
        if c == "(":
            if level == 0:
                if cur:
                    out.append(cur)
                cur = "("
            else:
                cur += c
            level += 1
        elif c == ")":
            level -= 1
            if level == 0:
                out.append(cur + ")")
                cur = ""
            else:
                cur += c
        else:
            cur += c
    if cur:
        out.append(cur)
    return out


def weights(s, w):
    out = []
    for x in parse_groups(s):
        if len(x) >= 2 and x[0] == "(" and x[-1] == ")":
            x = x[1:-1]
            nw = w * 1.1
            k = x.rfind(":")
            if k > 0:
                try:
                    nw = float(x[k + 1:])
                    x = x[:k]
                except ValueError:
                    pass
            out += weights(x, nw)
        else:
            out.append((x, w))
    return out


def chunks(tok, prompt):
    text = prompt.replace("\\)", "\0\1").replace("\\(", "\0\2")
    groups = []
    for seg, w in weights(text, 1.0):
        seg = seg.replace("\0\1", ")").replace("\0\2", "(")
        parts = re.split(" embedding:|\nembedding:", seg)
        words = [parts[0]] + ["embedding:" + p for p in parts[1:]]
        for word in [x for x in words if x]:
            if word.startswith("embedding:"):
                name = word[len("embedding:"):].strip("\n").split()
                first, left = (name[0], " ".join(name[1:])) if name else ("", "")
                st = first.strip(",")
                if len(st) < len(first):
                    left = "{} {}".format(first[len(st):], left)
                if not left:
                    continue
                word = left
            groups.append([(t, w) for t in tok.encode(word)])
    batches, batch = [], [(49406, 1.0)]
    batches.append(batch)
    for g in groups:
        large = len(g) >= 8
        while g:
            if len(g) + len(batch) > 76:
                rem = 77 - len(batch) - 1
                if large:
                    batch += g[:rem] + [(49407, 1.0)]
                    g = g[rem:]
                else:
                    batch += [(49407, 1.0)] * (rem + 1)
                batch = [(49406, 1.0)]
                batches.append(batch)
            else:
                batch += g
                g = []
    batch += [(49407, 1.0)] * (77 - len(batch))
    return batches


def to_cpp(s):
    out = '"'
    for ch in s:
        cp = ord(ch)
        if ch == "\\":
            out += "\\\\"
        elif ch == '"':
            out += '\\"'
        elif ch == "\n":
            out += "\\n"
        elif ch == "\t":
            out += "\\t"
        elif 0x20 <= cp < 0x7F:
            out += ch
        elif cp < 0x10000:
            out += "\\u%04x" % cp
        else:
            out += "\\U%08x" % cp
    return out + '"'


def main():
    tok = Tokenizer(sys.argv[1])
    with_chunks = "--chunks" in sys.argv
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        prompt = ast.literal_eval(line)
        if not with_chunks:
            print("    {%s, {%s}}," % (to_cpp(prompt), ", ".join(str(i) for i in tok.encode(prompt))))
            continue
        print("    {%s, {" % to_cpp(prompt))
        for b in chunks(tok, prompt):
            ids = [t for t, _ in b]
            # trailing end tokens are summarised as a count to keep tables short
            n = len(ids)
            while n > 0 and ids[n - 1] == 49407 and b[n - 1][1] == 1.0:
                n -= 1
            print("        {{%s}, {%s}, %d}," % (
                ", ".join(str(t) for t, _ in b[:n]),
                ", ".join(repr(w) for _, w in b[:n]), 77 - n))
        print("    }},")


if __name__ == "__main__":
    main()
