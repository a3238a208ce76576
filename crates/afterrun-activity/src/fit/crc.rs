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

/// Continues a FIT CRC over `data` (start with `crc = 0`).
pub(crate) fn crc16(mut crc: u16, data: &[u8]) -> u16 {
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
}
