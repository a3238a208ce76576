//! Which format a file is, from its bytes: extensions lie (a `.fit` that is a GPX, a download
//! saved as `.xml`), the first bytes do not.
//!
//! FIT has `.FIT` at offset 8 of its header. GPX and TCX are XML whose root element is `gpx` or
//! `TrainingCenterDatabase`, found after any BOM, whitespace, declaration, comments, processing
//! instructions and doctype. Only the first [`XML_SNIFF_LIMIT`] bytes are looked at.

use crate::model::Format;

/// How far into a file the root element is looked for.
pub const XML_SNIFF_LIMIT: usize = 64 * 1024;

/// The format of the bytes, or `None` when they are none of FIT, GPX or TCX.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.len() >= 12 && &bytes[8..12] == b".FIT" {
        return Some(Format::Fit);
    }
    match xml_root(bytes)? {
        b"gpx" => Some(Format::Gpx),
        b"TrainingCenterDatabase" => Some(Format::Tcx),
        _ => None,
    }
}

/// The format an extension names (`.fit`, `.gpx`, `.tcx`, also with `.gz` after it),
/// case-insensitive.
pub fn format_from_name(name: &str) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
    if lower.ends_with(".fit") {
        Some(Format::Fit)
    } else if lower.ends_with(".gpx") {
        Some(Format::Gpx)
    } else if lower.ends_with(".tcx") {
        Some(Format::Tcx)
    } else {
        None
    }
}

/// The local name of the root element of an XML document.
fn xml_root(bytes: &[u8]) -> Option<&[u8]> {
    let mut s = &bytes[..bytes.len().min(XML_SNIFF_LIMIT)];
    s = s.strip_prefix(b"\xef\xbb\xbf").unwrap_or(s);
    loop {
        s = s.trim_ascii_start();
        if s.starts_with(b"<?") {
            s = skip_past(s, b"?>")?;
        } else if s.starts_with(b"<!--") {
            s = skip_past(s, b"-->")?;
        } else if s.starts_with(b"<!") {
            s = skip_past(s, b">")?;
        } else if let Some(rest) = s.strip_prefix(b"<") {
            let end = rest
                .iter()
                .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
                .unwrap_or(rest.len());
            let name = &rest[..end];
            let local = match name.iter().rposition(|b| *b == b':') {
                Some(i) => &name[i + 1..],
                None => name,
            };
            return Some(local);
        } else {
            return None;
        }
    }
}

fn skip_past<'a>(s: &'a [u8], end: &[u8]) -> Option<&'a [u8]> {
    let i = s.windows(end.len()).position(|w| w == end)?;
    Some(&s[i + end.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        let mut fit = vec![14u8, 0x10, 0, 0, 0, 0, 0, 0];
        fit.extend_from_slice(b".FIT");
        assert_eq!(sniff(&fit), Some(Format::Fit));
        assert_eq!(
            sniff(b"\xef\xbb\xbf  <?xml version='1.0'?>\n<!-- c --><gpx version='1.1'>"),
            Some(Format::Gpx)
        );
        assert_eq!(
            sniff(b"<?xml version='1.0'?><!DOCTYPE x><tcd:TrainingCenterDatabase xmlns:tcd='x'>"),
            Some(Format::Tcx)
        );
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"<!-- never closed"), None);
    }

    #[test]
    fn extension_names() {
        assert_eq!(format_from_name("a/b/Run.FIT.gz"), Some(Format::Fit));
        assert_eq!(format_from_name("x.gpx"), Some(Format::Gpx));
        assert_eq!(format_from_name("x.tcx"), Some(Format::Tcx));
        assert_eq!(format_from_name("activities.csv"), None);
    }
}
