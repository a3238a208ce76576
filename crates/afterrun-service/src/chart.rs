//! Small hand-written SVG charts: `status --plot`, the web status page and the device
//! simulator's trace (`device --plot`, the device page), all through the one writer [`svg`].
//!
//! A chart is a plain string built by [`svg::Svg`]: no dependency, no randomness, fixed
//! number formatting, so the same input gives the same bytes (the tests compare and parse
//! them) and any browser shows the file.

pub mod status;
pub mod svg;
pub mod trace;
