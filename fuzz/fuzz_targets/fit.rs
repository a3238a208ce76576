//! FIT bytes of any shape: the decoder must return, never panic, hang or allocate from an
//! unchecked length. Seeded from `../shared/corpus/fit` (BENCHMARKS-import.md).
#![no_main]

use afterrun_activity::fit;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fit::decode(data, &fit::DecodeOptions { samples: true });
    let _ = fit::decode(data, &fit::DecodeOptions { samples: false });
});
