//! The decoded activity: a summary (what `inspect --json` prints) and the samples (what the load
//! model reads). Shared by the FIT, GPX and TCX decoders.

use std::fmt;

/// Seconds since the Unix epoch, UTC. Whole seconds are enough for summaries; samples keep
/// fractions in [`Sample::time_s`].
pub type UnixSeconds = i64;

/// What to decode besides the summary; one type for the dispatcher and every decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Also return one [`Sample`] per point or `record` message (the load model needs them;
    /// `inspect` does not, and is faster without); `false` computes the summary only.
    pub samples: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions { samples: true }
    }
}

impl DecodeOptions {
    /// Keeps a decoded sample when samples are asked for.
    pub(crate) fn keep(&self, samples: &mut Vec<Sample>, sample: Sample) {
        if self.samples {
            samples.push(sample);
        }
    }
}

/// The container format, sniffed from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Garmin's Flexible and Interoperable data Transfer protocol.
    Fit,
    /// GPS Exchange Format 1.0 or 1.1.
    Gpx,
    /// Garmin's Training Center Database v2.
    Tcx,
}

impl Format {
    /// The lower-case name used in JSON (`fit`, `gpx`, `tcx`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Fit => "fit",
            Format::Gpx => "gpx",
            Format::Tcx => "tcx",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong with a file, as the contract's `error.kind` / `warnings[].kind` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// A valid file that holds no activity (settings, workout, route, course, empty).
    NotActivityFile,
    /// The file ends before its header says it should.
    Truncated,
    /// The file header is unreadable.
    BadHeader,
    /// A checksum does not match the bytes.
    BadCrc,
    /// The message or element structure is broken.
    BadStructure,
    /// The XML is not well formed.
    BadXml,
    /// A valid file in a variant this decoder does not read.
    Unsupported,
    /// Reading the bytes failed (set by callers that do IO, never by a decoder).
    Io,
}

impl ProblemKind {
    /// The snake_case code used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::NotActivityFile => "not_activity_file",
            ProblemKind::Truncated => "truncated",
            ProblemKind::BadHeader => "bad_header",
            ProblemKind::BadCrc => "bad_crc",
            ProblemKind::BadStructure => "bad_structure",
            ProblemKind::BadXml => "bad_xml",
            ProblemKind::Unsupported => "unsupported",
            ProblemKind::Io => "io",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Damage that left usable data: the runner keeps the run and is told.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// What kind of damage.
    pub kind: ProblemKind,
    /// A sentence for people, lower case, no trailing period.
    pub message: String,
    /// Byte offset in the file where the damage starts, when known.
    pub offset: Option<u64>,
}

/// A file that yielded nothing usable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct DecodeError {
    /// What kind of failure.
    pub kind: ProblemKind,
    /// A sentence for people, lower case, no trailing period.
    pub message: String,
    /// Byte offset in the file where decoding failed, when known.
    pub offset: Option<u64>,
}

impl DecodeError {
    /// A new error with no offset.
    pub fn new(kind: ProblemKind, message: impl Into<String>) -> Self {
        DecodeError { kind, message: message.into(), offset: None }
    }

    /// The same error at a byte offset.
    pub fn at(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }
}

/// The device that recorded the file, as names (`garmin`, `fr965`) or numbers when unnamed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Device {
    /// Manufacturer name, lower case (`garmin`, `wahoo_fitness`), or its number as text.
    pub manufacturer: Option<String>,
    /// Product name, lower case (`fr965`, `edge_530`), or its number as text.
    pub product: Option<String>,
}

/// The totals of one session (one sport leg of a multisport file) or of the whole activity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Totals {
    /// Lower-case FIT sport name, `unknown`; for the whole activity also `multisport`.
    pub sport: String,
    /// Lower-case FIT sub-sport name, when known.
    pub sub_sport: Option<String>,
    /// Start, UTC; `None` when the file has no absolute time.
    pub start_time: Option<UnixSeconds>,
    /// Elapsed (wall-clock) seconds.
    pub elapsed_s: Option<f64>,
    /// Timer (moving, un-paused) seconds.
    pub timer_s: Option<f64>,
    /// Distance in metres.
    pub distance_m: Option<f64>,
    /// Average heart rate, beats per minute.
    pub avg_hr: Option<f64>,
    /// Maximum heart rate, beats per minute.
    pub max_hr: Option<f64>,
    /// Total ascent in metres.
    pub ascent_m: Option<f64>,
    /// Total descent in metres.
    pub descent_m: Option<f64>,
    /// Number of laps.
    pub laps: Option<u32>,
}

impl Totals {
    /// Names an `unknown` sport from the kind an export's listing gives the activity (`Run`,
    /// `Ride`, Strava's `9`…); a sport the file names stays.
    pub fn take_listed_sport(&mut self, listed_kind: &str) {
        if self.sport == "unknown"
            && let Some(sport) = crate::sport::sport_from_name(listed_kind)
        {
            sport.clone_into(&mut self.sport);
        }
    }
}

/// The file-level summary: what `inspect --json` prints (interfaces.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The container format.
    pub format: Format,
    /// The whole activity's totals.
    pub totals: Totals,
    /// End of the activity, UTC.
    pub end_time: Option<UnixSeconds>,
    /// Number of records (FIT `record` messages, GPX track points, TCX trackpoints).
    pub records: u64,
    /// Records whose own heart rate is valid.
    pub records_with_hr: u64,
    /// Records with a valid latitude and longitude.
    pub records_with_position: u64,
    /// The wearer's resting heart rate as the recording device holds it (FIT `user_profile`
    /// field 8, `resting_heart_rate`), beats per minute; `None` when the file does not carry it.
    pub rest_hr: Option<f64>,
    /// The recording device, when the file names it.
    pub device: Option<Device>,
    /// Each session, when the file has several (multisport, chained files); may be empty.
    pub sessions: Vec<Totals>,
    /// Damage that left usable data.
    pub warnings: Vec<Warning>,
}

impl Summary {
    /// An empty summary of the given format (sport `unknown`), to be filled by a decoder.
    pub fn empty(format: Format) -> Self {
        Summary {
            format,
            totals: Totals { sport: "unknown".to_owned(), ..Totals::default() },
            end_time: None,
            records: 0,
            records_with_hr: 0,
            records_with_position: 0,
            rest_hr: None,
            device: None,
            sessions: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// One point in time of the activity, in SI units. Every field may be missing.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sample {
    /// Seconds since the Unix epoch (UTC) when absolute, with fractions.
    pub time_s: Option<f64>,
    /// Latitude in degrees.
    pub lat_deg: Option<f64>,
    /// Longitude in degrees.
    pub lon_deg: Option<f64>,
    /// Cumulative distance in metres.
    pub distance_m: Option<f64>,
    /// Speed in metres per second.
    pub speed_mps: Option<f64>,
    /// Altitude in metres.
    pub altitude_m: Option<f64>,
    /// Heart rate in beats per minute.
    pub heart_rate_bpm: Option<f64>,
    /// Cadence in revolutions (or strides) per minute, as the file stores it.
    pub cadence_rpm: Option<f64>,
    /// Power in watts.
    pub power_w: Option<f64>,
    /// Temperature in degrees Celsius.
    pub temperature_c: Option<f64>,
}

/// A decoded activity file.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// The totals, as `inspect --json` prints them.
    pub summary: Summary,
    /// The samples in time order, as recorded (may be empty when only the summary was asked for).
    pub samples: Vec<Sample>,
}
