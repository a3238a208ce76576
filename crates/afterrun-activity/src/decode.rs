//! The one entry point for any activity file: sniff the format from the bytes, then decode.
//!
//! Callers (the CLI, the server, the archive walker, the fuzzers) hand over bytes and, when they
//! have one, the file name; the name only decides the format of an empty file, which has no
//! bytes to sniff and is `not_activity_file` whatever it is called.

use crate::model::{Activity, DecodeError, DecodeOptions, Format, ProblemKind};
use crate::sniff::{format_from_name, sniff};

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
        Some(Format::Fit) => crate::fit::decode(bytes, options),
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
}
