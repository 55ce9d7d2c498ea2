// Reading one element of a stored weight row inside a shader, for every storage type: the
// includer declares `w` (the weight buffer as 32-bit words) and compiles with one WEIGHT_*
// define. Quantized blocks are decoded in place, so weights stay quantized in device memory.
// Block layouts are GGUF's (see quant/block_layouts.h); blocks need not be word-aligned.

uint w_byte(uint b) { return (w[b >> 2] >> ((b & 3u) << 3)) & 0xffu; }
uint w_u16(uint b) {
    if ((b & 1u) == 0u) return (w[b >> 2] >> ((b & 2u) << 3)) & 0xffffu;
    return w_byte(b) | (w_byte(b + 1u) << 8);
}
uint w_u32(uint b) { return w_u16(b) | (w_u16(b + 2u) << 16); }
float w_f16(uint b) { return unpackHalf2x16(w_u16(b)).x; }
int w_i8(uint b) { return int(w_byte(b) << 24) >> 24; }

// The 6-bit scale and min of sub-block j (0..7) of a q4_K/q5_K super-block, scales at `s`.
void k4_scale_min(uint j, uint s, out float scale, out float mn) {
    if (j < 4u) {
        scale = float(w_byte(s + j) & 63u);
        mn = float(w_byte(s + j + 4u) & 63u);
    } else {
        scale = float((w_byte(s + j + 4u) & 15u) | ((w_byte(s + j - 4u) >> 6) << 4));
        mn = float((w_byte(s + j + 4u) >> 4) | ((w_byte(s + j) >> 6) << 4));
    }
}

// Element k of the weight row that starts at byte `row`.
float weight_value(uint row, uint k) {
#if defined(WEIGHT_F32)
    return uintBitsToFloat(w[(row >> 2) + k]);
#elif defined(WEIGHT_F16)
    return w_f16(row + 2u * k);
#elif defined(WEIGHT_BF16)
    return uintBitsToFloat(w_u16(row + 2u * k) << 16);
#elif defined(WEIGHT_Q8_0)
    uint blk = row + (k >> 5) * 34u;
    return w_f16(blk) * float(w_i8(blk + 2u + (k & 31u)));
#elif defined(WEIGHT_Q4_0) || defined(WEIGHT_Q4_1)
#if defined(WEIGHT_Q4_0)
    uint blk = row + (k >> 5) * 18u, qs = blk + 2u;
#else
    uint blk = row + (k >> 5) * 20u, qs = blk + 4u;
#endif
    uint j = k & 31u;
    uint b = w_byte(qs + (j & 15u));
    float q = float(j < 16u ? (b & 15u) : (b >> 4));
#if defined(WEIGHT_Q4_0)
    return w_f16(blk) * (q - 8.0);
#else
    return w_f16(blk) * q + w_f16(blk + 2u);
#endif
#elif defined(WEIGHT_Q5_0) || defined(WEIGHT_Q5_1)
#if defined(WEIGHT_Q5_0)
    uint blk = row + (k >> 5) * 22u, qh_at = blk + 2u, qs = blk + 6u;
#else
    uint blk = row + (k >> 5) * 24u, qh_at = blk + 4u, qs = blk + 8u;
#endif
    uint j = k & 31u;
    uint b = w_byte(qs + (j & 15u));
    uint low = j < 16u ? (b & 15u) : (b >> 4);
    float q = float(low | (((w_u32(qh_at) >> j) & 1u) << 4));
#if defined(WEIGHT_Q5_0)
    return w_f16(blk) * (q - 16.0);
#else
    return w_f16(blk) * q + w_f16(blk + 2u);
#endif
#elif defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
    // 256 values in four chunks of 64; each chunk's two sub-blocks share 32 bytes of nibbles.
    uint i = k & 255u, chunk = i >> 6, high = (i >> 5) & 1u, l = i & 31u, sub = 2u * chunk + high;
#if defined(WEIGHT_Q4_K)
    uint blk = row + (k >> 8) * 144u, qs = blk + 16u;
#else
    uint blk = row + (k >> 8) * 176u, qs = blk + 48u;
#endif
    float scale, mn;
    k4_scale_min(sub, blk + 4u, scale, mn);
    uint b = w_byte(qs + 32u * chunk + l);
    uint q = high == 1u ? (b >> 4) : (b & 15u);
#if defined(WEIGHT_Q5_K)
    q |= ((w_byte(blk + 16u + l) >> sub) & 1u) << 4;
#endif
    return w_f16(blk) * scale * float(q) - w_f16(blk + 2u) * mn;
#elif defined(WEIGHT_Q6_K)
    // Two halves of 128 values; in each, four parts of 32 take the low/high nibbles of two
    // 32-byte runs of ql and successive 2-bit fields of 32 bytes of qh.
    uint blk = row + (k >> 8) * 210u;
    uint i = k & 255u, half_ = i >> 7, part = (i & 127u) >> 5, l = i & 31u;
    uint ql = w_byte(blk + 64u * half_ + l + (part & 1u) * 32u);
    uint low = part < 2u ? (ql & 15u) : (ql >> 4);
    uint high = (w_byte(blk + 128u + 32u * half_ + l) >> (2u * part)) & 3u;
    int q = int(low | (high << 4)) - 32;
    float scale = float(w_i8(blk + 192u + 8u * half_ + (l >> 4) + 2u * part));
    return w_f16(blk + 208u) * scale * float(q);
#else
#error "compile with one WEIGHT_* define"
#endif
}
