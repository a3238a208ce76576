//! JSON read strictly and cheaply: a key given twice in one object is an error naming its path
//! (serde_json alone would keep the last and silently drop the first, which could drop a red
//! flag), and strings without escapes are borrowed from the text.
//!
//! [`Json`] keeps each object's members in input order; a [`Path`] is built on the stack as the
//! reader descends and written out only when an error names it, so a valid document costs no
//! path text at all.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Marks a duplicate-key error; the path follows it in serde_json's message.
pub const DUPLICATE: &str = "duplicate field ";

/// A JSON document read with [`read`]: members in input order, strings borrowed where they can
/// be.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json keeps it (integer or float).
    Number(Number),
    /// A string.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object: its members in input order, no key twice.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// The same document as a `serde_json::Value` (objects ordered as `Value` orders them).
    pub fn into_value(self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(b),
            Json::Number(n) => Value::Number(n),
            Json::String(s) => Value::String(s.into_owned()),
            Json::Array(items) => Value::Array(items.into_iter().map(Json::into_value).collect()),
            Json::Object(members) => Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k.into_owned(), v.into_value()))
                    .collect::<Map<_, _>>(),
            ),
        }
    }

    /// A view of a `serde_json::Value`, borrowing its strings (members in the `Value`'s order).
    pub fn borrowed(value: &'a Value) -> Json<'a> {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(Cow::Borrowed(s)),
            Value::Array(items) => Json::Array(items.iter().map(Json::borrowed).collect()),
            Value::Object(map) => Json::Object(
                map.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), Json::borrowed(v))).collect(),
            ),
        }
    }

    /// The value as a number, when it is one (as `Value::as_f64`).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => n.as_f64(),
            _ => None,
        }
    }
}

/// Where a value lies in a document, kept on the stack: `symptoms[1].code`.
#[derive(Debug, Clone, Copy)]
pub enum Path<'a> {
    /// The document itself.
    Root,
    /// A member of an object.
    Key(&'a Path<'a>, &'a str),
    /// An element of an array.
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    /// True when the path writes as nothing (the document, or empty keys under it).
    fn is_empty(&self) -> bool {
        match self {
            Path::Root => true,
            Path::Key(parent, key) => key.is_empty() && parent.is_empty(),
            Path::Index(..) => false,
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(parent, key) if parent.is_empty() => f.write_str(key),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// Reads one JSON value from `de`, refusing a key given twice in any object.
pub fn read<'de>(
    de: &mut serde_json::Deserializer<serde_json::de::StrRead<'de>>,
) -> Result<Json<'de>, serde_json::Error> {
    Strict { path: &Path::Root }.deserialize(de)
}

/// Room for an object's members before the first growth: a check-in's objects have a handful.
const MEMBERS_FIRST: usize = 8;

/// Objects up to this many members look for a repeated key by scanning; longer ones by a set.
const SCAN_MEMBERS: usize = 16;

struct Strict<'p> {
    path: &'p Path<'p>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Json<'de>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json<'de>, E> {
        Ok(Number::from_f64(v).map_or(Json::Null, Json::Number))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut out = Vec::new();
        while let Some(v) =
            seq.next_element_seed(Strict { path: &Path::Index(self.path, out.len()) })?
        {
            out.push(v);
        }
        Ok(Json::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut members: Vec<(Cow<'de, str>, Json<'de>)> = Vec::with_capacity(MEMBERS_FIRST);
        let mut seen = BTreeSet::new();
        while let Some(Key(key)) = map.next_key()? {
            let path = Path::Key(self.path, &key);
            if repeated(&members, &mut seen, &key) {
                return Err(A::Error::custom(format_args!("{DUPLICATE}{path}")));
            }
            let value = map.next_value_seed(Strict { path: &path })?;
            members.push((key, value));
        }
        Ok(Json::Object(members))
    }
}

/// Whether `key` is already a member: a scan for small objects, a set (filled on first need)
/// for long ones, so an object of many keys cannot make reading quadratic.
fn repeated(members: &[(Cow<'_, str>, Json<'_>)], seen: &mut BTreeSet<String>, key: &str) -> bool {
    if members.len() < SCAN_MEMBERS {
        return members.iter().any(|(k, _)| k == key);
    }
    if seen.is_empty() {
        seen.extend(members.iter().map(|(k, _)| k.to_string()));
    }
    !seen.insert(key.to_owned())
}

/// An object key, borrowed from the text when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v)))
    }
}

/// A reader of plain JSON without serde, for a caller that reads a document of known shape
/// in one pass: every method answers `None` where serde_json might read otherwise (an escape or
/// control character in a string, `null` where a value is wanted, a negative number, an
/// exponent, more than 15 digits, any syntax error), and the caller then reads the document
/// with [`read`], whose errors are serde_json's.
pub struct Plain<'a> {
    text: &'a str,
    at: usize,
}

/// How many digits a number [`Plain`] reads may have: integers and decimal fractions are then
/// exact before the one rounding (a division by a power of ten), as in serde_json.
const PLAIN_DIGITS: u32 = 15;

impl<'a> Plain<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Plain<'a> {
        Plain { text, at: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Skips white space and takes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    /// Only white space is left.
    pub fn end(mut self) -> Option<()> {
        self.skip_space();
        (self.at == self.text.len()).then_some(())
    }

    /// A string with no escape and no control character, borrowed.
    pub fn string(&mut self) -> Option<&'a str> {
        if !self.eat(b'"') {
            return None;
        }
        let start = self.at;
        let len = crate::compact::plain_len(self.text.as_bytes().get(start..)?);
        if self.text.as_bytes().get(start + len) != Some(&b'"') {
            return None;
        }
        self.at = start + len + 1;
        self.text.get(start..start + len)
    }

    /// `true` or `false`.
    pub fn boolean(&mut self) -> Option<bool> {
        self.skip_space();
        let rest = self.text.get(self.at..)?;
        let (value, len) = if rest.starts_with("true") {
            (true, 4)
        } else if rest.starts_with("false") {
            (false, 5)
        } else {
            return None;
        };
        self.at += len;
        Some(value)
    }

    /// A non-negative number without exponent, as the f64 serde_json gives for it (an integer
    /// converted from `u64`, a fraction divided by its power of ten).
    pub fn number(&mut self) -> Option<f64> {
        self.skip_space();
        let start = self.at;
        let (whole, whole_digits) = self.digits()?;
        if whole_digits > 1 && self.text.as_bytes().get(start) == Some(&b'0') {
            return None;
        }
        let value = if self.peek() == Some(b'.') {
            self.at += 1;
            let (fraction, fraction_digits) = self.digits()?;
            if whole_digits + fraction_digits > PLAIN_DIGITS {
                return None;
            }
            let scale = 10u64.pow(fraction_digits);
            (whole * scale + fraction) as f64 / scale as f64
        } else {
            whole as f64
        };
        (!matches!(self.peek(), Some(b'e' | b'E'))).then_some(value)
    }

    /// A run of at least one digit, at most [`PLAIN_DIGITS`] long: its value and length.
    fn digits(&mut self) -> Option<(u64, u32)> {
        let mut value = 0u64;
        let mut count = 0u32;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            count += 1;
            if count > PLAIN_DIGITS {
                return None;
            }
            value = value * 10 + u64::from(d - b'0');
            self.at += 1;
        }
        (count > 0).then_some((value, count))
    }

    /// An array: `item` reads each element.
    pub fn items(&mut self, mut item: impl FnMut(&mut Plain<'a>) -> Option<()>) -> Option<()> {
        self.list(b'[', b']', |p| item(p))
    }

    /// An object: `member` reads each value after being given its key. A key given twice is
    /// the caller's to refuse.
    pub fn members(
        &mut self,
        mut member: impl FnMut(&mut Plain<'a>, &'a str) -> Option<()>,
    ) -> Option<()> {
        self.list(b'{', b'}', |p| {
            let key = p.string()?;
            if !p.eat(b':') {
                return None;
            }
            member(p, key)
        })
    }

    fn list(
        &mut self,
        open: u8,
        close: u8,
        mut each: impl FnMut(&mut Plain<'a>) -> Option<()>,
    ) -> Option<()> {
        if !self.eat(open) {
            return None;
        }
        if self.eat(close) {
            return Some(());
        }
        loop {
            each(self)?;
            if self.eat(close) {
                return Some(());
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }
}
