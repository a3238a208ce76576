//! Archive bytes of any shape (zip, gzip, tar, nested): the walker must bound what it
//! decompresses and never panic; every member it yields is decoded as `inspect` would.
#![no_main]

use afterrun_activity::archive::{self, Entry, Limits};
use afterrun_activity::{DecodeOptions, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Small limits keep one input within libFuzzer's memory budget.
    let limits = Limits {
        max_entries: 1_000,
        max_total_bytes: 64 << 20,
        max_member_bytes: 16 << 20,
        ..Limits::default()
    };
    let options = DecodeOptions { samples: false };
    let _ = archive::walk("fuzz.zip", std::io::Cursor::new(data), &limits, &mut |entry| {
        if let Entry::File { path, bytes } = entry {
            let _ = decode(bytes, Some(path), &options);
        }
    });
});
