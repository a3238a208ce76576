//! Activity files in, one [`Activity`] out.
//!
//! Every decoder here takes bytes (`&[u8]`) and never touches the file system, the clock or the
//! network: the caller reads files, the decoders turn them into data. That one shape serves the
//! CLI, the server, the archive walker and the fuzzers alike.
//!
//! Damage that still leaves usable data is a [`Warning`] on an otherwise good [`Activity`];
//! only a file that yields nothing usable is a [`DecodeError`].

mod model;

pub use model::*;
