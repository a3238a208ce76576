//! Strava's `activities.csv`: one row per activity, with its name, its type and the file it
//! was exported to (`activities/123.fit.gz`).
//!
//! A small CSV reader of our own (RFC 4180: quoted fields, doubled quotes, line breaks inside
//! quotes), because this one file is all the project reads as CSV. Columns are found by their
//! header names, so Strava adding or moving columns does not matter; rows without a file name
//! are skipped.

use std::collections::HashMap;

/// One listed activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    /// The file path as the CSV writes it, relative to the CSV's folder.
    pub file: String,
    /// The activity's name (`Morning Run`).
    pub name: String,
    /// Strava's activity type (`Run`, `Ride`).
    pub kind: String,
}

/// The activities listed in one `activities.csv`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Listed activities, in the CSV's order.
    pub entries: Vec<CatalogEntry>,
    /// Entry index by normalised file name (see [`Catalog::lookup`]), first listed wins.
    index: HashMap<String, usize>,
}

/// The key a file name is found by: without a leading `./` and without a trailing `.gz`.
fn key(name: &str) -> String {
    let name = name.trim().trim_start_matches("./");
    name.strip_suffix(".gz").unwrap_or(name).to_owned()
}

impl Catalog {
    /// A catalog of these entries.
    pub fn new(entries: Vec<CatalogEntry>) -> Self {
        let mut index = HashMap::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            index.entry(key(&e.file)).or_insert(i);
        }
        Catalog { entries, index }
    }

    /// The entry for a file path relative to the CSV's folder, compared without a trailing
    /// `.gz` on either side, since exports sometimes list the decompressed name.
    pub fn lookup(&self, relative: &str) -> Option<&CatalogEntry> {
        self.index.get(&key(relative)).and_then(|&i| self.entries.get(i))
    }
}

/// Parses Strava's `activities.csv`. Never fails: what cannot be read is left out.
pub fn parse_strava_csv(bytes: &[u8]) -> Catalog {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut rows = Rows { chars: text.chars().peekable() };
    let Some(header) = rows.next_row() else { return Catalog::default() };
    let find = |name: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (Some(file_col), name_col, type_col) =
        (find("Filename"), find("Activity Name"), find("Activity Type"))
    else {
        return Catalog::default();
    };
    let mut entries = Vec::new();
    while let Some(row) = rows.next_row() {
        let get = |col: Option<usize>| col.and_then(|c| row.get(c)).cloned().unwrap_or_default();
        let file = get(Some(file_col));
        if file.trim().is_empty() {
            continue;
        }
        entries.push(CatalogEntry {
            file: file.trim().to_owned(),
            name: get(name_col),
            kind: get(type_col),
        });
    }
    Catalog::new(entries)
}

/// Rows of RFC 4180 CSV.
struct Rows<I: Iterator<Item = char>> {
    chars: std::iter::Peekable<I>,
}

impl<I: Iterator<Item = char>> Rows<I> {
    fn next_row(&mut self) -> Option<Vec<String>> {
        self.chars.peek()?;
        let mut row = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut at_field_start = true;
        while let Some(c) = self.chars.next() {
            if quoted {
                if c == '"' {
                    if self.chars.peek() == Some(&'"') {
                        self.chars.next();
                        field.push('"');
                    } else {
                        quoted = false;
                    }
                } else {
                    field.push(c);
                }
                continue;
            }
            match c {
                '"' if at_field_start => {
                    quoted = true;
                    at_field_start = false;
                }
                ',' => {
                    row.push(std::mem::take(&mut field));
                    at_field_start = true;
                }
                '\r' => {}
                '\n' => {
                    row.push(field);
                    return Some(row);
                }
                _ => {
                    field.push(c);
                    at_field_start = false;
                }
            }
        }
        row.push(field);
        Some(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_lookup() {
        let csv = "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Filename\r\n\
                   1,\"Nov 22, 2026\",\"Long \"\"easy\"\" run\",Run,\"two\nlines\",activities/1.fit.gz\r\n\
                   2,x,Commute,Ride,,activities/2.gpx\n\
                   3,x,No file,Run,,\n";
        let c = parse_strava_csv(csv.as_bytes());
        assert_eq!(c.entries.len(), 2);
        assert_eq!(c.entries[0].name, "Long \"easy\" run");
        assert_eq!(c.entries[0].kind, "Run");
        assert_eq!(
            c.lookup("activities/1.fit.gz").map(|e| e.name.as_str()),
            Some("Long \"easy\" run")
        );
        assert_eq!(c.lookup("activities/1.fit").map(|e| e.kind.as_str()), Some("Run"));
        assert_eq!(c.lookup("activities/2.gpx").map(|e| e.kind.as_str()), Some("Ride"));
        assert!(c.lookup("activities/3.gpx").is_none());
    }

    #[test]
    fn no_filename_column_gives_nothing() {
        assert!(parse_strava_csv(b"a,b\n1,2\n").entries.is_empty());
        assert!(parse_strava_csv(b"").entries.is_empty());
    }
}
