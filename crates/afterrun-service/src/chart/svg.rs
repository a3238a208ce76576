//! A minimal SVG writer: elements with numeric coordinates rounded to 0.1 px and text escaped
//! for XML, plus the axis helpers the charts share.

use std::fmt::Write as _;

/// Colours that stay distinguishable for the common colour-vision deficiencies (Okabe–Ito).
pub const PALETTE: [&str; 6] = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];

/// An SVG document being written.
#[derive(Debug, Clone)]
pub struct Svg {
    out: String,
}

/// XML's escapes, for character data and attribute values alike.
const XML: [(char, &str); 5] =
    [('&', "&amp;"), ('<', "&lt;"), ('>', "&gt;"), ('"', "&quot;"), ('\'', "&apos;")];

/// Escapes text for XML character data and attribute values (control characters are left out).
pub fn escape(text: &str) -> String {
    crate::escape::escape_with(text, &XML, char::is_control)
}

/// A coordinate as written: one decimal, no `-0.0`, non-finite values as 0.
pub fn num(x: f64) -> String {
    let x = if x.is_finite() { (x * 10.0).round() / 10.0 } else { 0.0 };
    let x = if x == 0.0 { 0.0 } else { x };
    format!("{x:.1}")
}

impl Svg {
    /// Starts a document `width` × `height` pixels with a white background.
    pub fn new(width: f64, height: f64, title: &str) -> Svg {
        let (w, h) = (num(width), num(height));
        let mut out = String::new();
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
        );
        let _ = writeln!(out, "<title>{}</title>", escape(title));
        let _ = writeln!(out, r##"<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>"##);
        Svg { out }
    }

    /// A straight line.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, width: f64) {
        let _ = writeln!(
            self.out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"/>"#,
            num(x1),
            num(y1),
            num(x2),
            num(y2),
            escape(stroke),
            num(width)
        );
    }

    /// A filled rectangle.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str) {
        let _ = writeln!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0)),
            escape(fill)
        );
    }

    /// A polyline through `points` (non-finite points are skipped).
    pub fn polyline(&mut self, points: &[(f64, f64)], stroke: &str, width: f64) {
        let mut p = String::new();
        for (x, y) in points.iter().filter(|(x, y)| x.is_finite() && y.is_finite()) {
            if !p.is_empty() {
                p.push(' ');
            }
            let _ = write!(p, "{},{}", num(*x), num(*y));
        }
        let _ = writeln!(
            self.out,
            r#"<polyline fill="none" stroke="{}" stroke-width="{}" stroke-linejoin="round" points="{p}"/>"#,
            escape(stroke),
            num(width)
        );
    }

    /// Text; `anchor` is `start`, `middle` or `end`.
    pub fn text(&mut self, x: f64, y: f64, anchor: &str, text: &str) {
        let _ = writeln!(
            self.out,
            r#"<text x="{}" y="{}" text-anchor="{}">{}</text>"#,
            num(x),
            num(y),
            escape(anchor),
            escape(text)
        );
    }

    /// Bold heading text.
    pub fn heading(&mut self, x: f64, y: f64, text: &str) {
        let _ = writeln!(
            self.out,
            r#"<text x="{}" y="{}" font-size="15" font-weight="bold">{}</text>"#,
            num(x),
            num(y),
            escape(text)
        );
    }

    /// Text turned 90° counter-clockwise around its anchor (a y-axis label).
    pub fn vertical_text(&mut self, x: f64, y: f64, text: &str) {
        let (x, y) = (num(x), num(y));
        let _ = writeln!(
            self.out,
            r#"<text x="{x}" y="{y}" text-anchor="middle" transform="rotate(-90 {x} {y})">{}</text>"#,
            escape(text)
        );
    }

    /// Opens a group with a class name (for tests and styling).
    pub fn open_group(&mut self, class: &str) {
        let _ = writeln!(self.out, r#"<g class="{}">"#, escape(class));
    }

    /// Closes the innermost group.
    pub fn close_group(&mut self) {
        self.out.push_str("</g>\n");
    }

    /// Ends the document and returns it.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// A "nice" tick step (1, 2 or 5 × 10^k) near `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let n = raw / mag;
    let nice = if n <= 1.0 {
        1.0
    } else if n <= 2.0 {
        2.0
    } else if n <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// A tick label: an integer when the value is one, else one decimal.
pub fn tick_label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 { format!("{}", v.round() as i64) } else { format!("{v:.1}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_and_numbers() {
        assert_eq!(escape(r#"a<b & "c">"#), "a&lt;b &amp; &quot;c&quot;&gt;");
        assert_eq!(num(-0.04), "0.0");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(f64::NAN), "0.0");
        assert_eq!(nice_step(13.0), 20.0);
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(tick_label(20.0), "20");
        assert_eq!(tick_label(-2.5), "-2.5");
    }
}
