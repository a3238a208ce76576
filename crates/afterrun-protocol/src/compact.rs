//! Compact JSON out of any `Serialize` value, byte for byte what `serde_json::to_string`
//! writes, straight into one pre-sized `String`.
//!
//! The plan's text is long and almost never needs an escape, so each string is checked in one
//! wide pass and copied whole, where serde_json looks up and branches on every byte. Numbers other than
//! integers, and anything this writer does not know (a map key that is not a string), are left
//! to serde_json: [`to_string`] then answers with serde_json's own bytes.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::ser::{self, Serialize};

/// Writes `value` as compact JSON, reserving `capacity` bytes first.
pub fn to_string<T: Serialize + ?Sized>(value: &T, capacity: usize) -> String {
    let mut writer = Compact { out: String::with_capacity(capacity), fixed: false };
    match value.serialize(&mut writer) {
        Ok(()) => writer.out,
        // Cannot fail for the plan's types; serde_json's answer otherwise (same bytes or its error).
        Err(Unsupported) => serde_json::to_string(value).unwrap_or_else(|_| String::from("{}")),
    }
}

/// What this writer leaves to serde_json.
#[derive(Debug)]
pub struct Unsupported;

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to serde_json")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(_: T) -> Unsupported {
        Unsupported
    }
}

struct Compact {
    out: String,
    /// The string being written is a `&'static str` ([`FIXED`]).
    fixed: bool,
}

/// Room on the stack for one float's JSON.
const FLOAT_ROOM: usize = 32;

impl Compact {
    fn string(&mut self, s: &str) {
        self.out.push('"');
        if std::mem::take(&mut self.fixed) {
            fixed_into(&mut self.out, s);
        } else {
            escape_into(&mut self.out, s);
        }
        self.out.push('"');
    }

    fn integer(&mut self, negative: bool, mut v: u64) {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        for slot in digits.iter_mut().rev() {
            *slot = b'0' + (v % 10) as u8;
            start -= 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        if negative {
            self.out.push('-');
        }
        for &d in digits.get(start..).unwrap_or_default() {
            self.out.push(char::from(d));
        }
    }

    /// A float as serde_json writes it (shortest round-trip form, `null` when not finite),
    /// through a buffer on the stack: the longest form (`-1.7976931348623157e308`) fits.
    fn float<T: Serialize>(&mut self, v: T) -> Result<(), Unsupported> {
        let mut buf = [0u8; FLOAT_ROOM];
        let mut rest = &mut buf[..];
        serde_json::to_writer(&mut rest, &v).map_err(|_| Unsupported)?;
        let written = FLOAT_ROOM - rest.len();
        let text = buf.get(..written).and_then(|b| std::str::from_utf8(b).ok());
        self.out.push_str(text.ok_or(Unsupported)?);
        Ok(())
    }

    fn open(&mut self, bracket: char, close: &'static str) -> Compound<'_> {
        self.out.push(bracket);
        Compound { writer: self, first: true, close }
    }

    /// `{"variant":` before the value of an externally tagged variant.
    fn tag(&mut self, variant: &str) {
        self.out.push('{');
        self.string(variant);
        self.out.push(':');
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

/// The newtype name under which [`text`] and [`texts`] hand over a `&'static str`: every
/// serializer writes the string inside, and this writer checks such a string for escapes once
/// per process rather than once per plan.
pub const FIXED: &str = "afterrun_protocol::compact::Fixed";

/// A plan's sentence or code: a `&'static str` of the planner's tables goes out as [`FIXED`].
struct Fixed<'a>(&'a Cow<'static, str>);

impl Serialize for Fixed<'_> {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Cow::Borrowed(text) => s.serialize_newtype_struct(FIXED, *text),
            Cow::Owned(text) => s.serialize_str(text),
        }
    }
}

/// `serialize_with` for a sentence or code of the plan (`plan::Text`, `doc::Code`).
#[expect(clippy::ptr_arg, reason = "whether the text is borrowed is what this reads")]
pub fn text<S: ser::Serializer>(t: &Cow<'static, str>, s: S) -> Result<S::Ok, S::Error> {
    Fixed(t).serialize(s)
}

/// `serialize_with` for a list of sentences or codes.
pub fn texts<S: ser::Serializer>(list: &[Cow<'static, str>], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(list.iter().map(Fixed))
}

/// Slots of [`CLEAN`]: more than the planner's tables hold fixed strings that share one.
const CLEAN_SLOTS: usize = 1024;

/// `&'static str`s found to need no escape, each as its address and length in one word
/// (its bytes can never change, so what was found once holds for the life of the process).
/// A slot is overwritten by the next clean string that maps to it; a miss costs one check.
static CLEAN: [AtomicU64; CLEAN_SLOTS] = [const { AtomicU64::new(0) }; CLEAN_SLOTS];

/// The slot and the word of a `&'static str` in [`CLEAN`] (none above 48-bit addresses or
/// 64 KB).
fn clean_slot(s: &str) -> Option<(&'static AtomicU64, u64)> {
    let addr = u64::try_from(s.as_ptr().addr()).ok().filter(|a| a >> 48 == 0)?;
    let len = u64::try_from(s.len()).ok().filter(|l| (1..1 << 16).contains(l))?;
    let index = usize::try_from((addr ^ addr >> 10) >> 3).ok()? % CLEAN_SLOTS;
    Some((CLEAN.get(index)?, addr << 16 | len))
}

/// Appends a `&'static str` with JSON's escapes, copying it whole without a check when it
/// was found clean before.
fn fixed_into(out: &mut String, s: &str) {
    let Some((slot, word)) = clean_slot(s) else {
        return escape_into(out, s);
    };
    if slot.load(Ordering::Relaxed) == word {
        out.push_str(s);
        return;
    }
    if !any_needs_escape(s.as_bytes()) {
        slot.store(word, Ordering::Relaxed);
    }
    escape_into(out, s);
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

/// Escapes what `Display` writes into it (`collect_str`).
struct Escaping<'a>(&'a mut String);

impl fmt::Write for Escaping<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        escape_into(self.0, s);
        Ok(())
    }
}

/// An array, object or struct being written: commas between members, `close` at the end.
struct Compound<'a> {
    writer: &'a mut Compact,
    first: bool,
    close: &'static str,
}

impl Compound<'_> {
    fn comma(&mut self) {
        if !self.first {
            self.writer.out.push(',');
        }
        self.first = false;
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.comma();
        value.serialize(&mut *self.writer)
    }

    /// A struct's field; a key that needs no escape (every field name of the plan) is copied
    /// whole between quotes pushed one byte each (a call to copy one or two bytes costs more).
    fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.comma();
        let out = &mut self.writer.out;
        if any_needs_escape(key.as_bytes()) {
            self.writer.string(key);
        } else {
            out.push('"');
            out.push_str(key);
            out.push('"');
        }
        self.writer.out.push(':');
        value.serialize(&mut *self.writer)
    }

    fn finish(self) -> Result<(), Unsupported> {
        self.writer.out.push_str(self.close);
        Ok(())
    }
}

impl<'a> ser::Serializer for &'a mut Compact {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Unsupported> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Unsupported> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Unsupported> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Unsupported> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), Unsupported> {
        self.integer(v < 0, v.unsigned_abs());
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Unsupported> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Unsupported> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Unsupported> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Unsupported> {
        self.integer(false, v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Unsupported> {
        self.float(v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Unsupported> {
        self.float(v)
    }
    fn serialize_char(self, v: char) -> Result<(), Unsupported> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Unsupported> {
        let mut seq = self.open('[', "]");
        for b in v {
            seq.element(b)?;
        }
        seq.finish()
    }
    fn serialize_none(self) -> Result<(), Unsupported> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Unsupported> {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unsupported> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Unsupported> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.fixed = name == FIXED;
        value.serialize(&mut *self)?;
        self.fixed = false;
        Ok(())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.tag(variant);
        value.serialize(&mut *self)?;
        self.out.push('}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Unsupported> {
        Ok(self.open('[', "]"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>, Unsupported> {
        Ok(self.open('[', "]"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Unsupported> {
        Ok(self.open('[', "]"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Unsupported> {
        self.tag(variant);
        Ok(self.open('[', "]}"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Unsupported> {
        Ok(self.open('{', "}"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Unsupported> {
        Ok(self.open('{', "}"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Unsupported> {
        self.tag(variant);
        Ok(self.open('{', "}}"))
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), Unsupported> {
        self.out.push('"');
        write!(Escaping(&mut self.out), "{value}").map_err(|_| Unsupported)?;
        self.out.push('"');
        Ok(())
    }
}

macro_rules! sequence {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Unsupported;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
                self.element(value)
            }
            fn end(self) -> Result<(), Unsupported> {
                self.finish()
            }
        }
    )*};
}

sequence!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Unsupported;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Unsupported> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), Unsupported> {
                self.finish()
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

/// Map keys must write as JSON strings; anything else is left to serde_json.
impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        self.comma();
        let at = self.writer.out.len();
        key.serialize(&mut *self.writer)?;
        if !self.writer.out.get(at..).is_some_and(|k| k.starts_with('"')) {
            return Err(Unsupported);
        }
        self.writer.out.push(':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_escapes_as_serde_json_escapes_it() {
        for c in (0u32..0x300).filter_map(char::from_u32) {
            for s in [c.to_string(), format!("abcdefgh{c}ijklmnopq"), format!("{c}{c}xyz{c}")] {
                assert_eq!(to_string(&s, 0), serde_json::to_string(&s).unwrap(), "{c:?}");
            }
        }
    }

    #[test]
    fn fixed_text_is_written_as_serde_json_writes_it() {
        #[derive(serde::Serialize)]
        struct Doc {
            #[serde(serialize_with = "texts")]
            all: Vec<Cow<'static, str>>,
            #[serde(serialize_with = "text")]
            one: Cow<'static, str>,
        }
        let doc = Doc {
            all: vec![
                Cow::Borrowed("A sentence of the tables, long enough to take several words."),
                Cow::Borrowed("a \"quoted\" word\n"),
                Cow::Borrowed(""),
                Cow::Owned(String::from("owned \\ text")),
            ],
            one: Cow::Borrowed("short"),
        };
        // The second round finds the clean strings in the cache of checked ones.
        for _ in 0..2 {
            assert_eq!(to_string(&doc, 0), serde_json::to_string(&doc).unwrap());
        }
    }

    #[test]
    fn scalars_and_shapes_are_serde_jsons() {
        let value = serde_json::json!({
            "a": [1, -2, 0, u64::MAX, i64::MIN, 1.5, -0.0, 1e300, true, null, "x\"y"],
            "b": {"c": [], "d": {}}, "€": "snow ☃ \u{1f600}"
        });
        assert_eq!(to_string(&value, 8), serde_json::to_string(&value).unwrap());
        let pairs: Vec<(u8, Option<f32>)> = vec![(1, Some(0.1)), (255, None)];
        assert_eq!(to_string(&pairs, 8), serde_json::to_string(&pairs).unwrap());
        let numbered: std::collections::BTreeMap<u32, bool> = [(1, true)].into();
        assert_eq!(to_string(&numbered, 8), serde_json::to_string(&numbered).unwrap());
    }
}
