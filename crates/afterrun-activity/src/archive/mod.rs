//! Walking archives: `.zip` (nested, as in Garmin's export), `.gz` (`.fit.gz`, `.gpx.gz`),
//! `.tar.gz`, and Strava's `activities.csv`.
//!
//! The walker reads from any `Read + Seek` source the caller opened (a file, or bytes in a
//! [`std::io::Cursor`]) and hands each member to a visitor as it is decompressed, one at a time:
//! the bytes of a member are dropped before the next one is read, so memory does not grow with
//! the archive. A nested archive is read into memory as one member (bounded by the limits), then
//! walked the same way.
//!
//! Archives come from strangers: [`Limits`] bound the number of entries, the bytes decompressed
//! in total and per member, and the compression ratio (a zip bomb is refused with a clear
//! message, never decompressed to the end). A member that cannot be read is reported and the walk
//! goes on; only an archive whose directory cannot be read at all fails as a whole.
//!
//! Containers are recognised by their bytes (`PK\x03\x04`, gzip's `1f 8b`, `ustar` at 257), not
//! by their names. Inside an archive, members whose names say FIT, GPX, TCX or archive are always
//! reported; other members are reported only when their first bytes sniff as one of those.

mod csv;

use std::io::{self, Read, Seek, SeekFrom};

pub use csv::{Catalog, CatalogEntry, parse_strava_csv};

use crate::model::{DecodeError, ProblemKind};
use crate::sniff::{XML_SNIFF_LIMIT, format_from_name, sniff};

/// Bounds on what one walk may decompress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Entries in one archive (files and folders), checked before anything is decompressed.
    pub max_entries: u64,
    /// Bytes decompressed by the whole walk, nested archives included.
    pub max_total_bytes: u64,
    /// Bytes one member may decompress to.
    pub max_member_bytes: u64,
    /// Decompressed/compressed ratio one member may reach, once past [`Limits::ratio_floor`].
    pub max_ratio: u64,
    /// Below this many decompressed bytes the ratio is not checked (tiny files compress well).
    pub ratio_floor: u64,
    /// Archives inside archives, counting the outer one.
    pub max_depth: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 200_000,
            max_total_bytes: 64 << 30,
            max_member_bytes: 1 << 30,
            max_ratio: 200,
            ratio_floor: 4 << 20,
            max_depth: 6,
        }
    }
}

/// What the walker hands to its visitor.
#[derive(Debug)]
pub enum Entry<'a> {
    /// A file to decode: its display path (`a.zip!/b/c.fit`) and its decompressed bytes.
    File {
        /// Display path of the member.
        path: &'a str,
        /// The member's bytes (gzip already removed).
        bytes: &'a [u8],
    },
    /// A member that could not be read; the walk goes on.
    Failed {
        /// Display path of the member.
        path: &'a str,
        /// Why it could not be read.
        error: DecodeError,
    },
    /// Strava's `activities.csv`: names and types for the files it lists, whose paths are
    /// relative to `base` (the display path of the folder holding the CSV, ending in `/`).
    Catalog {
        /// Display path prefix the CSV's file names are relative to.
        base: &'a str,
        /// The parsed list.
        catalog: Catalog,
    },
}

/// What kind of container some bytes start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// A zip archive.
    Zip,
    /// A gzip stream (a single file, or a tar inside).
    Gzip,
    /// A plain tar archive.
    Tar,
}

/// The container the first bytes of a file announce (at least 262 bytes are needed to see a
/// tar).
pub fn container(head: &[u8]) -> Option<Container> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(Container::Zip)
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Some(Container::Gzip)
    } else if head.len() >= 262 && &head[257..262] == b"ustar" {
        Some(Container::Tar)
    } else {
        None
    }
}

/// Whether a file name says it is an activity file (`.fit`, `.gpx`, `.tcx`, also gzipped) or an
/// archive (`.zip`, `.gz`, `.tgz`, `.tar`). Other files in folders and archives are looked at
/// only when their first bytes sniff as one of those.
pub fn interesting_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    format_from_name(&lower).is_some()
        || lower.ends_with(".zip")
        || lower.ends_with(".gz")
        || lower.ends_with(".tgz")
        || lower.ends_with(".tar")
}

/// Whether a file is Strava's `activities.csv` (by its base name, case-insensitive).
pub fn is_strava_csv(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.eq_ignore_ascii_case("activities.csv")
}

/// Walks one input: an archive is walked member by member, a `.gz` of one file gives that file,
/// anything else is handed over as one file named `name`.
///
/// Returns an error only when the input as a whole cannot be walked (an unreadable zip
/// directory, too many entries, the total limit reached); members that fail are reported to
/// `visit` as [`Entry::Failed`].
pub fn walk<R: Read + Seek>(
    name: &str,
    reader: R,
    limits: &Limits,
    visit: &mut dyn FnMut(Entry<'_>),
) -> Result<(), DecodeError> {
    walk_reusing(name, reader, limits, &mut Vec::new(), visit)
}

/// [`walk`], with a plain file read into `buffer` (emptied first) rather than into a new
/// allocation: a caller walking thousands of files reuses one buffer, which then stays as large
/// as the largest file it held.
pub fn walk_reusing<R: Read + Seek>(
    name: &str,
    mut reader: R,
    limits: &Limits,
    buffer: &mut Vec<u8>,
    visit: &mut dyn FnMut(Entry<'_>),
) -> Result<(), DecodeError> {
    buffer.clear();
    (&mut reader).take(512).read_to_end(buffer).map_err(io_error)?;
    match container(buffer) {
        Some(kind) => {
            reader.seek(SeekFrom::Start(0)).map_err(io_error)?;
            let budget = Budget { left: limits.max_total_bytes };
            Walk { limits, budget, visit }.container(name, kind, reader, 1)
        }
        None => {
            // A plain file: held whole (the decoders take bytes), up to the member limit. Its
            // first bytes are already in the buffer: the rest follows them, no seek back.
            let left =
                limits.max_member_bytes.saturating_add(1).saturating_sub(buffer.len() as u64);
            (&mut reader).take(left).read_to_end(buffer).map_err(io_error)?;
            if buffer.len() as u64 > limits.max_member_bytes {
                return Err(DecodeError::new(
                    ProblemKind::Unsupported,
                    format!("file refused: larger than {} bytes", limits.max_member_bytes),
                ));
            }
            visit(Entry::File { path: name, bytes: buffer });
            Ok(())
        }
    }
}

/// Bytes the walk may still decompress.
#[derive(Debug)]
struct Budget {
    left: u64,
}

/// One walk over an input: its limits, what it may still decompress, and where each entry goes.
struct Walk<'w> {
    limits: &'w Limits,
    budget: Budget,
    visit: &'w mut dyn FnMut(Entry<'_>),
}

impl Walk<'_> {
    fn container<R: Read + Seek>(
        &mut self,
        name: &str,
        kind: Container,
        mut reader: R,
        depth: u32,
    ) -> Result<(), DecodeError> {
        if depth > self.limits.max_depth {
            return Err(refused(format!(
                "archives nested deeper than {} levels",
                self.limits.max_depth
            )));
        }
        match kind {
            Container::Zip => self.zip(name, reader, depth),
            Container::Tar => self.tar_stream(name, reader, depth),
            Container::Gzip => {
                let compressed = reader.stream_len_hint();
                let gz = flate2::read::GzDecoder::new(Tail::new(reader));
                // The whole budget while we look: a tar inside may be large; a single file is held
                // to the member limit once we know it is one.
                let mut bounded = Bounded::new(gz, self.budget.left, compressed, self.limits);
                let mut head = [0u8; 512];
                let n = read_up_to(&mut bounded, &mut head)
                    .map_err(|e| member_error(&e, bounded.gzip_crc_fails()))?;
                if container(&head[..n]) == Some(Container::Tar) {
                    let chained = io::Cursor::new(head[..n].to_vec()).chain(bounded);
                    return self.tar_stream(name, chained, depth);
                }
                bounded.limit = member_limit(self.limits, &self.budget, compressed);
                let mut bytes = head[..n].to_vec();
                let read = bounded.read_to_end(&mut bytes);
                self.budget.left = self.budget.left.saturating_sub(bytes.len() as u64);
                match read {
                    Ok(_) => {
                        self.hand_over(name, &bytes, depth);
                        Ok(())
                    }
                    Err(e) => {
                        let error = member_error(&e, bounded.gzip_crc_fails());
                        if depth == 1 {
                            return Err(error);
                        }
                        (self.visit)(Entry::Failed { path: name, error });
                        Ok(())
                    }
                }
            }
        }
    }

    /// Hands a decompressed member over: a nested archive is walked, anything else is a file.
    fn hand_over(&mut self, path: &str, bytes: &[u8], depth: u32) {
        match container(bytes) {
            Some(kind) => {
                let cursor = io::Cursor::new(bytes);
                if let Err(error) = self.container(path, kind, cursor, depth + 1) {
                    (self.visit)(Entry::Failed { path, error });
                }
            }
            None => (self.visit)(Entry::File { path, bytes }),
        }
    }

    fn zip<R: Read + Seek>(
        &mut self,
        name: &str,
        reader: R,
        depth: u32,
    ) -> Result<(), DecodeError> {
        let mut zip = zip::ZipArchive::new(reader).map_err(|e| {
            DecodeError::new(
                ProblemKind::BadStructure,
                format!("cannot read the zip directory: {e}"),
            )
        })?;
        if zip.len() as u64 > self.limits.max_entries {
            return Err(refused(format!(
                "{} entries, more than the limit of {}",
                zip.len(),
                self.limits.max_entries
            )));
        }
        // The member names, sorted: output inside an archive is sorted by path.
        let mut members: Vec<(String, usize)> = (0..zip.len())
            .filter_map(|i| {
                let n = zip.name_for_index(i)?.ok()?.into_owned();
                (!n.ends_with('/')).then_some((n, i))
            })
            .collect();
        members.sort();

        // Strava's activities.csv first, so its names can be attached as files are decoded.
        for (member, index) in &members {
            if is_strava_csv(member) {
                let Ok(mut file) = zip.by_index(*index) else { continue };
                let limit = member_limit(self.limits, &self.budget, file.compressed_size());
                let compressed = file.compressed_size();
                let mut bounded = Bounded::new(&mut file, limit, compressed, self.limits);
                let Some((bytes, ok)) = self.read_member(&mut bounded, false, 0) else { continue };
                if ok.is_ok() {
                    let base = format!("{name}!/{}", parent_of(member));
                    (self.visit)(Entry::Catalog { base: &base, catalog: parse_strava_csv(&bytes) });
                }
            }
        }

        for (member, index) in &members {
            if is_strava_csv(member) {
                continue;
            }
            let path = format!("{name}!/{member}");
            self.check_total()?;
            let mut file = match zip.by_index(*index) {
                Ok(file) => file,
                Err(e) => {
                    if interesting_name(member) {
                        (self.visit)(Entry::Failed {
                            path: &path,
                            error: DecodeError::new(
                                ProblemKind::BadStructure,
                                format!("cannot read the archive member: {e}"),
                            ),
                        });
                    }
                    continue;
                }
            };
            let compressed = file.compressed_size();
            let limit = member_limit(self.limits, &self.budget, compressed);
            let declared = file.size();
            let ratio_cap =
                compressed.saturating_mul(self.limits.max_ratio).max(self.limits.ratio_floor);
            if declared > limit || declared > ratio_cap {
                // Refused from the directory alone, before a byte is decompressed.
                if interesting_name(member) || declared > self.limits.max_member_bytes {
                    (self.visit)(Entry::Failed {
                        path: &path,
                        error: too_big(declared, compressed, self.limits),
                    });
                }
                continue;
            }
            let expected = Declared { crc: file.crc32(), len: declared, len_mask: u64::MAX };
            let mut bounded = Bounded::new(&mut file, limit, compressed, self.limits);
            let capacity = usize::try_from(file_size_hint(limit)).unwrap_or(0);
            let sniff_first = !interesting_name(member);
            let Some((bytes, read)) = self.read_member(&mut bounded, sniff_first, capacity) else {
                continue;
            };
            let read = read.map_err(|e| member_error(&e, bounded.crc_fails(expected)));
            drop(file);
            self.finish_member(&path, bytes, read, depth);
        }
        Ok(())
    }

    /// Refuses to go on once the walk has decompressed all it may.
    fn check_total(&self) -> Result<(), DecodeError> {
        if self.budget.left == 0 {
            return Err(refused(format!(
                "more than {} bytes decompressed in total",
                self.limits.max_total_bytes
            )));
        }
        Ok(())
    }

    /// A member's bytes (`capacity` to start with), read to the end of `reader` and counted
    /// against the budget, with how the reading ended. When its name does not say it is one we
    /// read (`sniff_first`), only its first bytes are read, and it is skipped (`None`) unless
    /// they sniff as a format or an archive.
    fn read_member(
        &mut self,
        reader: &mut impl Read,
        sniff_first: bool,
        capacity: usize,
    ) -> Option<(Vec<u8>, io::Result<usize>)> {
        let mut bytes = if sniff_first {
            let mut head = vec![0u8; XML_SNIFF_LIMIT];
            let n = read_up_to(reader, &mut head).unwrap_or(0);
            head.truncate(n);
            if sniff(&head).is_none() && container(&head).is_none() {
                return None;
            }
            head
        } else {
            Vec::with_capacity(capacity)
        };
        let read = reader.read_to_end(&mut bytes);
        self.budget.left = self.budget.left.saturating_sub(bytes.len() as u64);
        Some((bytes, read))
    }

    fn finish_member(
        &mut self,
        path: &str,
        bytes: Vec<u8>,
        read: Result<usize, DecodeError>,
        depth: u32,
    ) {
        match read {
            Ok(_) => {
                let lower = path.to_ascii_lowercase();
                if container(&bytes) == Some(Container::Gzip) || lower.ends_with(".gz") {
                    self.gunzip_member(path, &bytes, depth);
                } else {
                    self.hand_over(path, &bytes, depth);
                }
            }
            Err(error) => (self.visit)(Entry::Failed { path, error }),
        }
    }

    /// A `.gz` member inside an archive: decompressed (bounded), then handed over.
    fn gunzip_member(&mut self, path: &str, compressed: &[u8], depth: u32) {
        if container(compressed) != Some(Container::Gzip) {
            // Named .gz but not gzip: sniffing decides, as for any other member.
            self.hand_over(path, compressed, depth);
            return;
        }
        if depth + 1 > self.limits.max_depth {
            (self.visit)(Entry::Failed {
                path,
                error: refused(format!(
                    "archives nested deeper than {} levels",
                    self.limits.max_depth
                )),
            });
            return;
        }
        let gz = flate2::read::GzDecoder::new(compressed);
        let limit = member_limit(self.limits, &self.budget, compressed.len() as u64);
        let mut bounded = Bounded::new(gz, limit, compressed.len() as u64, self.limits);
        let mut bytes = Vec::new();
        let read = bounded.read_to_end(&mut bytes);
        self.budget.left = self.budget.left.saturating_sub(bytes.len() as u64);
        match read {
            Ok(_) => self.hand_over(path, &bytes, depth + 1),
            Err(e) => {
                let crc_fails = Declared::gzip_trailer(compressed)
                    .is_some_and(|declared| bounded.crc_fails(declared));
                (self.visit)(Entry::Failed { path, error: member_error(&e, crc_fails) });
            }
        }
    }

    /// A tar stream, member by member in stream order (the caller sorts the results by path).
    fn tar_stream<R: Read>(
        &mut self,
        name: &str,
        reader: R,
        depth: u32,
    ) -> Result<(), DecodeError> {
        let mut archive = tar::Archive::new(reader);
        let entries = archive.entries().map_err(|e| {
            DecodeError::new(ProblemKind::BadStructure, format!("cannot read the tar archive: {e}"))
        })?;
        let mut count = 0u64;
        for entry in entries {
            count += 1;
            if count > self.limits.max_entries {
                return Err(refused(format!("more than {} entries", self.limits.max_entries)));
            }
            let mut entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    // A broken tar header ends the stream: what follows cannot be found.
                    (self.visit)(Entry::Failed {
                        path: &format!("{name}!/"),
                        error: DecodeError::new(
                            ProblemKind::Truncated,
                            format!("the tar archive breaks off: {e}"),
                        ),
                    });
                    return Ok(());
                }
            };
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let member = match entry.path() {
                Ok(p) => p.to_string_lossy().into_owned(),
                Err(_) => continue,
            };
            let path = format!("{name}!/{member}");
            self.check_total()?;
            let size = entry.size();
            // The tar stream is already decompressed: the ratio of the outer gzip is checked by
            // the reader under it, the size here by the member limit.
            let limit = member_limit(self.limits, &self.budget, u64::MAX / 2);
            if size > limit {
                (self.visit)(Entry::Failed {
                    path: &path,
                    error: too_big(size, size, self.limits),
                });
                continue;
            }
            let csv = is_strava_csv(&member);
            let sniff_first = !csv && !interesting_name(&member);
            let mut member_bytes = (&mut entry).take(limit);
            let Some((bytes, read)) = self.read_member(&mut member_bytes, sniff_first, 0) else {
                continue;
            };
            if csv {
                if read.is_ok() {
                    let base = format!("{name}!/{}", parent_of(&member));
                    (self.visit)(Entry::Catalog { base: &base, catalog: parse_strava_csv(&bytes) });
                }
                continue;
            }
            // A tar member has no checksum of its own (the gzip around the stream has one).
            self.finish_member(&path, bytes, read.map_err(|e| member_error(&e, false)), depth);
        }
        Ok(())
    }
}

/// A starting capacity that never trusts a declared size past 16 MiB.
fn file_size_hint(limit: u64) -> u64 {
    limit.min(16 << 20).min(64 << 10)
}

/// The folder part of a member path, ending in `/`, or empty.
pub fn parent_of(member: &str) -> &str {
    match member.rfind('/') {
        Some(i) => &member[..=i],
        None => "",
    }
}

/// The most one member may decompress to.
fn member_limit(limits: &Limits, budget: &Budget, _compressed: u64) -> u64 {
    limits.max_member_bytes.min(budget.left)
}

fn refused(reason: String) -> DecodeError {
    DecodeError::new(ProblemKind::Unsupported, format!("archive refused: {reason}"))
}

fn too_big(size: u64, compressed: u64, limits: &Limits) -> DecodeError {
    DecodeError::new(
        ProblemKind::Unsupported,
        format!(
            "archive member refused: it declares {size} bytes from {compressed} compressed, past the limits of {} bytes per member and {} times its compressed size (zip bomb?)",
            limits.max_member_bytes, limits.max_ratio
        ),
    )
}

/// The marker inside an `io::Error` that a limit was hit.
#[derive(Debug)]
struct LimitHit(String);

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitHit {}

/// A reader that fails once it has produced more than `limit` bytes, or more than `max_ratio`
/// times its compressed size (past the floor).
struct Bounded<R> {
    inner: R,
    /// The CRC-32 of the bytes produced so far, to name a failure by what the bytes were.
    crc: crc32fast::Hasher,
    read: u64,
    limit: u64,
    ratio_cap: u64,
    max_ratio: u64,
}

impl<R> Bounded<R> {
    fn new(inner: R, limit: u64, compressed: u64, limits: &Limits) -> Self {
        let ratio_cap = compressed.saturating_mul(limits.max_ratio).max(limits.ratio_floor);
        let crc = crc32fast::Hasher::new();
        Bounded { inner, crc, read: 0, limit, ratio_cap, max_ratio: limits.max_ratio }
    }

    /// Every declared byte was produced and their CRC-32 is not the declared one: the member
    /// fails its checksum (whatever words the decompressor used to say so).
    fn crc_fails(&self, declared: Declared) -> bool {
        self.read & declared.len_mask == declared.len && self.crc.clone().finalize() != declared.crc
    }
}

impl<R> Bounded<flate2::read::GzDecoder<Tail<R>>> {
    /// [`Self::crc_fails`] against the trailer of the gzip stream read so far.
    fn gzip_crc_fails(&self) -> bool {
        let trailer = self.inner.get_ref().last;
        Declared::gzip_trailer(&trailer).is_some_and(|declared| self.crc_fails(declared))
    }
}

/// What a member's zip directory entry or gzip trailer says its decompressed bytes are.
#[derive(Debug, Clone, Copy)]
struct Declared {
    /// Their CRC-32.
    crc: u32,
    /// Their length: all of it for zip, modulo 2^32 for gzip (`len_mask`).
    len: u64,
    len_mask: u64,
}

impl Declared {
    /// A gzip stream's trailer, its last 8 bytes: CRC-32 and length modulo 2^32, little-endian.
    fn gzip_trailer(stream: &[u8]) -> Option<Declared> {
        let trailer = stream.last_chunk::<8>()?;
        let (crc, len) = trailer.split_at(4);
        Some(Declared {
            crc: u32::from_le_bytes(crc.try_into().ok()?),
            len: u64::from(u32::from_le_bytes(len.try_into().ok()?)),
            len_mask: u64::from(u32::MAX),
        })
    }
}

/// A reader that keeps the last 8 bytes it has passed on (a gzip stream's trailer, once the
/// decompressor has read it).
struct Tail<R> {
    inner: R,
    last: [u8; 8],
}

impl<R> Tail<R> {
    fn new(inner: R) -> Self {
        Tail { inner, last: [0; 8] }
    }
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let fresh = buf.get(..n).unwrap_or_default();
        if let Some(end) = fresh.last_chunk::<8>() {
            self.last = *end;
        } else {
            self.last.rotate_left(n);
            let kept = self.last.len() - n;
            if let Some(slot) = self.last.get_mut(kept..) {
                slot.copy_from_slice(fresh);
            }
        }
        Ok(n)
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.crc.update(buf.get(..n).unwrap_or_default());
        self.read += n as u64;
        if self.read > self.limit {
            return Err(io::Error::other(LimitHit(format!(
                "archive member refused: it expands past {} bytes",
                self.limit
            ))));
        }
        if self.read > self.ratio_cap {
            return Err(io::Error::other(LimitHit(format!(
                "archive member refused: it expands more than {} times its compressed size (zip bomb?)",
                self.max_ratio
            ))));
        }
        Ok(n)
    }
}

/// Reads until `buf` is full or the input ends.
fn read_up_to<R: Read>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A member's read error as a decode error: limits are `unsupported` (refused), a member whose
/// bytes all came out but fail the declared CRC-32 (`crc_fails`, checked by the walk itself)
/// `bad_crc`, a cut stream `truncated`, anything else `bad_structure`.
fn member_error(e: &io::Error, crc_fails: bool) -> DecodeError {
    if let Some(hit) = e.get_ref().and_then(|inner| inner.downcast_ref::<LimitHit>()) {
        return DecodeError::new(ProblemKind::Unsupported, hit.0.clone());
    }
    let text = e.to_string();
    if crc_fails {
        DecodeError::new(ProblemKind::BadCrc, format!("archive member fails its checksum: {text}"))
    } else if e.kind() == io::ErrorKind::UnexpectedEof {
        DecodeError::new(ProblemKind::Truncated, format!("archive member is cut short: {text}"))
    } else {
        DecodeError::new(ProblemKind::BadStructure, format!("cannot decompress the member: {text}"))
    }
}

fn io_error(e: io::Error) -> DecodeError {
    DecodeError::new(ProblemKind::Io, format!("cannot read: {e}"))
}

/// The length of a seekable source, for the ratio check of a top-level `.gz`.
trait StreamLenHint {
    fn stream_len_hint(&mut self) -> u64;
}

impl<R: Seek> StreamLenHint for R {
    fn stream_len_hint(&mut self) -> u64 {
        let len = self.seek(SeekFrom::End(0)).unwrap_or(0);
        let _ = self.seek(SeekFrom::Start(0));
        len
    }
}
