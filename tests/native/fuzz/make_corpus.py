#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus: small valid GGUF and safetensors files (plus a few near
misses) built byte by byte from the format descriptions, and the hostile inputs that open the
regression set under crashes/: the shapes that crash a careless parser (counts and lengths that
overflow or outrun the file, offsets past the end, runaway nesting). Run from anywhere; rewrites
tests/native/fuzz/corpus/{gguf,safetensors}/ and crashes/*/hostile_*."""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def gguf_string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


# GGUF value type ids and their struct formats.
SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<B", 10: "<Q", 11: "<q", 12: "<d"}


def gguf_value(vtype, value):
    if vtype == 8:
        return gguf_string(value)
    if vtype == 9:
        elem_type, items = value
        out = struct.pack("<IQ", elem_type, len(items))
        for item in items:
            out += gguf_value(elem_type, item)
        return out
    return struct.pack(SCALARS[vtype], value)


# (name, ggml type, PyTorch-order shape, block elems, block bytes)
TYPES = {"f32": (0, 1, 4), "f16": (1, 1, 2), "q4_0": (2, 32, 18), "q4_1": (3, 32, 20), "q5_0": (6, 32, 22),
         "q5_1": (7, 32, 24), "q8_0": (8, 32, 34), "q2_K": (10, 256, 84), "q3_K": (11, 256, 110),
         "q4_K": (12, 256, 144), "q5_K": (13, 256, 176), "q6_K": (14, 256, 210), "bf16": (30, 1, 2)}


def gguf_file(kvs, tensors, version=3, alignment=32):
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kvs))
    for key, vtype, value in kvs:
        out += gguf_string(key) + struct.pack("<I", vtype) + gguf_value(vtype, value)
    offset = 0
    blobs = []
    for name, tname, shape in tensors:
        type_id, block, block_bytes = TYPES[tname]
        count = 1
        for d in shape:
            count *= d
        nbytes = count // block * block_bytes
        out += gguf_string(name) + struct.pack("<I", len(shape))
        for d in reversed(shape):
            out += struct.pack("<Q", d)
        out += struct.pack("<IQ", type_id, offset)
        # Deterministic bytes with finite f16 scales (0x3C00 = 1.0 everywhere is fine to parse).
        blob = bytes((i * 37 + 11) & 0xFF for i in range(nbytes))
        blobs.append((offset, blob))
        offset = (offset + nbytes + alignment - 1) // alignment * alignment
    out += b"\0" * ((-len(out)) % alignment)
    data = bytearray(offset)
    for off, blob in blobs:
        data[off:off + len(blob)] = blob
    return out + bytes(data)


def safetensors_file(header, data):
    h = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(h)) + h + data


def write(sub, name, content, folder="corpus"):
    path = os.path.join(HERE, folder, sub, name)
    with open(path, "wb") as f:
        f.write(content)


def main():
    kvs_all = [("general.architecture", 8, "sd1"), ("u8", 0, 7), ("i8", 1, -7), ("u16", 2, 700), ("i16", 3, -700),
               ("u32", 4, 70000), ("i32", 5, -70000), ("f32", 6, 1.5), ("bool", 7, 1), ("u64", 10, 1 << 40),
               ("i64", 11, -(1 << 40)), ("f64", 12, 2.25), ("tokens", 9, (8, ["a", "bc", "</w>"])),
               ("nested", 9, (9, [(4, [1, 2]), (4, [3])]))]
    write("gguf", "metadata_only.gguf", gguf_file(kvs_all, []))
    write("gguf", "v2_f32.gguf", gguf_file([], [("w", "f32", [2, 3])], version=2))
    write("gguf", "every_type.gguf",
          gguf_file([("general.alignment", 4, 64)],
                    [(f"t.{n}", n, [2, TYPES[n][1] if TYPES[n][1] > 1 else 4]) for n in TYPES], alignment=64))
    write("gguf", "conv_weight.gguf", gguf_file([("general.architecture", 8, "sd1")],
                                                [("model.diffusion_model.conv.weight", "f16", [4, 2, 3, 3]),
                                                 ("model.diffusion_model.conv.bias", "f32", [4])]))
    write("safetensors", "two_tensors.safetensors",
          safetensors_file({"__metadata__": {"format": "pt"},
                            "a.weight": {"dtype": "F16", "shape": [2, 3], "data_offsets": [0, 12]},
                            "b": {"dtype": "F32", "shape": [1], "data_offsets": [12, 16]}}, bytes(range(16))))
    write("safetensors", "every_dtype.safetensors",
          safetensors_file({"f32": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                            "bf16": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [8, 16]},
                            "ids": {"dtype": "I64", "shape": [1, 2], "data_offsets": [16, 32]},
                            "scalar": {"dtype": "F32", "shape": [], "data_offsets": [32, 36]},
                            "empty": {"dtype": "F16", "shape": [0, 4], "data_offsets": [36, 36]}}, bytes(36)))
    write("safetensors", "json_features.safetensors",
          safetensors_file({"__metadata__": {"note": "esc \"q\" \\ \u00e9 \n", "n": "1e3"},
                            "x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b"\0\0\x80\x3f"))
    write("safetensors", "unsupported_dtype.safetensors",
          safetensors_file({"x": {"dtype": "I8", "shape": [4], "data_offsets": [0, 4]}}, bytes(4)))
    write_hostile()


def write_hostile():
    """tests/native/io/fuzz_regression_test.cpp lists these names: each must be refused with
    a format error, never a crash or a giant allocation."""
    def gguf(name, content):
        write("gguf", "hostile_" + name + ".gguf", content, "crashes")

    def safetensors(name, content):
        write("safetensors", "hostile_" + name + ".safetensors", content, "crashes")

    gguf("tensor_count", b"GGUF" + struct.pack("<IQQ", 3, 1 << 62, 0))
    gguf("key_length", b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1 << 63) + b"k")
    gguf("array_count", b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + gguf_string("a") +
         struct.pack("<IIQ", 9, 10, 1 << 61) + struct.pack("<Q", 1))
    tensor_head = b"GGUF" + struct.pack("<IQQ", 3, 1, 0) + gguf_string("w")
    gguf("dims_overflow", tensor_head + struct.pack("<IQQQ", 3, 1 << 32, 1 << 32, 1 << 32) +
         struct.pack("<IQ", 0, 0) + bytes(32))
    gguf("offset_past_end", tensor_head + struct.pack("<IQ", 1, 8) + struct.pack("<IQ", 0, 1 << 40) + bytes(32))
    safetensors("header_length", struct.pack("<Q", (1 << 64) - 1) + b"{}")
    safetensors("offsets_past_end",
                safetensors_file({"x": {"dtype": "F32", "shape": [1 << 20], "data_offsets": [0, 4 << 20]}}, bytes(8)))
    safetensors("offsets_reversed",
                safetensors_file({"x": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}}, bytes(8)))
    safetensors("shape_overflow",
                safetensors_file({"x": {"dtype": "F32", "shape": [1 << 40, 1 << 40], "data_offsets": [0, 4]}}, bytes(4)))
    nested = b"[" * 5000 + b"]" * 5000
    safetensors("nesting", struct.pack("<Q", len(nested)) + nested)


if __name__ == "__main__":
    main()
