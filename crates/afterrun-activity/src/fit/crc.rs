//! The FIT CRC: CRC-16 with the reflected polynomial 0xA001 and a zero start value (the FIT
//! protocol's own nibble-table algorithm computes the same function).
//!
//! The file CRC covers every byte of a file, so it is the one cost of a decode that grows with
//! the bytes rather than with the messages; it is computed eight bytes at a time ("slicing by
//! eight") to stay well under the cost of the message walk.

/// `TABLES[k][b]` is the CRC contribution of byte `b` followed by `k` zero bytes.
const TABLES: [[u16; 256]; 8] = make_tables();

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

/// Continues a FIT CRC over `data` (start with `crc = 0`).
pub(crate) fn crc16(mut crc: u16, data: &[u8]) -> u16 {
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let lo = crc ^ u16::from_le_bytes([c[0], c[1]]);
        crc = TABLES[7][usize::from(lo & 0xFF)]
            ^ TABLES[6][usize::from(lo >> 8)]
            ^ TABLES[5][usize::from(c[2])]
            ^ TABLES[4][usize::from(c[3])]
            ^ TABLES[3][usize::from(c[4])]
            ^ TABLES[2][usize::from(c[5])]
            ^ TABLES[1][usize::from(c[6])]
            ^ TABLES[0][usize::from(c[7])];
    }
    for &b in chunks.remainder() {
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
        let data: Vec<u8> = (0..1000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 8) as u8
            })
            .collect();
        for len in [0, 1, 7, 8, 9, 15, 16, 17, 100, 999, 1000] {
            assert_eq!(crc16(0, &data[..len]), reference(&data[..len]), "length {len}");
        }
        // Continuing a CRC over two halves equals one pass.
        assert_eq!(crc16(crc16(0, &data[..333]), &data[333..]), reference(&data));
        // The standard CRC-16/ARC check value.
        assert_eq!(crc16(0, b"123456789"), 0xBB3D);
    }
}
