//! FIT decoder, written from the FIT protocol (Garmin's Flexible and Interoperable data Transfer).
//!
//! Why its own decoder: `inspect` must read thousands of files at memory speed, and a generic
//! FIT library turns every field of every message into a dynamic value. This one turns each
//! definition message into a compact plan (where the few fields the summary needs sit, their
//! base type and the byte order) and then reads only those fields from each data message, with
//! no allocation per message. Everything it does not need (unknown messages, developer fields,
//! strings, arrays) is skipped by size.
//!
//! What it handles: 12- and 14-byte file headers with their CRC, the file CRC, normal and
//! compressed-timestamp record headers, little- and big-endian definitions, developer field
//! definitions, chained FIT files (several files back to back), invalid-value sentinels per base
//! type, the 12-bit rolling `compressed_speed_distance` record field, and timestamps below
//! 0x10000000 (seconds since the device powered on), resolved against `timestamp_correlation` or
//! an absolute `time_created` when the file has one.
//!
//! Damage that leaves usable data is a [`Warning`], never a failure: a bad CRC over data that
//! decodes (`bad_crc`), a header whose `data_size` is 0 or runs past the end (`truncated`, read to
//! the last complete message), a data message whose local type has no definition (`bad_structure`,
//! decoding stops there). No input makes it panic, and nothing is allocated in proportion to a
//! length field that was not checked against the bytes that remain.

mod crc;
mod profile;

use crate::{
    Activity, DecodeError, Device, Format, ProblemKind, Sample, Summary, Totals, UnixSeconds,
    Warning,
};

/// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
pub const FIT_EPOCH_UNIX: i64 = 631_065_600;

/// FIT timestamps below this are seconds since the device powered on, not dates.
pub const RELATIVE_LIMIT: u32 = 0x1000_0000;

pub use crate::model::DecodeOptions;
pub use crc::crc16;

/// Decodes a FIT file (or several chained FIT files) into an [`Activity`].
///
/// The summary follows the FIT rules of the `inspect --json` contract. A file that is valid FIT
/// but not an activity (settings, workout, weight, monitoring, empty) is a
/// [`ProblemKind::NotActivityFile`] error.
pub fn decode(bytes: &[u8], options: &DecodeOptions) -> Result<Activity, DecodeError> {
    let mut walk = Walk::new(options.samples);
    if options.samples {
        walk.reserve_samples(bytes.len());
    }
    walk.run(bytes)?;
    walk.finish()
}

/// Like [`decode`], and also returns the FIT timestamp of each sample as the file wrote it
/// (seconds since the FIT epoch, or since the device powered on when below [`RELATIVE_LIMIT`]),
/// so that files without an absolute time still give the sequence of their records. The samples
/// are always decoded.
pub fn decode_with_raw_times(bytes: &[u8]) -> Result<(Activity, Vec<Option<u32>>), DecodeError> {
    let mut walk = Walk::new(true);
    walk.reserve_samples(bytes.len());
    walk.run(bytes)?;
    // Until `finish`, a sample's time is the raw FIT timestamp.
    let raw = walk.samples.iter().map(|s| s.time_s.map(|t| t as u32)).collect();
    let activity = walk.finish()?;
    Ok((activity, raw))
}

// ---------------------------------------------------------------------------------------------
// Definitions: which fields of which messages matter, and where they sit.

/// Base type codes (the low five bits of a field definition's base type byte).
const B_ENUM: u8 = 0;
const B_SINT8: u8 = 1;
const B_UINT8: u8 = 2;
const B_SINT16: u8 = 3;
const B_UINT16: u8 = 4;
const B_SINT32: u8 = 5;
const B_UINT32: u8 = 6;
const B_STRING: u8 = 7;
const B_FLOAT32: u8 = 8;
const B_FLOAT64: u8 = 9;
const B_UINT8Z: u8 = 10;
const B_UINT16Z: u8 = 11;
const B_UINT32Z: u8 = 12;
const B_BYTE: u8 = 13;
const B_SINT64: u8 = 14;
const B_UINT64: u8 = 15;
const B_UINT64Z: u8 = 16;
/// Our own code: a field this decoder does not read.
const B_ABSENT: u8 = 0xFF;
/// Our own code: the three bytes of `compressed_speed_distance`.
const B_CSD: u8 = 0xFE;
/// Our own mark on the base type of a field of a big-endian message, so that one comparison
/// of the base type tells the little-endian fast path of the field readers from the rest.
const BE_MARK: u8 = 0x20;

/// Size in bytes of one value of each base type.
const BASE_SIZE: [u8; 17] = [1, 1, 1, 2, 2, 4, 4, 1, 4, 8, 1, 2, 4, 1, 8, 8, 8];

/// Where one wanted field sits in a data message.
#[derive(Debug, Clone, Copy)]
struct Field {
    off: u16,
    /// The base type code, with [`BE_MARK`] added in a big-endian message; [`B_ABSENT`] when
    /// the message does not have the field.
    base: u8,
}

const ABSENT: Field = Field { off: 0, base: B_ABSENT };

/// The global messages the summary reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The local type has no definition yet.
    Undefined,
    /// Any other message: only its timestamp is read (compressed timestamps need it).
    Other,
    FileId,
    Sport,
    Session,
    Lap,
    Record,
    DeviceInfo,
    Activity,
    TimestampCorrelation,
    UserProfile,
}

fn kind_of(global: u16) -> Kind {
    match global {
        0 => Kind::FileId,
        3 => Kind::UserProfile,
        12 => Kind::Sport,
        18 => Kind::Session,
        19 => Kind::Lap,
        20 => Kind::Record,
        23 => Kind::DeviceInfo,
        34 => Kind::Activity,
        162 => Kind::TimestampCorrelation,
        _ => Kind::Other,
    }
}

/// Slot 0 of every plan is the `timestamp` field (253).
const S_TS: usize = 0;
// record
const R_LAT: usize = 1;
const R_LON: usize = 2;
const R_ALT: usize = 3;
const R_HR: usize = 4;
const R_CAD: usize = 5;
const R_DIST: usize = 6;
const R_SPEED: usize = 7;
const R_POWER: usize = 8;
const R_CSD: usize = 9;
const R_TEMP: usize = 10;
const R_ESPEED: usize = 11;
const R_EALT: usize = 12;
// session
const SE_START: usize = 1;
const SE_SPORT: usize = 2;
const SE_SUB: usize = 3;
const SE_ELAPSED: usize = 4;
const SE_TIMER: usize = 5;
const SE_DIST: usize = 6;
const SE_AVG_HR: usize = 7;
const SE_MAX_HR: usize = 8;
const SE_ASC: usize = 9;
const SE_DESC: usize = 10;
const SE_LAPS: usize = 11;
// lap, sport
const L_SPORT: usize = 1;
const SP_SPORT: usize = 1;
const SP_SUB: usize = 2;
// file_id
const F_TYPE: usize = 1;
const F_MANUF: usize = 2;
const F_PRODUCT: usize = 3;
const F_CREATED: usize = 4;
// device_info
const D_INDEX: usize = 1;
const D_MANUF: usize = 2;
const D_PRODUCT: usize = 3;
// activity
const A_TIMER: usize = 1;
// timestamp_correlation
const C_SYSTEM: usize = 1;
// user_profile
const U_REST_HR: usize = 1;

const SLOTS: usize = 13;

/// The slot of field `num` of a message of kind `kind`, if the summary reads it.
fn slot_of(kind: Kind, num: u8) -> Option<usize> {
    if num == 253 {
        return Some(S_TS);
    }
    match (kind, num) {
        (Kind::Record, 0) => Some(R_LAT),
        (Kind::Record, 1) => Some(R_LON),
        (Kind::Record, 2) => Some(R_ALT),
        (Kind::Record, 3) => Some(R_HR),
        (Kind::Record, 4) => Some(R_CAD),
        (Kind::Record, 5) => Some(R_DIST),
        (Kind::Record, 6) => Some(R_SPEED),
        (Kind::Record, 7) => Some(R_POWER),
        (Kind::Record, 8) => Some(R_CSD),
        (Kind::Record, 13) => Some(R_TEMP),
        (Kind::Record, 73) => Some(R_ESPEED),
        (Kind::Record, 78) => Some(R_EALT),
        (Kind::Session, 2) => Some(SE_START),
        (Kind::Session, 5) => Some(SE_SPORT),
        (Kind::Session, 6) => Some(SE_SUB),
        (Kind::Session, 7) => Some(SE_ELAPSED),
        (Kind::Session, 8) => Some(SE_TIMER),
        (Kind::Session, 9) => Some(SE_DIST),
        (Kind::Session, 16) => Some(SE_AVG_HR),
        (Kind::Session, 17) => Some(SE_MAX_HR),
        (Kind::Session, 22) => Some(SE_ASC),
        (Kind::Session, 23) => Some(SE_DESC),
        (Kind::Session, 26) => Some(SE_LAPS),
        (Kind::Lap, 25) => Some(L_SPORT),
        (Kind::Sport, 0) => Some(SP_SPORT),
        (Kind::Sport, 1) => Some(SP_SUB),
        (Kind::FileId, 0) => Some(F_TYPE),
        (Kind::FileId, 1) => Some(F_MANUF),
        (Kind::FileId, 2) => Some(F_PRODUCT),
        (Kind::FileId, 4) => Some(F_CREATED),
        (Kind::DeviceInfo, 0) => Some(D_INDEX),
        (Kind::DeviceInfo, 2) => Some(D_MANUF),
        (Kind::DeviceInfo, 4) => Some(D_PRODUCT),
        (Kind::Activity, 0) => Some(A_TIMER),
        (Kind::TimestampCorrelation, 1) => Some(C_SYSTEM),
        (Kind::UserProfile, 8) => Some(U_REST_HR),
        _ => None,
    }
}

/// A definition message turned into what a data message of that local type needs.
#[derive(Debug, Clone, Copy)]
struct Plan {
    kind: Kind,
    /// `kind == Kind::Record`, kept apart so that the test stays a plain branch (the compiler
    /// turns a test of `kind` into the jump table of the match that follows it).
    record: bool,
    big_endian: bool,
    /// Length of a data message's content (after its header byte), developer fields included.
    len: usize,
    fields: [Field; SLOTS],
}

const UNDEFINED: Plan = Plan {
    kind: Kind::Undefined,
    record: false,
    big_endian: false,
    len: 0,
    fields: [ABSENT; SLOTS],
};

/// Reads `N` bytes at `off`, or `None` past the end.
#[inline(always)]
fn bytes_at<const N: usize>(msg: &[u8], off: usize) -> Option<[u8; N]> {
    msg.get(off..off + N)?.try_into().ok()
}

/// The value of a wanted field, `None` when absent or set to its base type's invalid value.
/// Integers come back as they are stored (no scale or offset); floats are truncated.
#[inline(always)]
fn value(msg: &[u8], f: Field, be: bool) -> Option<i64> {
    let o = usize::from(f.off);
    // The byte order is `be`; the mark only serves the fast readers.
    let base = if f.base == B_ABSENT || f.base == B_CSD { f.base } else { f.base & !BE_MARK };
    macro_rules! int {
        ($t:ty, $n:literal, $invalid:expr) => {{
            let b = bytes_at::<$n>(msg, o)?;
            let v = if be { <$t>::from_be_bytes(b) } else { <$t>::from_le_bytes(b) };
            if v == $invalid { None } else { Some(v as i64) }
        }};
    }
    match base {
        B_ENUM | B_UINT8 | B_BYTE => int!(u8, 1, u8::MAX),
        B_UINT8Z => int!(u8, 1, 0),
        B_SINT8 => int!(i8, 1, i8::MAX),
        B_UINT16 => int!(u16, 2, u16::MAX),
        B_UINT16Z => int!(u16, 2, 0),
        B_SINT16 => int!(i16, 2, i16::MAX),
        B_UINT32 => int!(u32, 4, u32::MAX),
        B_UINT32Z => int!(u32, 4, 0),
        B_SINT32 => int!(i32, 4, i32::MAX),
        B_SINT64 => int!(i64, 8, i64::MAX),
        B_UINT64 => {
            let b = bytes_at::<8>(msg, o)?;
            let v = if be { u64::from_be_bytes(b) } else { u64::from_le_bytes(b) };
            if v == u64::MAX { None } else { i64::try_from(v).ok() }
        }
        B_UINT64Z => {
            let b = bytes_at::<8>(msg, o)?;
            let v = if be { u64::from_be_bytes(b) } else { u64::from_le_bytes(b) };
            if v == 0 { None } else { i64::try_from(v).ok() }
        }
        B_FLOAT32 => {
            let b = bytes_at::<4>(msg, o)?;
            let bits = if be { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) };
            let x = f32::from_bits(bits);
            if bits == u32::MAX || !x.is_finite() { None } else { Some(x as i64) }
        }
        B_FLOAT64 => {
            let b = bytes_at::<8>(msg, o)?;
            let bits = if be { u64::from_be_bytes(b) } else { u64::from_le_bytes(b) };
            let x = f64::from_bits(bits);
            if bits == u64::MAX || !x.is_finite() { None } else { Some(x as i64) }
        }
        _ => None,
    }
}

/// Readers for the base type a field nearly always has (little-endian `uint32`, `uint16`,
/// `uint8`, `sint32`), with one predictable test (the base type, which carries the byte order's
/// mark) instead of the dispatch of [`value`], which stays the path for every other case.
macro_rules! fast_reader {
    ($name:ident, $t:ty, $n:literal, $base:expr, $invalid:expr) => {
        #[inline(always)]
        fn $name(msg: &[u8], f: Field, be: bool) -> Option<$t> {
            if f.base == $base {
                let v = <$t>::from_le_bytes(bytes_at::<$n>(msg, usize::from(f.off))?);
                return if v == $invalid { None } else { Some(v) };
            }
            if f.base == B_ABSENT {
                return None;
            }
            if f.base == $base | BE_MARK {
                let v = <$t>::from_be_bytes(bytes_at::<$n>(msg, usize::from(f.off))?);
                return if v == $invalid { None } else { Some(v) };
            }
            value(msg, f, be).and_then(|v| <$t>::try_from(v).ok())
        }
    };
}
fast_reader!(fast_u32, u32, 4, B_UINT32, u32::MAX);
fast_reader!(fast_u16, u16, 2, B_UINT16, u16::MAX);
fast_reader!(fast_u8, u8, 1, B_UINT8, u8::MAX);
fast_reader!(fast_i32, i32, 4, B_SINT32, i32::MAX);
fast_reader!(fast_i8, i8, 1, B_SINT8, i8::MAX);

/// A value that must fit a `u32` (timestamps, times, distances), else `None`.
#[inline(always)]
fn value_u32(msg: &[u8], f: Field, be: bool) -> Option<u32> {
    value(msg, f, be).and_then(|v| u32::try_from(v).ok())
}

// ---------------------------------------------------------------------------------------------
// The walk over the bytes.

/// One `session` message, as stored (scales applied in [`Walk::finish`]).
#[derive(Debug, Clone, Copy, Default)]
struct RawSession {
    start: Option<u32>,
    sport: Option<u8>,
    sub_sport: Option<u8>,
    elapsed_ms: Option<u32>,
    timer_ms: Option<u32>,
    distance_cm: Option<u32>,
    avg_hr: Option<u8>,
    max_hr: Option<u8>,
    ascent: Option<u16>,
    descent: Option<u16>,
    laps: Option<u16>,
}

/// What every data message updates: kept apart from [`Walk`] so that the walk can hold it in
/// a local (in registers) for the whole loop.
#[derive(Debug, Clone, Copy, Default)]
struct Hot {
    /// The last full timestamp seen, for compressed-timestamp headers.
    last_ts: Option<u32>,
    /// The smallest device-relative timestamp seen, to align with an absolute `time_created`.
    min_relative: Option<u32>,
    records: u64,
    records_with_hr: u64,
    records_with_position: u64,
    first_record_ts: Option<u32>,
    last_record_ts: Option<u32>,
    /// The sum of the records' heart rates (over `records_with_hr` records).
    hr_sum: u64,
    hr_max: Option<u8>,
    /// Largest record distance, centimetres.
    distance_cm: Option<u32>,
    /// `compressed_speed_distance`: the running total in 1/16 m, and the last 12-bit value.
    csd_total: u64,
    csd_last: u16,
    csd_seen: bool,
    /// Altitude in the file's unit (1/5 m, offset 500 m) of the previous record, and the
    /// climbs, in the same unit.
    prev_alt: Option<i64>,
    /// The climbs as two sums that need no branch per record (up and down alternate at
    /// random, and a mispredicted branch costs more than the rest of a record): the steps'
    /// total and their absolute values' total. Climb and drop follow ([`Hot::climb`]).
    alt_net: i64,
    alt_travel: u64,
}

impl Hot {
    /// The altitude climbed and dropped, in the file's unit: `up - down` is the net total and
    /// `up + down` the travel, so `up = (travel + net) / 2` exactly.
    fn climb(&self) -> (u64, u64) {
        let (net, travel) = (i128::from(self.alt_net), i128::from(self.alt_travel));
        let up = u64::try_from((travel + net) / 2).unwrap_or(0);
        let down = u64::try_from((travel - net) / 2).unwrap_or(0);
        (up, down)
    }
}

/// The state of one decode: what the summary accumulates. (The plans of the current FIT file
/// live beside it, in [`Walk::messages`], so that reading a plan never copies it.)
#[derive(Debug)]
struct Walk {
    want_samples: bool,
    /// The accumulators the message walk updates for every message.
    hot: Hot,

    warnings: Vec<Warning>,
    /// Any part declared itself an activity file.
    any_activity: bool,
    /// The first file type seen that is not an activity.
    other_type: Option<u8>,
    manufacturer: Option<u16>,
    product: Option<u16>,
    creator_manufacturer: Option<u16>,
    creator_product: Option<u16>,
    time_created: Option<u32>,
    /// FIT seconds to add to a device-relative timestamp, from `timestamp_correlation`.
    correlation: Option<i64>,

    sessions: Vec<RawSession>,
    laps: u32,
    lap_sport: Option<u8>,
    sport_msg: Option<(u8, Option<u8>)>,
    activity_timer_ms: Option<u32>,
    /// The first plausible `user_profile.resting_heart_rate`.
    rest_hr: Option<u8>,

    samples: Vec<Sample>,
}

/// At most this many samples are kept (46 days at one record a second, 640 MB): a hostile file of
/// one-byte records must not turn a few megabytes into gigabytes. Counts go on past it.
const MAX_SAMPLES: usize = 4_000_000;

/// At most this many warnings are kept.
const MAX_WARNINGS: usize = 16;

/// The walk stopped early, at damage; the warning is already recorded and nothing after it is
/// read (not even a chained file that follows).
#[derive(Debug)]
struct Stopped;

impl Walk {
    fn new(want_samples: bool) -> Self {
        Walk {
            want_samples,
            hot: Hot::default(),
            warnings: Vec::new(),
            any_activity: false,
            other_type: None,
            manufacturer: None,
            product: None,
            creator_manufacturer: None,
            creator_product: None,
            time_created: None,
            correlation: None,
            sessions: Vec::new(),
            laps: 0,
            lap_sport: None,
            sport_msg: None,
            activity_timer_ms: None,
            rest_hr: None,
            samples: Vec::new(),
        }
    }

    /// Room for the samples of a file of `len` bytes: a record takes 20 to 40 bytes in the
    /// files devices write, so this is about right and never more than the cap.
    fn reserve_samples(&mut self, len: usize) {
        self.samples.reserve((len / 24).min(MAX_SAMPLES));
    }

    fn warn(&mut self, kind: ProblemKind, message: impl Into<String>, offset: usize) {
        // Chained files can repeat a warning once per file: the first few say enough.
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(Warning {
                kind,
                message: message.into(),
                offset: Some(offset as u64),
            });
        }
    }

    /// Walks every chained FIT file in `bytes`. Fails only when the first header is unusable.
    fn run(&mut self, bytes: &[u8]) -> Result<(), DecodeError> {
        if bytes.is_empty() {
            return Err(DecodeError::new(ProblemKind::NotActivityFile, "the file is empty"));
        }
        let mut pos = 0usize;
        let mut first = true;
        while pos < bytes.len() {
            let header = match read_header(bytes, pos) {
                Ok(h) => h,
                Err(message) if first => {
                    return Err(DecodeError::new(ProblemKind::BadHeader, message).at(pos as u64));
                }
                Err(message) => {
                    self.warn(
                        ProblemKind::BadHeader,
                        format!(
                            "bytes after the end of the fit data are not a fit file: {message}"
                        ),
                        pos,
                    );
                    return Ok(());
                }
            };
            first = false;
            if let Some((stored, computed)) = header.bad_crc {
                self.warn(
                    ProblemKind::BadCrc,
                    format!("header crc is {stored:#06x}, the header bytes give {computed:#06x}"),
                    pos + 12,
                );
            }
            let start = pos + header.size;
            let declared_end = start.saturating_add(header.data_size);
            let (end, complete) = if header.data_size == 0 {
                self.warn(
                    ProblemKind::Truncated,
                    "the header's data size is 0 (the file was never closed): read to the last complete message",
                    pos + 4,
                );
                (bytes.len(), false)
            } else if declared_end > bytes.len() {
                self.warn(
                    ProblemKind::Truncated,
                    format!(
                        "the header announces {} bytes of data but only {} follow: read to the last complete message",
                        header.data_size,
                        bytes.len() - start
                    ),
                    pos + 4,
                );
                (bytes.len(), false)
            } else {
                (declared_end, true)
            };

            let walked = self.messages(bytes, start, end, complete);
            if walked.is_err() {
                return Ok(());
            }
            if !complete {
                return Ok(());
            }
            // The file CRC follows the data.
            match bytes.get(end..end + 2) {
                Some(&[lo, hi]) => {
                    let stored = u16::from_le_bytes([lo, hi]);
                    let computed = crc::crc16(0, bytes.get(pos..end).unwrap_or_default());
                    if stored != computed {
                        self.warn(
                            ProblemKind::BadCrc,
                            format!("file crc is {stored:#06x}, the bytes give {computed:#06x}"),
                            end,
                        );
                    }
                    pos = end + 2;
                }
                _ => {
                    self.warn(ProblemKind::Truncated, "the file crc is missing", end);
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Walks the messages of one FIT file, `bytes[start..end]`.
    fn messages(
        &mut self,
        bytes: &[u8],
        start: usize,
        end: usize,
        complete: bool,
    ) -> Result<(), Stopped> {
        let mut hot = self.hot;
        // One loop per mode, so that the summary-only loop carries no test for samples.
        let result = if self.want_samples {
            self.walk::<true>(&mut hot, bytes, start, end, complete)
        } else {
            self.walk::<false>(&mut hot, bytes, start, end, complete)
        };
        self.hot = hot;
        result
    }

    /// The loop of [`Walk::messages`], over a local copy of the accumulators.
    fn walk<const SAMPLES: bool>(
        &mut self,
        hot: &mut Hot,
        bytes: &[u8],
        start: usize,
        end: usize,
        complete: bool,
    ) -> Result<(), Stopped> {
        let data = bytes.get(..end).unwrap_or(bytes);
        // New file, new definitions.
        let mut plans = [UNDEFINED; 16];
        let mut pos = start;
        while let Some(&h) = data.get(pos) {
            // A normal header with bit 6 set starts a definition message.
            if h & 0xC0 == 0x40 {
                pos = self.definition(data, pos, h, &mut plans, complete)?;
                continue;
            }
            let (local, ts) = if h & 0x80 != 0 {
                // Compressed timestamp header: local type in bits 5-6, seconds in bits 0-4.
                let offset = u32::from(h & 0x1F);
                let base = hot.last_ts.unwrap_or(0);
                let mut ts = (base & !0x1F).wrapping_add(offset);
                if offset < (base & 0x1F) {
                    ts = ts.wrapping_add(0x20);
                }
                hot.last_ts = Some(ts);
                (usize::from((h >> 5) & 0x03), Some(ts))
            } else {
                (usize::from(h & 0x0F), None)
            };
            pos =
                self.data_message::<SAMPLES>(hot, data, pos, local, &plans[local], ts, complete)?;
        }
        Ok(())
    }

    /// Records the warning for a message that runs past the end of the data.
    fn cut(&mut self, pos: usize, complete: bool) -> Stopped {
        if complete {
            self.warn(
                ProblemKind::BadStructure,
                "a message runs past the end of the data the header announces",
                pos,
            );
        }
        // When the data size was already wrong, the truncation warning is already there.
        Stopped
    }

    fn definition(
        &mut self,
        data: &[u8],
        pos: usize,
        h: u8,
        plans: &mut [Plan; 16],
        complete: bool,
    ) -> Result<usize, Stopped> {
        let local = usize::from(h & 0x0F);
        let has_dev = h & 0x20 != 0;
        let Some(&[_reserved, arch, g0, g1, n]) = data.get(pos + 1..pos + 6) else {
            return Err(self.cut(pos, complete));
        };
        let big_endian = match arch {
            0 => false,
            1 => true,
            _ => {
                self.warn(
                    ProblemKind::BadStructure,
                    format!("definition message with unknown byte order {arch}"),
                    pos,
                );
                return Err(Stopped);
            }
        };
        let global =
            if big_endian { u16::from_be_bytes([g0, g1]) } else { u16::from_le_bytes([g0, g1]) };
        let kind = kind_of(global);
        let fields_start = pos + 6;
        let fields_end = fields_start + 3 * usize::from(n);
        let Some(defs) = data.get(fields_start..fields_end) else {
            return Err(self.cut(pos, complete));
        };
        let record = kind == Kind::Record;
        let mut plan = Plan { kind, record, big_endian, len: 0, fields: [ABSENT; SLOTS] };
        let mut off = 0usize;
        for def in defs.chunks_exact(3) {
            let (num, size, base_byte) = (def[0], usize::from(def[1]), def[2]);
            if let Some(slot) = slot_of(kind, num) {
                let base = base_byte & 0x1F;
                let field = if kind == Kind::Record && slot == R_CSD {
                    (size >= 3).then_some(Field { off: off as u16, base: B_CSD })
                } else if base != B_STRING
                    && usize::from(base) < BASE_SIZE.len()
                    && size >= usize::from(BASE_SIZE[usize::from(base)])
                {
                    let base = if big_endian { base | BE_MARK } else { base };
                    Some(Field { off: off as u16, base })
                } else {
                    None
                };
                // The first definition of a field number wins.
                if let Some(f) = field
                    && plan.fields[slot].base == B_ABSENT
                {
                    plan.fields[slot] = f;
                }
            }
            off += size;
        }
        let mut next = fields_end;
        if has_dev {
            let Some(&nd) = data.get(next) else {
                return Err(self.cut(pos, complete));
            };
            let dev_end = next + 1 + 3 * usize::from(nd);
            let Some(devs) = data.get(next + 1..dev_end) else {
                return Err(self.cut(pos, complete));
            };
            off += devs.chunks_exact(3).map(|d| usize::from(d[1])).sum::<usize>();
            next = dev_end;
        }
        plan.len = off;
        plans[local] = plan;
        Ok(next)
    }

    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn data_message<const SAMPLES: bool>(
        &mut self,
        hot: &mut Hot,
        data: &[u8],
        pos: usize,
        local: usize,
        plan: &Plan,
        compressed_ts: Option<u32>,
        complete: bool,
    ) -> Result<usize, Stopped> {
        if plan.kind == Kind::Undefined {
            self.warn(
                ProblemKind::BadStructure,
                format!(
                    "data message of local type {local} has no definition: decoding stops here"
                ),
                pos,
            );
            return Err(Stopped);
        }
        let body_start = pos + 1;
        let next = body_start + plan.len;
        let Some(msg) = data.get(body_start..next) else {
            return Err(self.cut(pos, complete));
        };
        let be = plan.big_endian;
        let f = &plan.fields;
        let ts = match fast_u32(msg, f[S_TS], be) {
            Some(t) => {
                hot.last_ts = Some(t);
                Some(t)
            }
            None => compressed_ts,
        };
        if let Some(t) = ts
            && t < RELATIVE_LIMIT
            && hot.min_relative.is_none_or(|m| t < m)
        {
            hot.min_relative = Some(t);
        }
        // Records are most messages: tested first, with one predictable branch instead of the
        // jump table of the match, which mispredicts when records and other messages alternate.
        if plan.record {
            self.record::<SAMPLES>(hot, msg, f, be, ts);
            return Ok(next);
        }
        match plan.kind {
            Kind::Record | Kind::Other | Kind::Undefined => {}
            Kind::Session => {
                if let Some(start) = self.session(msg, f, be)
                    && start < RELATIVE_LIMIT
                    && hot.min_relative.is_none_or(|m| start < m)
                {
                    hot.min_relative = Some(start);
                }
            }
            Kind::Lap => {
                self.laps += 1;
                if self.lap_sport.is_none() {
                    self.lap_sport = value(msg, f[L_SPORT], be).and_then(|v| u8::try_from(v).ok());
                }
            }
            Kind::FileId => self.file_id(msg, f, be),
            Kind::Sport => {
                if self.sport_msg.is_none()
                    && let Some(s) = value(msg, f[SP_SPORT], be).and_then(|v| u8::try_from(v).ok())
                {
                    let sub = value(msg, f[SP_SUB], be).and_then(|v| u8::try_from(v).ok());
                    self.sport_msg = Some((s, sub));
                }
            }
            Kind::DeviceInfo => {
                if self.creator_manufacturer.is_none() && value(msg, f[D_INDEX], be) == Some(0) {
                    self.creator_manufacturer =
                        value(msg, f[D_MANUF], be).and_then(|v| u16::try_from(v).ok());
                    self.creator_product =
                        value(msg, f[D_PRODUCT], be).and_then(|v| u16::try_from(v).ok());
                }
            }
            Kind::Activity => {
                if self.activity_timer_ms.is_none() {
                    self.activity_timer_ms = value_u32(msg, f[A_TIMER], be);
                }
            }
            Kind::UserProfile => {
                if self.rest_hr.is_none() {
                    self.rest_hr = value(msg, f[U_REST_HR], be)
                        .and_then(|v| u8::try_from(v).ok())
                        .filter(|v| (25..=120).contains(v));
                }
            }
            Kind::TimestampCorrelation => {
                if self.correlation.is_none()
                    && let (Some(utc), Some(system)) = (ts, value_u32(msg, f[C_SYSTEM], be))
                    && utc >= RELATIVE_LIMIT
                {
                    self.correlation = Some(i64::from(utc) - i64::from(system));
                }
            }
        }
        Ok(next)
    }

    #[inline(always)]
    fn record<const SAMPLES: bool>(
        &mut self,
        hot: &mut Hot,
        msg: &[u8],
        f: &[Field; SLOTS],
        be: bool,
        ts: Option<u32>,
    ) {
        hot.records += 1;
        let hr = fast_u8(msg, f[R_HR], be);
        if let Some(hr) = hr {
            hot.records_with_hr += 1;
            hot.hr_sum += u64::from(hr);
            if hot.hr_max.is_none_or(|m| hr > m) {
                hot.hr_max = Some(hr);
            }
        }
        let lat = fast_i32(msg, f[R_LAT], be);
        let lon = fast_i32(msg, f[R_LON], be);
        if lat.is_some() && lon.is_some() {
            hot.records_with_position += 1;
        }
        if let Some(t) = ts {
            if hot.first_record_ts.is_none() {
                hot.first_record_ts = Some(t);
            }
            hot.last_record_ts = Some(t);
        }
        let distance_cm = fast_u32(msg, f[R_DIST], be);
        if let Some(d) = distance_cm
            && hot.distance_cm.is_none_or(|m| d > m)
        {
            hot.distance_cm = Some(d);
        }
        let mut csd = None;
        if f[R_CSD].base == B_CSD
            && let Some([b0, b1, b2]) = bytes_at::<3>(msg, usize::from(f[R_CSD].off))
            && [b0, b1, b2] != [0xFF, 0xFF, 0xFF]
        {
            // 12 bits of speed (1/100 m/s), then 12 bits of rolling distance (1/16 m).
            let speed = u16::from(b0) | (u16::from(b1 & 0x0F) << 8);
            let dist = u16::from(b1 >> 4) | (u16::from(b2) << 4);
            let delta = dist.wrapping_sub(hot.csd_last) & 0x0FFF;
            hot.csd_total += u64::from(delta);
            hot.csd_last = dist;
            hot.csd_seen = true;
            csd = Some((speed, hot.csd_total));
        }
        let alt = match fast_u32(msg, f[R_EALT], be) {
            Some(a) => Some(i64::from(a)),
            None => fast_u16(msg, f[R_ALT], be).map(i64::from),
        };
        if let Some(a) = alt {
            // A step of more than 100 m between two records is a glitch, not a climb.
            if let Some(p) = hot.prev_alt
                && (a - p).unsigned_abs() <= 500
            {
                let step = a - p;
                hot.alt_net += step;
                // |step| as step times its sign: the compiler turns `abs` into a branch here.
                hot.alt_travel += step.wrapping_mul(1 | (step >> 63)) as u64;
            }
            hot.prev_alt = Some(a);
        }
        if SAMPLES && self.samples.len() < MAX_SAMPLES {
            const SEMICIRCLE_DEG: f64 = 180.0 / 2_147_483_648.0;
            let both = lat.zip(lon);
            let speed = match fast_u32(msg, f[R_ESPEED], be) {
                Some(v) => Some(f64::from(v) / 1000.0),
                None => fast_u16(msg, f[R_SPEED], be).map(|v| f64::from(v) / 1000.0),
            }
            .or(csd.map(|(speed, _)| f64::from(speed) / 100.0));
            let distance_m = distance_cm
                .map(|d| f64::from(d) / 100.0)
                .or(csd.map(|(_, total)| total as f64 / 16.0));
            self.samples.push(Sample {
                // Raw FIT seconds for now; resolved to Unix time in `finish`.
                time_s: ts.map(f64::from),
                lat_deg: both.map(|(la, _)| f64::from(la) * SEMICIRCLE_DEG),
                lon_deg: both.map(|(_, lo)| f64::from(lo) * SEMICIRCLE_DEG),
                distance_m,
                speed_mps: speed,
                altitude_m: alt.map(|a| a as f64 / 5.0 - 500.0),
                heart_rate_bpm: hr.map(f64::from),
                cadence_rpm: fast_u8(msg, f[R_CAD], be).map(f64::from),
                power_w: fast_u16(msg, f[R_POWER], be).map(f64::from),
                temperature_c: fast_i8(msg, f[R_TEMP], be).map(f64::from),
            });
        }
    }

    /// Stores a session; returns its start time, raw.
    fn session(&mut self, msg: &[u8], f: &[Field; SLOTS], be: bool) -> Option<u32> {
        let u8v = |slot: usize| value(msg, f[slot], be).and_then(|v| u8::try_from(v).ok());
        let u16v = |slot: usize| value(msg, f[slot], be).and_then(|v| u16::try_from(v).ok());
        self.sessions.push(RawSession {
            start: value_u32(msg, f[SE_START], be),
            sport: u8v(SE_SPORT),
            sub_sport: u8v(SE_SUB),
            elapsed_ms: value_u32(msg, f[SE_ELAPSED], be),
            timer_ms: value_u32(msg, f[SE_TIMER], be),
            distance_cm: value_u32(msg, f[SE_DIST], be),
            avg_hr: u8v(SE_AVG_HR),
            max_hr: u8v(SE_MAX_HR),
            ascent: u16v(SE_ASC),
            descent: u16v(SE_DESC),
            laps: u16v(SE_LAPS),
        });
        self.sessions.last().and_then(|r| r.start)
    }

    fn file_id(&mut self, msg: &[u8], f: &[Field; SLOTS], be: bool) {
        match value(msg, f[F_TYPE], be) {
            Some(4) => self.any_activity = true,
            Some(t) if self.other_type.is_none() => self.other_type = u8::try_from(t).ok(),
            _ => {}
        }
        if self.manufacturer.is_none() {
            self.manufacturer = value(msg, f[F_MANUF], be).and_then(|v| u16::try_from(v).ok());
            self.product = value(msg, f[F_PRODUCT], be).and_then(|v| u16::try_from(v).ok());
        }
        if self.time_created.is_none() {
            self.time_created = value_u32(msg, f[F_CREATED], be);
        }
    }

    /// The offset (FIT seconds) that turns device-relative timestamps into FIT time, if known.
    fn relative_offset(&self) -> Option<i64> {
        if let Some(c) = self.correlation {
            return Some(c);
        }
        // An absolute `time_created` marks when the recording began: align the earliest
        // device-relative timestamp with it.
        match (self.time_created, self.hot.min_relative) {
            (Some(created), Some(first)) if created >= RELATIVE_LIMIT => {
                Some(i64::from(created) - i64::from(first))
            }
            _ => None,
        }
    }

    /// FIT timestamp to Unix seconds, `None` when relative and unresolvable.
    fn resolve(&self, raw: u32, offset: Option<i64>) -> Option<UnixSeconds> {
        if raw >= RELATIVE_LIMIT {
            Some(i64::from(raw) + FIT_EPOCH_UNIX)
        } else {
            offset.map(|o| i64::from(raw) + o + FIT_EPOCH_UNIX)
        }
    }

    /// The decoded activity: its summary (sport, start, totals, end, device) from the sessions
    /// and, where they say nothing, from the records; its samples with resolved times.
    fn finish(mut self) -> Result<Activity, DecodeError> {
        self.check_is_activity()?;
        let offset = self.relative_offset();
        if self.samples.len() == MAX_SAMPLES && self.hot.records > MAX_SAMPLES as u64 {
            self.warn(
                ProblemKind::Unsupported,
                format!("only the first {MAX_SAMPLES} records are kept as samples"),
                0,
            );
        }
        let mut s = Summary::empty(Format::Fit);
        let sessions = self.session_summaries(offset);
        self.sport_of(&sessions, &mut s.totals);
        self.start_of(offset, &mut s.totals);
        self.totals_of(&sessions, &mut s.totals);
        s.rest_hr = self.rest_hr.map(f64::from);
        // End: the latest session end, else the last record.
        let session_end =
            sessions.iter().filter_map(|x| Some(x.start_time? + x.elapsed_s?.round() as i64)).max();
        s.end_time =
            session_end.or_else(|| self.hot.last_record_ts.and_then(|t| self.resolve(t, offset)));
        s.records = self.hot.records;
        s.records_with_hr = self.hot.records_with_hr;
        s.records_with_position = self.hot.records_with_position;
        s.device = self.device();
        s.sessions = sessions;
        s.warnings = std::mem::take(&mut self.warnings);
        let samples = self.resolved_samples(offset);
        Ok(Activity { summary: s, samples })
    }

    /// Refuses a file that is not an activity (another file type, or nothing in it) and an
    /// activity with no record, lap or session.
    fn check_is_activity(&self) -> Result<(), DecodeError> {
        let has_content = self.hot.records > 0 || !self.sessions.is_empty() || self.laps > 0;
        if !self.any_activity && (self.other_type.is_some() || !has_content) {
            let what = match self.other_type {
                Some(t) => format!("a fit file of type {}", file_type_name(t)),
                None => "a fit file without a file type or any record".to_owned(),
            };
            return Err(DecodeError::new(
                ProblemKind::NotActivityFile,
                format!("{what} is not an activity"),
            ));
        }
        if !has_content {
            let kind = self.warnings.first().map_or(ProblemKind::NotActivityFile, |w| w.kind);
            return Err(DecodeError::new(
                kind,
                "the activity file holds no record, lap or session",
            ));
        }
        Ok(())
    }

    /// One summary per `session` message, in file order.
    fn session_summaries(&self, offset: Option<i64>) -> Vec<Totals> {
        self.sessions
            .iter()
            .map(|r| Totals {
                sport: r.sport.map_or_else(|| "unknown".to_owned(), sport_name),
                sub_sport: r.sub_sport.map(sub_sport_name),
                start_time: r.start.and_then(|t| self.resolve(t, offset)),
                elapsed_s: r.elapsed_ms.map(|v| f64::from(v) / 1000.0),
                timer_s: r.timer_ms.map(|v| f64::from(v) / 1000.0),
                distance_m: r.distance_cm.map(|v| f64::from(v) / 100.0),
                avg_hr: r.avg_hr.map(f64::from),
                max_hr: r.max_hr.map(f64::from),
                ascent_m: r.ascent.map(f64::from),
                descent_m: r.descent.map(f64::from),
                laps: r.laps.map(u32::from),
            })
            .collect()
    }

    /// Sport: the sessions' common sport, or multisport; else the `sport` message's, else the
    /// laps'.
    fn sport_of(&self, sessions: &[Totals], s: &mut Totals) {
        if let Some(first) = sessions.first() {
            if sessions.iter().all(|x| x.sport == first.sport) {
                s.sport = first.sport.clone();
                if sessions.iter().all(|x| x.sub_sport == first.sub_sport) {
                    s.sub_sport = first.sub_sport.clone();
                }
            } else {
                s.sport = "multisport".to_owned();
            }
        } else if let Some((sport, sub)) = self.sport_msg {
            s.sport = sport_name(sport);
            s.sub_sport = sub.map(sub_sport_name);
        } else if let Some(sport) = self.lap_sport {
            s.sport = sport_name(sport);
        }
    }

    /// Start: the first session's start time in file order, else the first record's; a warning
    /// when it is device-relative and cannot be turned into a date.
    fn start_of(&mut self, offset: Option<i64>, s: &mut Totals) {
        let raw_start = self.sessions.iter().find_map(|r| r.start).or(self.hot.first_record_ts);
        s.start_time = raw_start.and_then(|t| self.resolve(t, offset));
        if raw_start.is_some() && s.start_time.is_none() {
            self.warnings.push(Warning {
                kind: ProblemKind::Unsupported,
                message: "timestamps count seconds since the device powered on and the file \
                          gives no way to turn them into dates: the activity has no start time"
                    .to_owned(),
                offset: None,
            });
        }
    }

    /// Elapsed and timer time, distance, ascent and descent, heart rates and laps: summed over
    /// the sessions, else from the records.
    fn totals_of(&self, sessions: &[Totals], s: &mut Totals) {
        let sum = |get: &dyn Fn(&Totals) -> Option<f64>| -> Option<f64> {
            sessions.iter().filter_map(get).fold(None, |acc, v| Some(acc.unwrap_or(0.0) + v))
        };
        s.elapsed_s = sum(&|x| x.elapsed_s).or_else(|| {
            let (a, b) = (self.hot.first_record_ts?, self.hot.last_record_ts?);
            Some(f64::from(b.saturating_sub(a)))
        });
        s.timer_s = sum(&|x| x.timer_s).or(self.activity_timer_ms.map(|v| f64::from(v) / 1000.0));
        s.distance_m = sum(&|x| x.distance_m).or_else(|| {
            self.hot
                .distance_cm
                .map(|d| f64::from(d) / 100.0)
                .or_else(|| self.hot.csd_seen.then_some(self.hot.csd_total as f64 / 16.0))
        });
        let has_alt = self.hot.prev_alt.is_some();
        let (up, down) = self.hot.climb();
        s.ascent_m = sum(&|x| x.ascent_m).or(has_alt.then_some(up as f64 / 5.0));
        s.descent_m = sum(&|x| x.descent_m).or(has_alt.then_some(down as f64 / 5.0));
        s.max_hr = sessions
            .iter()
            .filter_map(|x| x.max_hr)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
            .or(self.hot.hr_max.map(f64::from));
        s.avg_hr = weighted_avg_hr(sessions).or_else(|| {
            let n = self.hot.records_with_hr;
            (n > 0).then(|| self.hot.hr_sum as f64 / n as f64)
        });
        s.laps = if !sessions.is_empty() && sessions.iter().all(|x| x.laps.is_some()) {
            Some(sessions.iter().filter_map(|x| x.laps).sum())
        } else if self.laps > 0 {
            Some(self.laps)
        } else {
            None
        };
    }

    /// The recording device: the `file_id`'s manufacturer and product, else the creator's
    /// `device_info`.
    fn device(&self) -> Option<Device> {
        let (manufacturer, product) = match self.manufacturer {
            Some(m) => (Some(m), self.product),
            None => (self.creator_manufacturer, self.creator_product),
        };
        manufacturer.map(|m| Device {
            manufacturer: Some(manufacturer_name(m)),
            product: product.map(|p| product_name(m, p)),
        })
    }

    /// The samples, their raw FIT times turned into Unix seconds.
    fn resolved_samples(&mut self, offset: Option<i64>) -> Vec<Sample> {
        let mut samples = std::mem::take(&mut self.samples);
        for sample in &mut samples {
            sample.time_s =
                sample.time_s.and_then(|raw| self.resolve(raw as u32, offset)).map(|t| t as f64);
        }
        samples
    }
}

/// Sessions' average heart rate weighted by their timer time (a plain mean when no session
/// has a timer time).
fn weighted_avg_hr(sessions: &[Totals]) -> Option<f64> {
    let with_hr: Vec<(f64, Option<f64>)> =
        sessions.iter().filter_map(|x| Some((x.avg_hr?, x.timer_s))).collect();
    if with_hr.is_empty() {
        return None;
    }
    let weight: f64 = with_hr.iter().filter_map(|(_, w)| *w).sum();
    if weight > 0.0 {
        Some(with_hr.iter().map(|(hr, w)| hr * w.unwrap_or(0.0)).sum::<f64>() / weight)
    } else {
        Some(with_hr.iter().map(|(hr, _)| hr).sum::<f64>() / with_hr.len() as f64)
    }
}

/// A file header.
#[derive(Debug)]
struct Header {
    size: usize,
    data_size: usize,
    /// `(stored, computed)` when a 14-byte header's CRC is set and wrong.
    bad_crc: Option<(u16, u16)>,
}

fn read_header(bytes: &[u8], pos: usize) -> Result<Header, String> {
    let rest = bytes.get(pos..).unwrap_or_default();
    let Some(&size) = rest.first() else {
        return Err("no header".to_owned());
    };
    let size = usize::from(size);
    if size < 12 {
        return Err(format!("header size {size} is below 12"));
    }
    let Some(h) = rest.get(..size) else {
        return Err(format!("header of {size} bytes, only {} remain", rest.len()));
    };
    if h.get(8..12) != Some(b".FIT".as_slice()) {
        return Err("no .FIT signature".to_owned());
    }
    let data_size = u32::from_le_bytes([h[4], h[5], h[6], h[7]]) as usize;
    let mut bad_crc = None;
    if let Some(&[lo, hi]) = h.get(12..14) {
        let stored = u16::from_le_bytes([lo, hi]);
        let computed = crc::crc16(0, &h[..12]);
        if stored != 0 && stored != computed {
            bad_crc = Some((stored, computed));
        }
    }
    Ok(Header { size, data_size, bad_crc })
}

/// Lower-case FIT sport name, or `unknown` for a number the profile does not name (the contract
/// allows only names there).
pub fn sport_name(sport: u8) -> String {
    profile::name(profile::SPORTS, sport).unwrap_or("unknown").to_owned()
}

/// Lower-case FIT sub-sport name, or the number as text.
pub fn sub_sport_name(sub_sport: u8) -> String {
    profile::name(profile::SUB_SPORTS, sub_sport)
        .map_or_else(|| sub_sport.to_string(), str::to_owned)
}

/// Lower-case FIT manufacturer name, or the number as text.
pub fn manufacturer_name(manufacturer: u16) -> String {
    profile::name(profile::MANUFACTURERS, manufacturer)
        .map_or_else(|| manufacturer.to_string(), str::to_owned)
}

/// Product name: Garmin's product names for Garmin, Dynastream and Tacx devices, else the number
/// as text.
pub fn product_name(manufacturer: u16, product: u16) -> String {
    const GARMIN: u16 = 1;
    const DYNASTREAM_OEM: u16 = 13;
    const DYNASTREAM: u16 = 15;
    const TACX: u16 = 89;
    match manufacturer {
        GARMIN | DYNASTREAM_OEM | DYNASTREAM | TACX => {
            profile::name(profile::GARMIN_PRODUCTS, product)
                .map_or_else(|| product.to_string(), str::to_owned)
        }
        _ => product.to_string(),
    }
}

fn file_type_name(t: u8) -> String {
    profile::name(profile::FILE_TYPES, t).map_or_else(|| t.to_string(), str::to_owned)
}
