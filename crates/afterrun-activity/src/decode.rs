//! The one entry point for any activity file: sniff the format from the bytes, then decode.
//!
//! Callers (the CLI, the server, the archive walker, the fuzzers) hand over bytes and, when they
//! have one, the file name; the name only decides the format of an empty file, which has no
//! bytes to sniff and is `not_activity_file` whatever it is called.

use crate::model::{Activity, DecodeError, Format, ProblemKind};
use crate::sniff::{format_from_name, sniff};

/// What to decode besides the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Keep every sample (for the load model); `false` computes the summary only.
    pub samples: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions { samples: true }
    }
}

/// The format of a file: sniffed from the bytes, else named by the extension of `name_hint`.
pub fn detect_format(bytes: &[u8], name_hint: Option<&str>) -> Option<Format> {
    sniff(bytes).or_else(|| name_hint.and_then(format_from_name))
}

/// Decodes a FIT, GPX or TCX file from its bytes.
///
/// The format is sniffed from the content, never taken from `name_hint`; an empty file is
/// `not_activity_file`, and bytes of no known format are `unsupported`.
pub fn decode(
    bytes: &[u8],
    name_hint: Option<&str>,
    options: &DecodeOptions,
) -> Result<Activity, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::new(ProblemKind::NotActivityFile, "the file is empty"));
    }
    match sniff(bytes) {
        Some(Format::Fit) => decode_fit(bytes, options),
        Some(Format::Gpx) => crate::gpx::decode(bytes, options),
        Some(Format::Tcx) => crate::tcx::decode(bytes, options),
        None => {
            let named = name_hint.and_then(format_from_name);
            let message = match named {
                Some(f) => format!("named like a {f} file, but the bytes are not {f}"),
                None => "not a fit, gpx or tcx file".to_owned(),
            };
            Err(DecodeError::new(ProblemKind::Unsupported, message))
        }
    }
}

/// The FIT branch, kept in one place so the dispatcher does not depend on the FIT decoder's
/// internals.
fn decode_fit(bytes: &[u8], options: &DecodeOptions) -> Result<Activity, DecodeError> {
    crate::fit::decode(bytes, &crate::fit::DecodeOptions { samples: options.samples })
}

/// The FIT sport name for a sport as GPX `<type>` or TCX `Sport` write it (`Running`, `Biking`,
/// `road_biking`, Strava's numbers `1` and `9`), case-insensitive; `None` when unknown.
///
/// TCX `Other` maps to FIT's `generic`: the file says only that it is not running or biking.
pub fn sport_from_name(name: &str) -> Option<&'static str> {
    let lower = name.trim().to_ascii_lowercase();
    Some(match lower.as_str() {
        "running" | "run" | "trail_running" | "treadmill_running" | "street_running"
        | "track_running" | "9" => "running",
        "cycling" | "biking" | "bike" | "ride" | "road_biking" | "mountain_biking"
        | "gravel_cycling" | "indoor_cycling" | "virtual_ride" | "cyclocross" | "1" => "cycling",
        "walking" | "walk" | "casual_walking" | "speed_walking" => "walking",
        "hiking" | "hike" => "hiking",
        "swimming" | "swim" | "lap_swimming" | "open_water_swimming" => "swimming",
        "training" | "strength_training" | "cardio_training" => "training",
        "multisport" | "multi_sport" => "multisport",
        "other" | "generic" => "generic",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_files_and_unknown_bytes() {
        let opts = DecodeOptions::default();
        assert_eq!(
            decode(b"", Some("a.gpx"), &opts).unwrap_err().kind,
            ProblemKind::NotActivityFile
        );
        assert_eq!(detect_format(b"", Some("a.gpx")), Some(Format::Gpx));
        let e = decode(b"hello", Some("a.fit"), &opts).unwrap_err();
        assert_eq!(e.kind, ProblemKind::Unsupported);
        assert_eq!(detect_format(b"<gpx>", Some("a.fit")), Some(Format::Gpx));
    }

    #[test]
    fn sports() {
        assert_eq!(sport_from_name("Running"), Some("running"));
        assert_eq!(sport_from_name("Biking"), Some("cycling"));
        assert_eq!(sport_from_name("Other"), Some("generic"));
        assert_eq!(sport_from_name("16"), None);
    }
}
