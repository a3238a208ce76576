//! Compact JSON's pieces, byte for byte what `serde_json::to_string` writes: strings escaped
//! as serde_json escapes them, integers, floats. The plan's writer (`doc_json`) puts them
//! together.
//!
//! The plan's text is long and almost never needs an escape, so each string is checked in one
//! wide pass and copied whole, where serde_json looks up and branches on every byte; a
//! `&'static str` of the planner's tables found clean once is not checked again.

use std::borrow::Cow;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Appends a sentence or code of the plan with JSON's escapes (no quotes): a `&'static str`
/// through the cache of clean strings.
#[expect(clippy::ptr_arg, reason = "whether the text is borrowed is what this reads")]
pub fn text_into(out: &mut String, text: &Cow<'static, str>) {
    match text {
        Cow::Borrowed(s) => fixed_into(out, s),
        Cow::Owned(s) => escape_into(out, s),
    }
}

/// Appends an unsigned integer in decimal: its last two digits copied from a table, after the
/// digits before them (a plan's numbers are mostly one to four digits).
pub fn integer_into(out: &mut String, v: u64) {
    if v < 10 {
        out.push(char::from(b'0' + v as u8));
        return;
    }
    if v >= 100 {
        integer_into(out, v / 100);
    }
    let at = 2 * (v % 100) as usize;
    out.push_str(DIGIT_PAIRS.get(at..at + 2).unwrap_or("00"));
}

/// `00`, `01`, … `99`: the two digits of `n` at `2 n`.
const DIGIT_PAIRS: &str = match std::str::from_utf8(&digit_pairs()) {
    Ok(pairs) => pairs,
    Err(_) => panic!("digits are ASCII"),
};

const fn digit_pairs() -> [u8; 200] {
    let mut bytes = [0u8; 200];
    let mut n = 0;
    while n < 100 {
        bytes[2 * n] = b'0' + (n / 10) as u8;
        bytes[2 * n + 1] = b'0' + (n % 10) as u8;
        n += 1;
    }
    bytes
}

/// Room on the stack for one float's JSON: the longest form (`-1.7976931348623157e308`) fits.
const FLOAT_ROOM: usize = 32;

/// Whole numbers below this are written by [`float_into`] as an integer and `.0`, the form
/// serde_json gives them (it switches to an exponent only from 1e16).
const WHOLE_BELOW: f64 = 1e9;

/// Appends a float as serde_json writes it (shortest round-trip form, `null` when not finite):
/// the plan's frequencies and amplitudes are whole numbers, written without the float printer.
pub fn float_into(out: &mut String, v: f64) {
    // A cast and back, not `fract` (a libm call where the target has no rounding instruction).
    let whole = v.abs() as u64;
    if v.abs() < WHOLE_BELOW && whole as f64 == v.abs() {
        if v.is_sign_negative() {
            out.push('-');
        }
        integer_into(out, whole);
        out.push_str(".0");
        return;
    }
    let mut buf = [0u8; FLOAT_ROOM];
    let mut rest = &mut buf[..];
    let written = serde_json::to_writer(&mut rest, &v).ok().map(|()| FLOAT_ROOM - rest.len());
    match written.and_then(|n| buf.get(..n)).and_then(|b| std::str::from_utf8(b).ok()) {
        Some(text) => out.push_str(text),
        None => out.push_str("null"),
    }
}

/// Appends `s` with JSON's escapes (serde_json's: `\"`, `\\`, `\b \f \n \r \t`, other control
/// characters as `\u00XX`). The check runs over every byte without branching (the compiler
/// makes it wide), and a string that needs no escape, nearly every one, is copied whole.
fn escape_into(out: &mut String, s: &str) {
    if !any_needs_escape(s.as_bytes()) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match u8::try_from(c) {
            Ok(b) if needs_escape(b) => push_escape(out, b),
            _ => out.push(c),
        }
    }
}

/// Slots of [`CLEAN`]: more than the planner's tables hold fixed strings that share one.
const CLEAN_SLOTS: usize = 1024;

/// `&'static str`s found to need no escape, each as its address and length in one word
/// (its bytes can never change, so what was found once holds for the life of the process).
/// A string is kept in one of [`CLEAN_PROBES`] slots from the one its address maps to (the
/// first empty one, else the first): a plan's strings rarely meet a full set, and a miss costs
/// one check of the string.
static CLEAN: [AtomicU64; CLEAN_SLOTS] = [const { AtomicU64::new(0) }; CLEAN_SLOTS];

/// How many slots from the one its address maps to a clean string may be kept in.
const CLEAN_PROBES: usize = 4;

/// The first slot and the word of a `&'static str` in [`CLEAN`] (none above 48-bit addresses
/// or 64 KB): Fibonacci hashing of the address.
fn clean_slot(s: &str) -> Option<(usize, u64)> {
    let addr = u64::try_from(s.as_ptr().addr()).ok().filter(|a| a >> 48 == 0)?;
    let len = u64::try_from(s.len()).ok().filter(|l| (1..1 << 16).contains(l))?;
    let index = addr.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - CLEAN_SLOTS.trailing_zeros());
    Some((usize::try_from(index).ok()?, addr << 16 | len))
}

/// The slots a string of [`clean_slot`] may be kept in.
fn clean_probes(first: usize) -> impl Iterator<Item = &'static AtomicU64> {
    (first..first + CLEAN_PROBES).filter_map(|i| CLEAN.get(i % CLEAN_SLOTS))
}

/// Appends a `&'static str` with JSON's escapes, copying it whole without a check when it
/// was found clean before.
fn fixed_into(out: &mut String, s: &str) {
    let Some((first, word)) = clean_slot(s) else {
        return escape_into(out, s);
    };
    if clean_probes(first).any(|slot| slot.load(Ordering::Relaxed) == word) {
        out.push_str(s);
        return;
    }
    if !any_needs_escape(s.as_bytes()) {
        let empty = clean_probes(first).find(|slot| slot.load(Ordering::Relaxed) == 0);
        if let Some(slot) = empty.or_else(|| CLEAN.get(first)) {
            slot.store(word, Ordering::Relaxed);
        }
    }
    escape_into(out, s);
}

/// Slots of [`RENDERED`]: more than the planner's tables hold fixed lists and references.
const RENDERED_SLOTS: usize = 256;

/// What a piece of JSON was written from: the address and length of each `&'static` part
/// (unused parts zero). `&'static` data can never change, so equal keys mean equal JSON.
type Key = [usize; 4];

/// Pieces of JSON written from `&'static` parts of a plan (a step's fixed instructions and
/// evidence, a reference), each in the slot its key maps to. A slot keeps the first piece
/// written there for the life of the process, and a piece whose slot is taken is written anew
/// each time: at most [`RENDERED_SLOTS`] small strings are kept.
static RENDERED: [OnceLock<(Key, Box<str>)>; RENDERED_SLOTS] =
    [const { OnceLock::new() }; RENDERED_SLOTS];

/// How many slots from the one its key maps to a piece may be kept in.
const PROBES: usize = 4;

/// Appends the JSON `write` writes for `key`: a copy of it after the first time.
fn rendered_into(out: &mut String, key: Key, write: impl Fn(&mut String)) {
    // Fibonacci hashing: the top bits of the key's words mixed by one multiplication.
    let hash = key.iter().fold(0u64, |h, &k| (h ^ k as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let first = (hash >> (64 - RENDERED_SLOTS.trailing_zeros())) as usize;
    for probe in 0..PROBES {
        let Some(slot) = RENDERED.get((first + probe) % RENDERED_SLOTS) else { break };
        let (k, json) = slot.get_or_init(|| {
            let mut json = String::new();
            write(&mut json);
            (key, json.into_boxed_str())
        });
        if *k == key {
            out.push_str(json);
            return;
        }
    }
    write(out);
}

/// The key part of a `&'static str`.
fn static_key(s: &'static str) -> [usize; 2] {
    [s.as_ptr().addr(), s.len()]
}

/// Appends a `&'static` list of texts as a JSON array: one copy once written.
pub fn fixed_list_into(out: &mut String, items: &'static [Cow<'static, str>]) {
    let key = [items.as_ptr().addr(), items.len(), 0, 0];
    rendered_into(out, key, |out| list_into(out, items));
}

/// Appends `{"id":…,"citation":…}`: one copy once written when both are `&'static str`s.
#[expect(clippy::ptr_arg, reason = "whether the texts are borrowed is what this reads")]
pub fn reference_into(out: &mut String, id: &Cow<'static, str>, citation: &Cow<'static, str>) {
    let write = |out: &mut String| {
        out.push_str("{\"id\":\"");
        text_into(out, id);
        out.push_str("\",\"citation\":\"");
        text_into(out, citation);
        out.push_str("\"}");
    };
    match (id, citation) {
        (Cow::Borrowed(i), Cow::Borrowed(c)) => {
            let ([a, b], [c, d]) = (static_key(i), static_key(c));
            rendered_into(out, [a, b, c, d], write);
        }
        _ => write(out),
    }
}

/// Appends a list of texts as a JSON array, each escaped.
pub fn list_into(out: &mut String, items: &[Cow<'static, str>]) {
    out.push('[');
    for (i, text) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        text_into(out, text);
        out.push('"');
    }
    out.push(']');
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any byte needs an escape, eight bytes a step with no branch inside a step. The last
/// step reads the last eight bytes (overlapping the one before); a shorter text is read as its
/// first and last four bytes: keys and codes cost one step, sentences little more.
fn any_needs_escape(bytes: &[u8]) -> bool {
    let word = |w: &[u8; 8]| escape_bits(u64::from_le_bytes(*w));
    if let Some(last) = bytes.last_chunk::<8>() {
        let (words, _) = bytes.as_chunks::<8>();
        return words.iter().fold(word(last), |bits, w| bits | word(w)) != 0;
    }
    if let (Some(head), Some(tail)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        let both =
            u64::from(u32::from_le_bytes(*head)) << 32 | u64::from(u32::from_le_bytes(*tail));
        return escape_bits(both) != 0;
    }
    bytes.iter().any(|&b| needs_escape(b))
}

/// How many bytes of `bytes` come before the first that JSON must escape (`"`, `\\` or a
/// control character), eight a step.
pub fn plain_len(bytes: &[u8]) -> usize {
    let (words, rest) = bytes.as_chunks::<8>();
    for (i, w) in words.iter().enumerate() {
        let bits = escape_bits(u64::from_le_bytes(*w));
        if bits != 0 {
            return i * 8 + (bits.trailing_zeros() / 8) as usize;
        }
    }
    let done = words.len() * 8;
    done + rest.iter().position(|&b| needs_escape(b)).unwrap_or(rest.len())
}

/// A high bit set in some byte when one of the eight bytes is below 0x20, `"` or `\`
/// (the classic "has a byte less than n" and "has a zero byte" tests).
fn escape_bits(word: u64) -> u64 {
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let zero_in = |v: u64| v.wrapping_sub(ONES) & !v;
    (below_space | zero_in(word ^ (ONES * 0x22)) | zero_in(word ^ (ONES * 0x5c))) & HIGHS
}

fn needs_escape(b: u8) -> bool {
    (b < 0x20) | (b == b'"') | (b == b'\\')
}

fn push_escape(out: &mut String, b: u8) {
    let short = match b {
        b'"' => "\\\"",
        b'\\' => "\\\\",
        0x08 => "\\b",
        0x0c => "\\f",
        b'\n' => "\\n",
        b'\r' => "\\r",
        b'\t' => "\\t",
        _ => "",
    };
    if !short.is_empty() {
        out.push_str(short);
        return;
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\u00");
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 0x0f)]));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(s: &str) -> String {
        let mut out = String::from('"');
        escape_into(&mut out, s);
        out.push('"');
        out
    }

    #[test]
    fn every_character_escapes_as_serde_json_escapes_it() {
        for c in (0u32..0x300).filter_map(char::from_u32) {
            for s in [c.to_string(), format!("abcdefgh{c}ijklmnopq"), format!("{c}{c}xyz{c}")] {
                assert_eq!(quoted(&s), serde_json::to_string(&s).unwrap(), "{c:?}");
            }
        }
    }

    #[test]
    fn fixed_text_is_written_as_serde_json_writes_it() {
        let texts = [
            Cow::Borrowed("A sentence of the tables, long enough to take several words."),
            Cow::Borrowed("a \"quoted\" word\n"),
            Cow::Borrowed(""),
            Cow::Owned(String::from("owned \\ text")),
        ];
        // The second round finds the clean strings in the cache of checked ones.
        for _ in 0..2 {
            for t in &texts {
                let mut out = String::from('"');
                text_into(&mut out, t);
                out.push('"');
                assert_eq!(out, serde_json::to_string(t).unwrap());
            }
        }
    }

    #[test]
    fn fixed_lists_and_references_are_written_as_serde_json_writes_them() {
        static LIST: [Cow<'static, str>; 3] =
            [Cow::Borrowed("plain"), Cow::Borrowed("with \"quotes\"\n"), Cow::Borrowed("")];
        // More lists than the cache has room for: the ones it cannot keep are written anew.
        let many: Vec<&'static [Cow<'static, str>]> = (0..RENDERED_SLOTS + 50)
            .map(|i| &*Vec::leak(vec![Cow::Owned(format!("list {i}")), Cow::Borrowed("\t")]))
            .collect();
        let lists = std::iter::once(&LIST[..]).chain(many.iter().copied());
        for _ in 0..2 {
            for list in lists.clone() {
                let mut out = String::new();
                fixed_list_into(&mut out, list);
                assert_eq!(out, serde_json::to_string(list).unwrap());
            }
        }
        let id = Cow::Borrowed("id-2020");
        for citation in [Cow::Borrowed("A \\ citation."), Cow::Owned(String::from("Owned \""))] {
            for _ in 0..2 {
                let mut out = String::new();
                reference_into(&mut out, &id, &citation);
                let want = crate::doc::ReferenceDoc { id: id.clone(), citation: citation.clone() };
                assert_eq!(out, serde_json::to_string(&want).unwrap());
            }
        }
    }

    #[test]
    fn the_plain_length_stops_at_the_first_byte_to_escape() {
        for len in 0..24 {
            for c in ['"', '\\', '\n', '\u{1}', 'a', '\u{e9}'] {
                let s = format!("{}{c}{}", "x".repeat(len), "\"y".repeat(3));
                let want = s.bytes().position(needs_escape).unwrap_or(s.len());
                assert_eq!(plain_len(s.as_bytes()), want, "{s:?}");
            }
        }
    }

    #[test]
    fn numbers_are_serde_jsons() {
        let powers = (0..20).flat_map(|e| {
            let p = 10u64.pow(e);
            [p - 1, p, p + 1, p.saturating_mul(7).saturating_add(3)]
        });
        let small = 0..=12_345;
        for v in small.chain(powers).chain([u64::from(u32::MAX), u64::MAX - 1, u64::MAX]) {
            let mut out = String::new();
            integer_into(&mut out, v);
            assert_eq!(out, v.to_string());
        }
        let whole = [30.0, -7.0, 123_456_789.0, 999_999_999.0, 1e9, 1e15, 1e16, -1e16];
        let others = [0.1, 1.5, -2.5, 1e300, -1.797_693_134_862_315_7e308, 5e-324];
        let not_finite = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
        for v in [0.0, -0.0, 1.0, 25.0].iter().chain(&whole).chain(&others).chain(&not_finite) {
            let v = *v;
            let mut out = String::new();
            float_into(&mut out, v);
            assert_eq!(out, serde_json::to_string(&v).unwrap());
        }
    }
}
