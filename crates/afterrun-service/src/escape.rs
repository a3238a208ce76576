//! The one escaping loop of the formats written by hand here (the SVG charts' XML, the
//! calendar's iCalendar TEXT): each format is a table of replacements and the characters it
//! leaves out.

/// `text` with every character the table names replaced by its escape, and every other
/// character that `drop` accepts left out.
pub(crate) fn escape_with(
    text: &str,
    table: &[(char, &str)],
    drop: impl Fn(char) -> bool,
) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if let Some((_, escaped)) = table.iter().find(|(from, _)| *from == c) {
            out.push_str(escaped);
        } else if !drop(c) {
            out.push(c);
        }
    }
    out
}
