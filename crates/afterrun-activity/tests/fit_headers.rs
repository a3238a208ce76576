//! The tricky corners of the FIT protocol, on small files built byte by byte in the test:
//! compressed-timestamp headers and their rollover, big-endian definitions, developer fields,
//! a data message of an undefined local type, chained files, invalid-value sentinels, the 12-bit
//! rolling `compressed_speed_distance`, device-relative timestamps, damaged headers and CRCs,
//! and the multi-session rules of the summary.

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use afterrun_activity::fit::{self, DecodeOptions, FIT_EPOCH_UNIX};
use afterrun_activity::{Activity, DecodeError, ProblemKind};

// Base types (with the endian-ability bit where the protocol sets it).
const ENUM: u8 = 0x00;
const UINT8: u8 = 0x02;
const UINT16: u8 = 0x84;
const SINT32: u8 = 0x85;
const UINT32: u8 = 0x86;
const BYTE: u8 = 0x0D;

/// A FIT file under construction: messages, then [`Fit::bytes`] adds header and CRC.
#[derive(Default)]
struct Fit {
    body: Vec<u8>,
}

impl Fit {
    fn def(&mut self, local: u8, global: u16, be: bool, fields: &[(u8, u8, u8)]) -> &mut Self {
        self.def_dev(local, global, be, fields, &[])
    }

    fn def_dev(
        &mut self,
        local: u8,
        global: u16,
        be: bool,
        fields: &[(u8, u8, u8)],
        dev: &[(u8, u8, u8)],
    ) -> &mut Self {
        let dev_flag = if dev.is_empty() { 0 } else { 0x20 };
        self.body.push(0x40 | dev_flag | local);
        self.body.push(0);
        self.body.push(u8::from(be));
        let g = if be { global.to_be_bytes() } else { global.to_le_bytes() };
        self.body.extend_from_slice(&g);
        self.body.push(fields.len() as u8);
        for &(num, size, base) in fields {
            self.body.extend_from_slice(&[num, size, base]);
        }
        if !dev.is_empty() {
            self.body.push(dev.len() as u8);
            for &(num, size, index) in dev {
                self.body.extend_from_slice(&[num, size, index]);
            }
        }
        self
    }

    fn data(&mut self, local: u8, content: &[u8]) -> &mut Self {
        self.body.push(local);
        self.body.extend_from_slice(content);
        self
    }

    fn compressed(&mut self, local: u8, seconds: u8, content: &[u8]) -> &mut Self {
        self.body.push(0x80 | (local << 5) | (seconds & 0x1F));
        self.body.extend_from_slice(content);
        self
    }

    /// A file_id of type activity (local type 15).
    fn activity(&mut self) -> &mut Self {
        self.def(15, 0, false, &[(0, 1, ENUM), (1, 2, UINT16), (2, 2, UINT16)]);
        self.data(15, &[4, 1, 0, 0x89, 0x0A]) // garmin, product 2697 (fenix5)
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = vec![14, 0x20];
        out.extend_from_slice(&2100u16.to_le_bytes());
        out.extend_from_slice(&(self.body.len() as u32).to_le_bytes());
        out.extend_from_slice(b".FIT");
        let hc = fit::crc16(0, &out);
        out.extend_from_slice(&hc.to_le_bytes());
        out.extend_from_slice(&self.body);
        let fc = fit::crc16(0, &out);
        out.extend_from_slice(&fc.to_le_bytes());
        out
    }
}

fn le32(v: u32) -> [u8; 4] {
    v.to_le_bytes()
}

fn decode(bytes: &[u8]) -> Activity {
    let summary_only = fit::decode(bytes, &DecodeOptions { samples: false }).unwrap();
    let full = fit::decode(bytes, &DecodeOptions { samples: true }).unwrap();
    assert_eq!(summary_only.summary, full.summary);
    full
}

fn decode_err(bytes: &[u8]) -> DecodeError {
    fit::decode(bytes, &DecodeOptions { samples: false }).unwrap_err()
}

fn kinds(a: &Activity) -> Vec<ProblemKind> {
    a.summary.warnings.iter().map(|w| w.kind).collect()
}

/// A date well after 0x10000000 FIT seconds: 2021-01-01T00:00:00Z.
const T0: u32 = (1_609_459_200 - FIT_EPOCH_UNIX) as u32;

/// Record definition on local type 0: timestamp, heart rate.
fn record_def(f: &mut Fit) {
    f.def(0, 20, false, &[(253, 4, UINT32), (3, 1, UINT8)]);
}

#[test]
fn compressed_timestamps_roll_over_every_32_seconds() {
    let mut f = Fit::default();
    f.activity();
    record_def(&mut f);
    // Record definition without a timestamp, for compressed headers (local type 1).
    f.def(1, 20, false, &[(3, 1, UINT8)]);
    let base = (T0 & !0x1F) + 30; // low five bits = 30
    f.data(0, &[le32(base).as_slice(), &[100]].concat());
    f.compressed(1, 31, &[101]); // base + 1
    f.compressed(1, 2, &[102]); // rolls over: base + 4
    f.compressed(1, 2, &[103]); // same second again
    f.compressed(1, 10, &[104]); // base + 12
    let (a, raw) = fit::decode_with_raw_times(&f.bytes()).unwrap();
    let expected = [base, base + 1, base + 4, base + 4, base + 12];
    assert_eq!(raw, expected.map(Some).to_vec());
    let hr: Vec<f64> = a.samples.iter().map(|s| s.heart_rate_bpm.unwrap()).collect();
    assert_eq!(hr, vec![100.0, 101.0, 102.0, 103.0, 104.0]);
    assert_eq!(a.samples[4].time_s, Some(f64::from(base + 12) + FIT_EPOCH_UNIX as f64));
    assert_eq!(a.summary.records, 5);
    assert_eq!(a.summary.totals.elapsed_s, Some(12.0));
    assert!(a.summary.warnings.is_empty(), "{:?}", a.summary.warnings);
}

#[test]
fn big_endian_definitions_read_multi_byte_fields_in_their_order() {
    let mut f = Fit::default();
    f.activity();
    // Record, big endian: timestamp, lat, long, distance (cm), heart rate, altitude.
    f.def(
        2,
        20,
        true,
        &[
            (253, 4, UINT32),
            (0, 4, SINT32),
            (1, 4, SINT32),
            (5, 4, UINT32),
            (3, 1, UINT8),
            (2, 2, UINT16),
        ],
    );
    let lat: i32 = 536_870_912; // 45 degrees
    let lon: i32 = -268_435_456; // -22.5 degrees
    f.data(
        2,
        &[
            T0.to_be_bytes().as_slice(),
            &lat.to_be_bytes(),
            &lon.to_be_bytes(),
            &123_456u32.to_be_bytes(),
            &[150],
            &2600u16.to_be_bytes(), // 2600 / 5 - 500 = 20 m
        ]
        .concat(),
    );
    let a = decode(&f.bytes());
    let s = a.samples[0];
    assert_eq!(s.time_s, Some(f64::from(T0) + FIT_EPOCH_UNIX as f64));
    assert_eq!(s.lat_deg, Some(45.0));
    assert_eq!(s.lon_deg, Some(-22.5));
    assert_eq!(s.distance_m, Some(1234.56));
    assert_eq!(s.heart_rate_bpm, Some(150.0));
    assert_eq!(s.altitude_m, Some(20.0));
    assert_eq!(a.summary.records_with_position, 1);
    assert_eq!(a.summary.totals.start_time, Some(i64::from(T0) + FIT_EPOCH_UNIX));
}

#[test]
fn developer_fields_are_skipped_by_size() {
    let mut f = Fit::default();
    f.activity();
    // Record with a 5-byte developer field between the standard fields and the next message.
    f.def_dev(0, 20, false, &[(253, 4, UINT32), (3, 1, UINT8)], &[(0, 5, 0)]);
    f.data(0, &[le32(T0).as_slice(), &[120], &[0x03; 5]].concat());
    f.data(0, &[le32(T0 + 1).as_slice(), &[121], &[0x41; 5]].concat());
    let a = decode(&f.bytes());
    let hr: Vec<f64> = a.samples.iter().map(|s| s.heart_rate_bpm.unwrap()).collect();
    assert_eq!(hr, vec![120.0, 121.0]);
    assert!(a.summary.warnings.is_empty(), "{:?}", a.summary.warnings);
}

#[test]
fn an_undefined_local_type_stops_the_decode_and_keeps_what_was_read() {
    let mut f = Fit::default();
    f.activity();
    record_def(&mut f);
    f.data(0, &[le32(T0).as_slice(), &[90]].concat());
    f.data(0, &[le32(T0 + 1).as_slice(), &[91]].concat());
    f.data(7, &[1, 2, 3, 4, 5]); // local type 7 was never defined
    f.data(0, &[le32(T0 + 2).as_slice(), &[92]].concat());
    let a = decode(&f.bytes());
    assert_eq!(a.summary.records, 2);
    assert_eq!(kinds(&a), vec![ProblemKind::BadStructure]);
    let w = &a.summary.warnings[0];
    // Header (14) + file_id definition (15) and message (6) + record definition (12) + two
    // records (6 each).
    assert_eq!(w.offset, Some(14 + 15 + 6 + 12 + 12));
}

#[test]
fn chained_files_add_up_and_a_bad_crc_is_a_warning() {
    let mut one = Fit::default();
    one.activity();
    record_def(&mut one);
    // Session: start_time, sport, total_distance (cm), total_elapsed_time (ms), timer (ms).
    let session_def =
        [(2, 4, UINT32), (5, 1, ENUM), (9, 4, UINT32), (7, 4, UINT32), (8, 4, UINT32)];
    one.data(0, &[le32(T0).as_slice(), &[100]].concat());
    one.def(3, 18, false, &session_def);
    one.data(
        3,
        &[le32(T0).as_slice(), &[1], &le32(500_000), &le32(1_800_000), &le32(1_700_000)].concat(),
    );
    let mut two = Fit::default();
    two.activity();
    record_def(&mut two);
    two.data(0, &[le32(T0 + 4000).as_slice(), &[110]].concat());
    two.data(0, &[le32(T0 + 4001).as_slice(), &[0xFF]].concat()); // invalid heart rate
    two.def(3, 18, false, &session_def);
    two.data(
        3,
        &[le32(T0 + 4000).as_slice(), &[1], &le32(250_000), &le32(900_000), &le32(800_000)]
            .concat(),
    );
    let mut bytes = one.bytes();
    bytes.extend_from_slice(&two.bytes());
    let a = decode(&bytes);
    let s = &a.summary;
    assert_eq!(s.records, 3);
    assert_eq!(s.records_with_hr, 2);
    assert_eq!(s.sessions.len(), 2);
    assert_eq!(s.totals.distance_m, Some(7500.0));
    assert_eq!(s.totals.elapsed_s, Some(2700.0));
    assert_eq!(s.totals.timer_s, Some(2500.0));
    assert_eq!(s.totals.sport, "running");
    assert_eq!(s.totals.start_time, Some(i64::from(T0) + FIT_EPOCH_UNIX));
    assert_eq!(s.end_time, Some(i64::from(T0 + 4900) + FIT_EPOCH_UNIX));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);

    // Spoil the last file's CRC: the data still decodes, with a warning at the CRC.
    let n = bytes.len();
    bytes[n - 1] ^= 0x55;
    let damaged = decode(&bytes);
    assert_eq!(damaged.summary.records, 3);
    assert_eq!(kinds(&damaged), vec![ProblemKind::BadCrc]);
    assert_eq!(damaged.summary.warnings[0].offset, Some(n as u64 - 2));
}

#[test]
fn invalid_values_are_not_counted() {
    let mut f = Fit::default();
    f.activity();
    f.def(0, 20, false, &[(253, 4, UINT32), (0, 4, SINT32), (1, 4, SINT32), (3, 1, UINT8)]);
    let valid = 100_000i32.to_le_bytes();
    let invalid = i32::MAX.to_le_bytes();
    f.data(0, &[le32(T0).as_slice(), &valid, &valid, &[0xFF]].concat());
    f.data(0, &[le32(T0 + 1).as_slice(), &valid, &invalid, &[80]].concat());
    f.data(0, &[le32(T0 + 2).as_slice(), &invalid, &invalid, &[0xFF]].concat());
    let a = decode(&f.bytes());
    assert_eq!(a.summary.records, 3);
    assert_eq!(a.summary.records_with_position, 1);
    assert_eq!(a.summary.records_with_hr, 1);
    assert_eq!(a.summary.totals.max_hr, Some(80.0));
    assert_eq!(a.samples[1].lat_deg, None);
}

#[test]
fn compressed_speed_distance_accumulates_across_the_12_bit_rollover() {
    let mut f = Fit::default();
    f.activity();
    f.def(0, 20, false, &[(253, 4, UINT32), (8, 3, BYTE)]);
    // speed 12 bits (1/100 m/s), distance 12 bits (1/16 m).
    let csd = |speed: u16, dist: u16| {
        [
            (speed & 0xFF) as u8,
            ((speed >> 8) as u8 & 0x0F) | ((dist as u8 & 0x0F) << 4),
            (dist >> 4) as u8,
        ]
    };
    f.data(0, &[le32(T0).as_slice(), &csd(350, 4000)].concat());
    f.data(0, &[le32(T0 + 1).as_slice(), &csd(360, 4090)].concat());
    f.data(0, &[le32(T0 + 2).as_slice(), &csd(370, 40)].concat()); // wrapped: +46
    f.data(0, &[le32(T0 + 3).as_slice(), &[0xFF, 0xFF, 0xFF]].concat()); // invalid
    let a = decode(&f.bytes());
    let d: Vec<Option<f64>> = a.samples.iter().map(|s| s.distance_m).collect();
    assert_eq!(d, vec![Some(250.0), Some(255.625), Some(258.5), None]);
    assert_eq!(a.samples[2].speed_mps, Some(3.7));
    assert_eq!(a.summary.totals.distance_m, Some(258.5));
}

#[test]
fn relative_timestamps_resolve_against_timestamp_correlation() {
    let rel = 5_000u32; // five thousand seconds after power-on
    let mut f = Fit::default();
    f.activity();
    record_def(&mut f);
    f.data(0, &[le32(rel).as_slice(), &[100]].concat());
    // timestamp_correlation: timestamp (UTC) and system_timestamp.
    f.def(4, 162, false, &[(253, 4, UINT32), (1, 4, UINT32)]);
    f.data(4, &[le32(T0).as_slice(), &le32(rel - 10)].concat());
    f.data(0, &[le32(rel + 1).as_slice(), &[101]].concat());
    let a = decode(&f.bytes());
    assert_eq!(a.summary.totals.start_time, Some(i64::from(T0 + 10) + FIT_EPOCH_UNIX));
    assert_eq!(a.samples[1].time_s, Some(f64::from(T0 + 11) + FIT_EPOCH_UNIX as f64));
    assert!(a.summary.warnings.is_empty());
}

#[test]
fn relative_timestamps_resolve_against_an_absolute_time_created() {
    let rel = 700u32;
    let mut f = Fit::default();
    // file_id with an absolute time_created.
    f.def(15, 0, false, &[(0, 1, ENUM), (4, 4, UINT32)]);
    f.data(15, &[[4u8].as_slice(), &le32(T0)].concat());
    record_def(&mut f);
    f.data(0, &[le32(rel).as_slice(), &[100]].concat());
    f.data(0, &[le32(rel + 60).as_slice(), &[101]].concat());
    let a = decode(&f.bytes());
    assert_eq!(a.summary.totals.start_time, Some(i64::from(T0) + FIT_EPOCH_UNIX));
    assert_eq!(a.summary.end_time, Some(i64::from(T0) + 60 + FIT_EPOCH_UNIX));
}

#[test]
fn unresolvable_relative_timestamps_give_no_start_and_a_warning() {
    let mut f = Fit::default();
    f.activity();
    record_def(&mut f);
    f.data(0, &[le32(700).as_slice(), &[100]].concat());
    f.data(0, &[le32(760).as_slice(), &[101]].concat());
    let a = decode(&f.bytes());
    assert_eq!(a.summary.totals.start_time, None);
    assert_eq!(a.summary.end_time, None);
    assert_eq!(a.summary.totals.elapsed_s, Some(60.0));
    assert_eq!(a.samples[0].time_s, None);
    assert_eq!(kinds(&a), vec![ProblemKind::Unsupported]);
}

#[test]
fn damaged_headers() {
    let mut f = Fit::default();
    f.activity();
    record_def(&mut f);
    for i in 0..3u32 {
        f.data(0, &[le32(T0 + i).as_slice(), &[100]].concat());
    }
    let good = f.bytes();
    assert!(decode(&good).summary.warnings.is_empty());

    // A wrong header CRC.
    let mut bad = good.clone();
    bad[12] ^= 0xFF;
    // The file CRC covers the header too: make it right again.
    let n = bad.len();
    let fc = fit::crc16(0, &bad[..n - 2]);
    bad[n - 2..].copy_from_slice(&fc.to_le_bytes());
    let a = decode(&bad);
    assert_eq!(a.summary.records, 3);
    assert_eq!(kinds(&a), vec![ProblemKind::BadCrc]);
    assert_eq!(a.summary.warnings[0].offset, Some(12));

    // data_size 0: read to the last complete message.
    let mut open = good.clone();
    open[4..8].copy_from_slice(&[0; 4]);
    let a = decode(&open);
    assert_eq!(a.summary.records, 3);
    assert!(kinds(&a).contains(&ProblemKind::Truncated));

    // Cut in the middle of the last record.
    let cut = &good[..good.len() - 5];
    let a = decode(cut);
    assert_eq!(a.summary.records, 2);
    assert_eq!(kinds(&a), vec![ProblemKind::Truncated]);

    // Not FIT at all, and too short to be.
    assert_eq!(decode_err(b"<?xml version='1.0'?><gpx></gpx>").kind, ProblemKind::BadHeader);
    assert_eq!(decode_err(&good[..10]).kind, ProblemKind::BadHeader);
    assert_eq!(decode_err(&[]).kind, ProblemKind::NotActivityFile);
}

#[test]
fn files_that_are_not_activities() {
    let mut f = Fit::default();
    f.def(0, 0, false, &[(0, 1, ENUM)]);
    f.data(0, &[2]); // settings
    let e = decode_err(&f.bytes());
    assert_eq!(e.kind, ProblemKind::NotActivityFile);
    assert!(e.message.contains("settings"), "{e}");

    // An activity file with nothing in it.
    let mut f = Fit::default();
    f.activity();
    assert_eq!(decode_err(&f.bytes()).kind, ProblemKind::NotActivityFile);
}

#[test]
fn several_sessions_sum_and_weight_heart_rate_by_timer_time() {
    let mut f = Fit::default();
    f.activity();
    // Session: start, sport, sub_sport, distance, elapsed, timer, avg hr, max hr, ascent, laps.
    f.def(
        1,
        18,
        false,
        &[
            (2, 4, UINT32),
            (5, 1, ENUM),
            (6, 1, ENUM),
            (9, 4, UINT32),
            (7, 4, UINT32),
            (8, 4, UINT32),
            (16, 1, UINT8),
            (17, 1, UINT8),
            (22, 2, UINT16),
            (26, 2, UINT16),
        ],
    );
    let session = |start: u32, sport: u8, dist_cm: u32, timer_ms: u32, avg: u8, max: u8| {
        [
            le32(start).as_slice(),
            &[sport, 0],
            &le32(dist_cm),
            &le32(timer_ms + 1000),
            &le32(timer_ms),
            &[avg, max],
            &10u16.to_le_bytes(),
            &2u16.to_le_bytes(),
        ]
        .concat()
    };
    f.data(1, &session(T0 + 100, 5, 150_000, 1_000_000, 140, 150)); // swim 1000 s
    f.data(1, &session(T0 + 1200, 3, 10_000, 100_000, 150, 170)); // transition 100 s
    f.data(1, &session(T0, 2, 3_000_000, 3_000_000, 120, 160)); // bike 3000 s
    let a = decode(&f.bytes());
    let s = &a.summary;
    assert_eq!(s.totals.sport, "multisport");
    assert_eq!(s.totals.sub_sport, None);
    assert_eq!(
        s.sessions.iter().map(|x| x.sport.as_str()).collect::<Vec<_>>(),
        ["swimming", "transition", "cycling"]
    );
    // The first session in file order gives the start, even though a later one starts earlier.
    assert_eq!(s.totals.start_time, Some(i64::from(T0 + 100) + FIT_EPOCH_UNIX));
    assert_eq!(s.totals.distance_m, Some(31_600.0));
    assert_eq!(s.totals.timer_s, Some(4100.0));
    assert_eq!(s.totals.elapsed_s, Some(4103.0));
    assert_eq!(s.totals.max_hr, Some(170.0));
    let avg = (140.0 * 1000.0 + 150.0 * 100.0 + 120.0 * 3000.0) / 4100.0;
    assert!((s.totals.avg_hr.unwrap() - avg).abs() < 1e-9, "{:?} != {avg}", s.totals.avg_hr);
    assert_eq!(s.totals.ascent_m, Some(30.0));
    assert_eq!(s.totals.laps, Some(6));
    assert_eq!(s.device.as_ref().unwrap().manufacturer.as_deref(), Some("garmin"));
    assert_eq!(s.device.as_ref().unwrap().product.as_deref(), Some("fenix5"));
}

#[test]
fn fields_with_an_unusual_base_type_are_read_by_that_type() {
    let mut f = Fit::default();
    f.activity();
    // Heart rate written as uint16 and timestamp as uint32z: unusual, and still valid FIT.
    f.def(0, 20, false, &[(253, 4, 0x8C), (3, 2, UINT16)]);
    f.data(0, &[le32(T0).as_slice(), &130u16.to_le_bytes()].concat());
    f.data(0, &[le32(T0 + 1).as_slice(), &u16::MAX.to_le_bytes()].concat());
    f.data(0, &[le32(0).as_slice(), &131u16.to_le_bytes()].concat()); // uint32z: 0 is invalid
    let (a, raw) = fit::decode_with_raw_times(&f.bytes()).unwrap();
    assert_eq!(a.summary.records, 3);
    assert_eq!(a.summary.records_with_hr, 2);
    assert_eq!(a.summary.totals.max_hr, Some(131.0));
    assert_eq!(raw, vec![Some(T0), Some(T0 + 1), None]);
}

#[test]
fn the_watchs_resting_heart_rate_is_read_from_the_user_profile() {
    let mut f = Fit::default();
    f.activity();
    // user_profile (global 3): weight (field 4, uint16) then resting_heart_rate (field 8).
    f.def(2, 3, false, &[(4, 2, UINT16), (8, 1, UINT8)]);
    f.data(2, &[0x2C, 0x1A, 48]);
    record_def(&mut f);
    f.data(0, &[&le32(T0)[..], &[120]].concat());
    assert_eq!(decode(&f.bytes()).summary.rest_hr, Some(48.0));
    // The invalid sentinel (0xFF) and an implausible 7 are not a resting heart rate.
    for bad in [0xFF, 7] {
        let mut g = Fit::default();
        g.activity();
        g.def(2, 3, false, &[(8, 1, UINT8)]);
        g.data(2, &[bad]);
        record_def(&mut g);
        g.data(0, &[&le32(T0)[..], &[120]].concat());
        assert_eq!(decode(&g.bytes()).summary.rest_hr, None, "{bad}");
    }
}
