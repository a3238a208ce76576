//! The FIT CRC: CRC-16 with the reflected polynomial 0xA001 and a zero start value (the FIT
//! protocol's own nibble-table algorithm computes the same function).
//!
//! The file CRC covers every byte of a file, so it is the one cost of a decode that grows with
//! the bytes rather than with the messages. A table-driven CRC is bound by its dependency chain:
//! each step waits for the previous one. So the bytes are cut into blocks of four lanes of
//! [`LANE`] bytes, the four lanes run side by side (four independent chains, eight bytes per step
//! each, "slicing by eight"), and the lanes are joined at the end of each block: the CRC is linear,
//! so `crc(a ‖ b) = shift(crc(a), |b|) ^ crc(b)`, where `shift` (running a CRC over `|b|` zero
//! bytes) is itself a fixed linear map, applied with two table lookups.
//!
//! On x86-64 processors with carry-less multiplication (`pclmulqdq`, found at run time) long
//! runs go through [`clmul`] instead: the bytes are folded sixteen at a time into four
//! 128-bit accumulators, with the same linearity, and the last accumulator and the tail are
//! finished by the tables. The tables stay the portable path and the reference the folding is
//! tested against.

/// Bytes per lane in a block of four lanes.
const LANE: usize = 256;

/// `TABLES[k][b]` is the CRC contribution of byte `b` followed by `k` zero bytes.
const TABLES_CONST: [[u16; 256]; 8] = make_tables();
static TABLES: [[u16; 256]; 8] = TABLES_CONST;

/// Running a CRC over [`LANE`] zero bytes, split by the CRC's low and high byte.
static SHIFT: [[u16; 256]; 2] = make_shift();

const fn make_tables() -> [[u16; 256]; 8] {
    let mut t = [[0u16; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u16;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xA001 } else { c >> 1 };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut i = 0;
    while i < 256 {
        let mut j = 1;
        while j < 8 {
            let prev = t[j - 1][i];
            t[j][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            j += 1;
        }
        i += 1;
    }
    t
}

const fn make_shift() -> [[u16; 256]; 2] {
    // The image of each of the 16 basis vectors after LANE zero bytes…
    let mut basis = [0u16; 16];
    let mut bit = 0;
    while bit < 16 {
        let mut c = 1u16 << bit;
        let mut n = 0;
        while n < LANE {
            c = (c >> 8) ^ TABLES_CONST[0][(c & 0xFF) as usize];
            n += 1;
        }
        basis[bit] = c;
        bit += 1;
    }
    // …and, by linearity, of every low and high byte.
    let mut t = [[0u16; 256]; 2];
    let mut v = 0;
    while v < 256 {
        let mut lo = 0u16;
        let mut hi = 0u16;
        let mut b = 0;
        while b < 8 {
            if v & (1 << b) != 0 {
                lo ^= basis[b];
                hi ^= basis[b + 8];
            }
            b += 1;
        }
        t[0][v] = lo;
        t[1][v] = hi;
        v += 1;
    }
    t
}

/// The CRC after [`LANE`] more zero bytes.
#[inline(always)]
fn shift(c: u16) -> u16 {
    SHIFT[0][usize::from(c & 0xFF)] ^ SHIFT[1][usize::from(c >> 8)]
}

/// Eight bytes at once.
#[inline(always)]
fn step8(crc: u16, c: &[u8]) -> u16 {
    let Ok(c) = <&[u8; 8]>::try_from(c) else { return crc };
    let lo = crc ^ u16::from_le_bytes([c[0], c[1]]);
    let t = &TABLES;
    (t[7][usize::from(lo & 0xFF)] ^ t[6][usize::from(lo >> 8)] ^ t[5][usize::from(c[2])])
        ^ (t[4][usize::from(c[3])] ^ t[3][usize::from(c[4])])
        ^ (t[2][usize::from(c[5])] ^ t[1][usize::from(c[6])] ^ t[0][usize::from(c[7])])
}

/// Continues a FIT CRC over `data` (start with `crc = 0`): what a FIT file's header and its
/// end carry, for callers that write FIT files.
pub fn crc16(crc: u16, data: &[u8]) -> u16 {
    #[cfg(target_arch = "x86_64")]
    if data.len() >= clmul::MIN_LEN && clmul::available() {
        let (folded, rest) = clmul::fold(crc, data);
        return crc16_tables(crc16_tables(0, &folded), rest);
    }
    crc16_tables(crc, data)
}

/// [`crc16`] with the tables alone.
fn crc16_tables(mut crc: u16, data: &[u8]) -> u16 {
    let mut blocks = data.chunks_exact(4 * LANE);
    for block in &mut blocks {
        let (l0, rest) = block.split_at(LANE);
        let (l1, rest) = rest.split_at(LANE);
        let (l2, l3) = rest.split_at(LANE);
        let (mut c0, mut c1, mut c2, mut c3) = (crc, 0u16, 0u16, 0u16);
        let lanes = l0
            .chunks_exact(8)
            .zip(l1.chunks_exact(8))
            .zip(l2.chunks_exact(8))
            .zip(l3.chunks_exact(8));
        for (((a, b), c), d) in lanes {
            c0 = step8(c0, a);
            c1 = step8(c1, b);
            c2 = step8(c2, c);
            c3 = step8(c3, d);
        }
        crc = shift(shift(shift(c0) ^ c1) ^ c2) ^ c3;
    }
    let mut words = blocks.remainder().chunks_exact(8);
    for w in &mut words {
        crc = step8(crc, w);
    }
    for &b in words.remainder() {
        crc = (crc >> 8) ^ TABLES[0][usize::from((crc ^ u16::from(b)) & 0xFF)];
    }
    crc
}

/// `x^n mod P` for the FIT polynomial `P = x^16 + x^15 + x^2 + 1`, bit `d` holding `x^d`.
const fn x_pow_mod(n: u32) -> u16 {
    // Multiply by x n times, reducing as we go (0x8005 is P without its x^16 term).
    let mut r: u32 = 1;
    let mut i = 0;
    while i < n {
        r <<= 1;
        if r & 0x1_0000 != 0 {
            r ^= 0x1_8005;
        }
        i += 1;
    }
    r as u16
}

/// A polynomial of degree below 16 as the reflected 64-bit operand of a carry-less multiply:
/// bit `63 - d` holds `x^d` (the bytes of a reflected CRC put the highest power in bit 0).
const fn reflected64(p: u16) -> u64 {
    let mut r = 0u64;
    let mut d = 0;
    while d < 16 {
        if p & (1 << d) != 0 {
            r |= 1 << (63 - d);
        }
        d += 1;
    }
    r
}

/// Folding with carry-less multiplication (x86-64 `pclmulqdq`).
///
/// Sixteen bytes loaded little-endian into a `u128` are a polynomial of degree below 128, byte
/// 0's bit 0 the highest power (`x^127`). Such a block `X` followed by `n` more bits stands for
/// `X · x^n`, and only its remainder modulo `P` matters to the CRC; with `X = H · x^64 + G`
/// (`H` the first eight bytes), `X · x^n ≡ H · (x^(n+64) mod P) + G · (x^n mod P)`, a value of
/// degree below 80 that replaces `X` and is added to the block `n` bits further on. A carry-less
/// multiply of two reflected 64-bit operands yields their product times `x` in a reflected
/// 128-bit result, so the constants are taken one power lower.
#[cfg(target_arch = "x86_64")]
mod clmul {
    use std::arch::x86_64::{__m128i, _mm_clmulepi64_si128, _mm_set_epi64x, _mm_xor_si128};

    use super::{reflected64, x_pow_mod};

    /// Shorter runs are left to the tables (the setup would cost more than it saves).
    pub(super) const MIN_LEN: usize = 256;

    /// Four accumulators of sixteen bytes: a stride of 64 bytes (512 bits).
    const STRIDE: usize = 64;

    /// The constants for folding over `bits` bits: `(x^(bits+63), x^(bits-1))`, reflected.
    const fn fold_keys(bits: u32) -> (u64, u64) {
        (reflected64(x_pow_mod(bits + 63)), reflected64(x_pow_mod(bits - 1)))
    }
    const K512: (u64, u64) = fold_keys(512);
    const K128: (u64, u64) = fold_keys(128);

    /// Whether this processor multiplies without carries (checked once, then cached by std).
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("pclmulqdq")
            && std::arch::is_x86_feature_detected!("sse4.1")
    }

    /// Folds `data` (at least [`MIN_LEN`] bytes) after a CRC of `crc`: returns sixteen bytes
    /// and a tail whose CRC, from 0, equals the CRC of `data` from `crc`.
    pub(super) fn fold(crc: u16, data: &[u8]) -> ([u8; 16], &[u8]) {
        debug_assert!(data.len() >= MIN_LEN && available());
        // SAFETY: `available()` said this processor has `pclmulqdq` and `sse4.1`, the only
        // features `fold_with` is compiled for; it reads `data` through safe slices alone.
        #[allow(unsafe_code)]
        unsafe {
            fold_with(crc, data)
        }
    }

    #[target_feature(enable = "pclmulqdq,sse4.1")]
    fn fold_with(crc: u16, data: &[u8]) -> ([u8; 16], &[u8]) {
        let mut blocks = data.chunks_exact(STRIDE);
        let Some(first) = blocks.next() else { return ([0; 16], data) };
        // The CRC so far enters as the first two bytes' XOR (a reflected CRC's state is the
        // next two bytes' worth of remainder).
        let mut acc = lanes(first);
        acc[0] = _mm_xor_si128(acc[0], _mm_set_epi64x(0, i64::from(crc)));
        for block in &mut blocks {
            let next = lanes(block);
            for (a, n) in acc.iter_mut().zip(next) {
                *a = _mm_xor_si128(fold_by(*a, K512), n);
            }
        }
        let mut x = acc[0];
        for a in &acc[1..] {
            x = _mm_xor_si128(fold_by(x, K128), *a);
        }
        (to_bytes(x), blocks.remainder())
    }

    /// `X · x^n` reduced to degree below 80, for the keys of `n`.
    #[inline]
    #[target_feature(enable = "pclmulqdq,sse4.1")]
    fn fold_by(x: __m128i, keys: (u64, u64)) -> __m128i {
        let k = _mm_set_epi64x(keys.1 as i64, keys.0 as i64);
        // Low half of x (its first eight bytes, H) by keys.0; high half (G) by keys.1.
        _mm_xor_si128(_mm_clmulepi64_si128::<0x00>(x, k), _mm_clmulepi64_si128::<0x11>(x, k))
    }

    /// A 64-byte block as four little-endian 128-bit lanes.
    #[inline]
    #[target_feature(enable = "pclmulqdq,sse4.1")]
    fn lanes(block: &[u8]) -> [__m128i; 4] {
        let word = |i: usize| {
            let b = block.get(8 * i..8 * i + 8).and_then(|b| <[u8; 8]>::try_from(b).ok());
            i64::from_le_bytes(b.unwrap_or_default())
        };
        [
            _mm_set_epi64x(word(1), word(0)),
            _mm_set_epi64x(word(3), word(2)),
            _mm_set_epi64x(word(5), word(4)),
            _mm_set_epi64x(word(7), word(6)),
        ]
    }

    #[inline]
    #[target_feature(enable = "pclmulqdq,sse4.1")]
    fn to_bytes(x: __m128i) -> [u8; 16] {
        use std::arch::x86_64::{_mm_cvtsi128_si64, _mm_extract_epi64};
        let lo = _mm_cvtsi128_si64(x) as u64;
        let hi = _mm_extract_epi64::<1>(x) as u64;
        (u128::from(lo) | (u128::from(hi) << 64)).to_le_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::crc16;

    /// The nibble-table algorithm as the FIT protocol document describes it, byte by byte.
    fn reference(data: &[u8]) -> u16 {
        const T: [u16; 16] = [
            0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800,
            0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
        ];
        let mut crc = 0u16;
        for &b in data {
            let tmp = T[usize::from(crc & 0xF)];
            crc = (crc >> 4) & 0x0FFF;
            crc = crc ^ tmp ^ T[usize::from(b & 0xF)];
            let tmp = T[usize::from(crc & 0xF)];
            crc = (crc >> 4) & 0x0FFF;
            crc = crc ^ tmp ^ T[usize::from(b >> 4)];
        }
        crc
    }

    #[test]
    fn sliced_crc_equals_the_protocol_algorithm() {
        let mut x = 0x1234_5678u32;
        let data: Vec<u8> = (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 8) as u8
            })
            .collect();
        for len in [0, 1, 7, 8, 9, 15, 16, 17, 100, 999, 1023, 1024, 1025, 2048, 3001, 5000] {
            assert_eq!(crc16(0, &data[..len]), reference(&data[..len]), "length {len}");
        }
        // Continuing a CRC over two halves equals one pass.
        assert_eq!(crc16(crc16(0, &data[..333]), &data[333..]), reference(&data));
        assert_eq!(crc16(crc16(0, &data[..1500]), &data[1500..]), reference(&data));
        // The standard CRC-16/ARC check value.
        assert_eq!(crc16(0, b"123456789"), 0xBB3D);
    }

    #[test]
    fn every_length_and_start_agrees_with_the_tables() {
        // On a processor with `pclmulqdq` long runs are folded; the tables are the reference.
        let data: Vec<u8> =
            (0..3000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in (0..1200).chain([2047, 2048, 2049, 2999, 3000]) {
            for start in [0u16, 1, 0x8000, 0xBEEF, 0xFFFF] {
                let d = &data[..len];
                assert_eq!(
                    crc16(start, d),
                    super::crc16_tables(start, d),
                    "length {len}, start {start:#x}"
                );
            }
        }
        let d = &data[..1000];
        assert_eq!(crc16(0, d), reference(d));
        // The folding itself, where the processor has it.
        #[cfg(target_arch = "x86_64")]
        if super::clmul::available() {
            let (folded, rest) = super::clmul::fold(0xBEEF, d);
            assert_eq!(rest.len(), 1000 % 64);
            let folded = super::crc16_tables(super::crc16_tables(0, &folded), rest);
            assert_eq!(folded, super::crc16_tables(0xBEEF, d));
        }
    }
}
