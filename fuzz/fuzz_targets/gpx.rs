//! GPX bytes of any shape, through the GPX decoder and the sniffing entry point.
#![no_main]

use afterrun_activity::{DecodeOptions, decode, gpx};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = DecodeOptions { samples: true };
    let _ = gpx::decode(data, &options);
    let _ = decode(data, Some("fuzz.gpx"), &options);
});
