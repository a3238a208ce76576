//! Terminal text for people: plans and guide topics.
//!
//! Renderers read the contract JSON (interfaces.md), not engine internals, so what a person
//! reads is exactly what a script would get from `--json`, only worded. They return a `String`
//! that may hold ANSI styles; the caller writes it through `anstream`, which drops the styles
//! when stdout is not a terminal or `NO_COLOR` is set.

pub mod plan_text;

use anstyle::{AnsiColor, Style};

/// Bold, for headings.
pub const HEADING: Style = Style::new().bold();
/// Dimmed, for codes and ids a person can skip.
pub const DIM: Style = Style::new().dimmed();
/// Bold red, for what must be done now.
pub const ALARM: Style = AnsiColor::Red.on_default().bold();
/// Bold yellow, for a referral that is not urgent.
pub const CAUTION: Style = AnsiColor::Yellow.on_default().bold();
/// Bold green, for self-care.
pub const CALM: Style = AnsiColor::Green.on_default().bold();

/// The text width paragraphs are wrapped to.
pub const WIDTH: usize = 88;

/// `text` in `style`.
pub fn styled(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// Wraps `text` at word boundaries to `WIDTH` columns: the first line starts with `first`, the
/// others with `rest` (usually spaces of the same width). Each line ends with a newline.
pub fn wrap(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = String::from(first);
    let mut line_len = visible_len(first);
    let mut empty = true;
    for word in text.split_whitespace() {
        let len = visible_len(word);
        if !empty && line_len + 1 + len > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = String::from(rest);
            line_len = visible_len(rest);
            empty = true;
        }
        if !empty {
            line.push(' ');
            line_len += 1;
        }
        line.push_str(word);
        line_len += len;
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// The width of `text` on a terminal: characters, not counting ANSI escape sequences.
fn visible_len(text: &str) -> usize {
    let mut len = 0;
    let mut in_escape = false;
    for c in text.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (false, _) => len += 1,
            (true, c) if c.is_ascii_alphabetic() => in_escape = false,
            (true, _) => {}
        }
    }
    len
}

pub use afterrun_service::words::duration_words;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_lines_within_width_and_indents() {
        let text = "word ".repeat(60);
        let out = wrap(&text, "  - ", "    ");
        assert!(out.lines().count() > 2);
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH));
        assert!(out.starts_with("  - word"));
        assert!(out.lines().skip(1).all(|l| l.starts_with("    word")));
    }

    #[test]
    fn wrap_does_not_count_styles() {
        let code = styled(DIM, "[code]");
        assert_eq!(visible_len(&code), 6);
        let text = format!("{} {code}", "x".repeat(WIDTH - 7));
        assert_eq!(wrap(&text, "", "").lines().count(), 1);
    }
}
