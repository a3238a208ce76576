//! A tolerant pull reader over XML bytes, shared by the GPX and TCX decoders.
//!
//! Activity files in the wild are often not well-formed XML: a prefix used without its
//! `xmlns:` declaration (Strava's `gpxdata:`), whitespace before the `<?xml` declaration, a file
//! cut short by a watch that died. A conforming parser rejects all of these, yet every point in
//! them is readable. This reader wraps `quick-xml`'s streaming reader, works on local names
//! (prefixes are ignored for matching), and turns each of those faults into a [`Warning`] instead
//! of a failure. The decoders decide whether what was read is usable. [`Points`] is what both
//! sum over the points they read.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::geo::Climb;
use crate::model::{DecodeError, ProblemKind, Sample, Warning};

/// One simplified XML event.
#[derive(Debug)]
pub(crate) enum Node<'a> {
    /// An opening tag; `empty` for `<tag/>`, which has no matching [`Node::Close`].
    Open {
        /// The tag with its attributes.
        tag: BytesStart<'a>,
        /// Whether the element is self-closing.
        empty: bool,
    },
    /// A closing tag (the decoders keep their own stack of open elements).
    Close,
    /// Character data (entity references are not expanded; numbers and times never need them).
    Text(&'a str),
}

/// The reader: yields [`Node`]s until the end or the first syntax error, collecting warnings.
pub(crate) struct XmlReader<'a> {
    reader: Reader<&'a [u8]>,
    /// Bytes skipped before the reader's input (BOM, leading whitespace).
    base: u64,
    /// Length of the whole input, to tell a truncated file from a broken one.
    len: u64,
    depth: usize,
    declared: Vec<String>,
    warned_prefix: bool,
    done: bool,
    /// Damage seen so far.
    pub warnings: Vec<Warning>,
}

impl std::fmt::Debug for XmlReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlReader").field("depth", &self.depth).finish_non_exhaustive()
    }
}

/// Owned text of the input when it is not valid UTF-8 (a Latin-1 file, say): the markup and the
/// numbers are ASCII, so a lossy conversion keeps everything the decoders read.
pub(crate) fn as_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

impl<'a> XmlReader<'a> {
    /// A reader over the text of a file.
    pub(crate) fn new(text: &'a str) -> Self {
        let mut warnings = Vec::new();
        let mut start = 0usize;
        if text.starts_with('\u{feff}') {
            start = '\u{feff}'.len_utf8();
        }
        let rest = &text[start..];
        let trimmed = rest.trim_start();
        let skipped = rest.len() - trimmed.len();
        if skipped > 0 && trimmed.starts_with("<?xml") {
            warnings.push(Warning {
                kind: ProblemKind::BadXml,
                message: "whitespace before the xml declaration".to_owned(),
                offset: Some(0),
            });
        }
        start += skipped;
        let input = &text[start..];
        let mut reader = Reader::from_str(input);
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.check_comments = false;
        config.trim_text(true);
        XmlReader {
            reader,
            base: start as u64,
            len: text.len() as u64,
            depth: 0,
            declared: Vec::new(),
            warned_prefix: false,
            done: false,
            warnings,
        }
    }

    /// The byte offset of the reader in the whole input.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.reader.buffer_position()
    }

    /// The next node, or `None` at the end of the input or after a syntax error (then a warning
    /// says where).
    pub(crate) fn next_node(&mut self) -> Option<Node<'a>> {
        while !self.done {
            match self.reader.read_event() {
                Ok(Event::Start(tag)) => {
                    self.depth += 1;
                    self.check_prefixes(&tag);
                    return Some(Node::Open { tag, empty: false });
                }
                Ok(Event::Empty(tag)) => {
                    self.check_prefixes(&tag);
                    return Some(Node::Open { tag, empty: true });
                }
                Ok(Event::End(_)) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Some(Node::Close);
                }
                Ok(Event::Text(text)) => {
                    if let std::borrow::Cow::Borrowed(s) = text.into_inner() {
                        return Some(Node::Text(s));
                    }
                }
                Ok(Event::CData(data)) => {
                    if let std::borrow::Cow::Borrowed(s) = data.into_inner() {
                        return Some(Node::Text(s));
                    }
                }
                Ok(Event::Eof) => {
                    self.done = true;
                    if self.depth > 0 {
                        self.warnings.push(Warning {
                            kind: ProblemKind::Truncated,
                            message: format!(
                                "the file ends inside {} unclosed element(s)",
                                self.depth
                            ),
                            offset: Some(self.len),
                        });
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    self.done = true;
                    let at = self.base + self.reader.error_position();
                    // Every syntax error but a bad `<!` is a construct left open at the end
                    // of the input: the file was cut there.
                    let unclosed = matches!(
                        &err,
                        quick_xml::Error::Syntax(e)
                            if !matches!(e, quick_xml::errors::SyntaxError::InvalidBangMarkup)
                    );
                    let near_end =
                        unclosed || self.base + self.reader.buffer_position() >= self.len;
                    let kind = if near_end { ProblemKind::Truncated } else { ProblemKind::BadXml };
                    let message = if near_end {
                        format!("the file ends in the middle of the xml ({err})")
                    } else {
                        format!("xml syntax error, reading stopped there ({err})")
                    };
                    self.warnings.push(Warning {
                        kind,
                        message: lowercase_first(&message),
                        offset: Some(at),
                    });
                }
            }
        }
        None
    }

    fn check_prefixes(&mut self, tag: &BytesStart<'a>) {
        if tag.attributes_raw().contains("xmlns:") {
            for attr in tag.attributes().with_checks(false).flatten() {
                if let Some(prefix) = attr.key.into_inner().strip_prefix("xmlns:")
                    && !self.declared.iter().any(|d| d == prefix)
                {
                    self.declared.push(prefix.to_owned());
                }
            }
        }
        if self.warned_prefix {
            return;
        }
        if let Some(prefix) = tag.name().prefix() {
            let prefix = prefix.into_inner();
            if prefix != "xml" && !self.declared.iter().any(|d| d == prefix) {
                self.warned_prefix = true;
                self.warnings.push(Warning {
                    kind: ProblemKind::BadXml,
                    message: format!("namespace prefix `{prefix}` is used but never declared"),
                    offset: Some(self.offset()),
                });
            }
        }
    }
}

/// The local part of a qualified name.
pub(crate) fn local(name: &str) -> &str {
    match name.rfind(':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The local name of an opening tag.
pub(crate) fn local_name<'t>(tag: &'t BytesStart<'_>) -> &'t str {
    local(tag.name().into_inner())
}

/// The value of an attribute by local name, as raw text.
pub(crate) fn attr<'t>(tag: &'t BytesStart<'_>, name: &str) -> Option<std::borrow::Cow<'t, str>> {
    tag.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| local(a.key.into_inner()) == name)
        .map(|a| a.value)
}

/// Parses a decimal number, tolerating surrounding whitespace; `None` when it is not a finite
/// number.
pub(crate) fn number(text: &str) -> Option<f64> {
    let value: f64 = text.trim().parse().ok()?;
    value.is_finite().then_some(value)
}

/// Parses an XML Schema `dateTime` (RFC 3339, or without an offset, read as UTC) into seconds
/// since the Unix epoch, with fractions.
pub(crate) fn time(text: &str) -> Option<f64> {
    let text = text.trim();
    let ts: jiff::Timestamp = match text.parse() {
        Ok(ts) => ts,
        Err(_) => {
            let civil: jiff::civil::DateTime = text.parse().ok()?;
            jiff::tz::Offset::UTC.to_timestamp(civil).ok()?
        }
    };
    Some(ts.as_second() as f64 + f64::from(ts.subsec_nanosecond()) / 1e9)
}

/// Whole seconds of a time, truncated toward the past (the contract writes whole seconds).
pub(crate) fn whole_seconds(time_s: f64) -> i64 {
    time_s.floor() as i64
}

/// The document's root element, checked when the first element opens: seen or not, it also
/// tells an empty file from one whose content was unusable.
#[derive(Debug, Default)]
pub(crate) struct Root {
    seen: bool,
}

impl Root {
    /// Called on every opening tag: the first one must be the root (`is_root`, named `name`).
    pub(crate) fn check(&mut self, is_root: bool, name: &str) -> Result<(), DecodeError> {
        if !self.seen {
            self.seen = true;
            if !is_root {
                return Err(DecodeError::new(
                    ProblemKind::BadStructure,
                    format!("the root element is not `{name}`"),
                ));
            }
        }
        Ok(())
    }

    /// The error for a file without a single element and without damage, when it is one.
    pub(crate) fn missing(&self, warnings: &[Warning]) -> Result<(), DecodeError> {
        if !self.seen && warnings.is_empty() {
            return Err(DecodeError::new(ProblemKind::BadXml, "no xml element in the file"));
        }
        Ok(())
    }
}

/// Points kept without a position because theirs could not be read: how many, and the offset
/// of the first.
#[derive(Debug, Default)]
pub(crate) struct Unreadable {
    count: u64,
    first: Option<u64>,
}

impl Unreadable {
    /// One more such point, at `offset`.
    pub(crate) fn add(&mut self, offset: u64) {
        self.count += 1;
        self.first.get_or_insert(offset);
    }

    /// The warning about them (worded by `message` from their number), when there are any.
    pub(crate) fn warning(&self, message: impl FnOnce(u64) -> String) -> Option<Warning> {
        (self.count > 0).then(|| Warning {
            kind: ProblemKind::BadStructure,
            message: message(self.count),
            offset: self.first,
        })
    }
}

/// The error for XML that yielded nothing: the first warning's reason when there is one.
pub(crate) fn nothing_usable(warnings: &[Warning], what: &str) -> DecodeError {
    match warnings.iter().find(|w| matches!(w.kind, ProblemKind::BadXml | ProblemKind::Truncated)) {
        Some(w) => DecodeError {
            kind: ProblemKind::BadXml,
            message: format!("no usable {what}: {}", w.message),
            offset: w.offset,
        },
        None => DecodeError::new(ProblemKind::NotActivityFile, format!("no {what} in the file")),
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What the GPX and TCX decoders sum over the points they read: how many, how many with a heart
/// rate or a position, the heart rates, the first and last time, the climb.
#[derive(Debug, Default)]
pub(crate) struct Points {
    pub(crate) records: u64,
    pub(crate) with_hr: u64,
    pub(crate) with_position: u64,
    pub(crate) hr_sum: f64,
    pub(crate) max_hr: Option<f64>,
    pub(crate) first_time: Option<f64>,
    pub(crate) last_time: Option<f64>,
    pub(crate) climb: Climb,
}

impl Points {
    /// Counts one point in.
    pub(crate) fn add(&mut self, p: &Sample) {
        self.records += 1;
        if p.lat_deg.is_some() && p.lon_deg.is_some() {
            self.with_position += 1;
        }
        if let Some(hr) = p.heart_rate_bpm {
            self.with_hr += 1;
            self.hr_sum += hr;
            self.max_hr = Some(self.max_hr.map_or(hr, |m: f64| m.max(hr)));
        }
        if let Some(e) = p.altitude_m {
            self.climb.push(e);
        }
        if let Some(t) = p.time_s {
            self.first_time.get_or_insert(t);
            self.last_time = Some(t);
        }
    }

    /// The mean heart rate of the points that have one.
    pub(crate) fn avg_hr(&self) -> Option<f64> {
        (self.with_hr > 0).then(|| self.hr_sum / self.with_hr as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_with_offsets_fractions_and_none() {
        assert_eq!(time("2020-12-27T15:43:49.000+01:00"), Some(1_609_080_229.0));
        assert_eq!(time("2017-10-08T14:54:11Z"), Some(1_507_474_451.0));
        assert_eq!(time(" 2007-08-07T02:42:41 "), Some(1_186_454_561.0));
        assert_eq!(time("Aug  6 2007"), None);
        let t = time("1901-12-13T20:45:52.2073437Z").unwrap_or(0.0);
        assert_eq!(whole_seconds(t), -2_147_483_648);
    }

    #[test]
    fn unbound_prefix_and_leading_whitespace_are_warnings() {
        let text = "  <?xml version=\"1.0\"?><a><b:c>1</b:c></a>";
        let mut r = XmlReader::new(text);
        let mut texts = Vec::new();
        while let Some(node) = r.next_node() {
            if let Node::Text(t) = node {
                texts.push(t);
            }
        }
        assert_eq!(texts, vec!["1"]);
        assert_eq!(r.warnings.len(), 2);
        assert!(r.warnings.iter().all(|w| w.kind == ProblemKind::BadXml));
    }

    #[test]
    fn declared_prefix_is_not_a_warning() {
        let text = "<a xmlns:b=\"x\"><b:c>1</b:c></a>";
        let mut r = XmlReader::new(text);
        while r.next_node().is_some() {}
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn cut_file_is_truncated() {
        let text = "<a><b>1</b><b>2";
        let mut r = XmlReader::new(text);
        while r.next_node().is_some() {}
        assert_eq!(r.warnings.len(), 1);
        assert_eq!(r.warnings[0].kind, ProblemKind::Truncated);
    }
}
