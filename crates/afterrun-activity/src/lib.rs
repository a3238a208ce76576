//! Activity files in, one [`Activity`] out.
//!
//! Every decoder here takes bytes (`&[u8]`) and never touches the file system, the clock or the
//! network: the caller reads files, the decoders turn them into data. That one shape serves the
//! CLI, the server, the archive walker and the fuzzers alike.
//!
//! Damage that still leaves usable data is a [`Warning`] on an otherwise good [`Activity`];
//! only a file that yields nothing usable is a [`DecodeError`].

mod model;

pub mod archive;
mod decode;
pub mod fit;
pub mod geo;
pub mod gpx;
pub mod sniff;
mod sport;
pub mod tcx;
mod xml;

pub use decode::{decode, detect_format};
pub use model::*;
pub use sport::sport_from_name;
