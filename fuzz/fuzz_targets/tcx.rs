//! TCX bytes of any shape, through the TCX decoder.
#![no_main]

use afterrun_activity::{DecodeOptions, tcx};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tcx::decode(data, &DecodeOptions { samples: true });
});
