//! Export archives built by the test from corpus files, in a temporary folder (never committed):
//! a Strava-shaped export (`activities.csv` + `activities/*.fit.gz|*.gpx|*.tcx`, as a zip and as
//! a `.tar.gz`) and a Garmin-shaped one (a nested `UploadedFiles_0-_Part1.zip` under
//! `DI_CONNECT/`), each with corrupt members. Every member must come out with its own result,
//! and the good ones must decode exactly as the same file on its own. A zip bomb is refused.

// A panic in a test helper is a test failure with its message: that is what they are for.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

mod common;

use afterrun_activity::archive::{self, Entry, Limits};
use afterrun_activity::{DecodeOptions, ProblemKind, Summary, decode};
use common::corpus_file;
use zip::write::SimpleFileOptions;

/// A fresh temporary folder for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("afterrun-archives-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

fn zip_of(members: &[(&str, &[u8])], stored: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method =
        if stored { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
    let options = SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in members {
        w.start_file(*name, options).expect("zip member");
        w.write_all(bytes).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

fn tar_gz_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(enc);
    for (name, bytes) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, *bytes).expect("tar member");
    }
    tar.into_inner().expect("tar").finish().expect("gzip")
}

/// What the walk gave for one path: a summary, or the error kind.
#[derive(Debug)]
enum Got {
    Ok(Box<Summary>),
    Failed(ProblemKind, String),
}

/// Walks an archive file and decodes every member, as `inspect` does.
fn walk_file(
    path: &Path,
    limits: &Limits,
) -> (BTreeMap<String, Got>, Vec<(String, archive::Catalog)>) {
    let name = path.display().to_string();
    let file = std::io::BufReader::new(std::fs::File::open(path).expect("open archive"));
    let mut got = BTreeMap::new();
    let mut catalogs = Vec::new();
    let options = DecodeOptions { samples: false };
    archive::walk(&name, file, limits, &mut |entry| match entry {
        Entry::File { path, bytes } => {
            let v = match decode(bytes, Some(path), &options) {
                Ok(a) => Got::Ok(Box::new(a.summary)),
                Err(e) => Got::Failed(e.kind, e.message),
            };
            let rel = path.split_once("!/").map_or(path, |(_, r)| r).to_owned();
            assert!(got.insert(rel, v).is_none(), "member reported twice: {path}");
        }
        Entry::Failed { path, error } => {
            let rel = path.split_once("!/").map_or(path, |(_, r)| r).to_owned();
            got.insert(rel, Got::Failed(error.kind, error.message));
        }
        Entry::Catalog { base, catalog } => catalogs.push((base.to_owned(), catalog)),
    })
    .expect("the archive as a whole is readable");
    (got, catalogs)
}

fn alone(bytes: &[u8]) -> Summary {
    decode(bytes, None, &DecodeOptions { samples: false }).expect("decodes alone").summary
}

fn assert_same(got: &Got, expected: &Summary, what: &str) {
    match got {
        Got::Ok(s) => assert_eq!(**s, *expected, "{what}: differs from the file decoded alone"),
        Got::Failed(kind, message) => panic!("{what}: failed ({kind}: {message})"),
    }
}

const FIT_A: &str = "fit/sportslib-runs__2067489619.fit";
const FIT_B: &str = "fit/pyfitparse__garmin-fenix-5-run.fit";
const GPX: &str = "gpx/sportslib-runs__2067489619.gpx";
const TCX: &str = "tcx/tcxparser__test.tcx";

fn strava_members() -> Vec<(&'static str, Vec<u8>)> {
    let csv = "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Filename\n\
               1,\"Oct 8, 2017, 2:54:11 PM\",\"Sunday \"\"long\"\" run\",Run,\"first line\nsecond line\",2824,activities/1.fit.gz\n\
               2,\"Oct 8, 2017, 2:54:11 PM\",Same run as GPX,Run,,2818,activities/2.gpx\n\
               3,\"Dec 26, 2012\",Treadmill,Run,,1992,activities/3.tcx\n\
               4,\"Dec 26, 2012\",Broken upload,Ride,,10,activities/4.fit.gz\n\
               5,\"Dec 26, 2012\",Manual entry,Run,,1800,\n";
    let mut broken = gzip(&corpus_file(FIT_B));
    let cut = broken.len() / 2;
    broken.truncate(cut);
    vec![
        ("export_123/activities.csv", csv.as_bytes().to_vec()),
        ("export_123/activities/1.fit.gz", gzip(&corpus_file(FIT_A))),
        ("export_123/activities/2.gpx", corpus_file(GPX)),
        ("export_123/activities/3.tcx", corpus_file(TCX)),
        ("export_123/activities/4.fit.gz", broken),
        ("export_123/media/photo.jpg", b"\xff\xd8\xff\xe0 not an activity".to_vec()),
        ("export_123/profile.csv", b"a,b\n1,2\n".to_vec()),
    ]
}

fn check_strava(got: &BTreeMap<String, Got>, catalogs: &[(String, archive::Catalog)]) {
    assert_eq!(
        got.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "export_123/activities/1.fit.gz",
            "export_123/activities/2.gpx",
            "export_123/activities/3.tcx",
            "export_123/activities/4.fit.gz"
        ],
        "one result per activity file, photos and other CSVs left out"
    );
    assert_same(&got["export_123/activities/1.fit.gz"], &alone(&corpus_file(FIT_A)), "1.fit.gz");
    assert_same(&got["export_123/activities/2.gpx"], &alone(&corpus_file(GPX)), "2.gpx");
    assert_same(&got["export_123/activities/3.tcx"], &alone(&corpus_file(TCX)), "3.tcx");
    match &got["export_123/activities/4.fit.gz"] {
        Got::Failed(kind, message) => {
            assert_ne!(*kind, ProblemKind::NotActivityFile, "{message}");
            assert!(!message.is_empty());
        }
        // A cut gzip may still yield a readable FIT prefix: then it must say it was damaged.
        Got::Ok(s) => assert!(!s.warnings.is_empty(), "a cut member read without a warning"),
    }
    assert_eq!(catalogs.len(), 1);
    let (base, catalog) = &catalogs[0];
    assert!(base.ends_with("!/export_123/"), "{base}");
    assert_eq!(catalog.entries.len(), 4, "the row without a file is skipped");
    assert_eq!(
        catalog.lookup("activities/1.fit.gz").map(|e| e.name.as_str()),
        Some("Sunday \"long\" run")
    );
    assert_eq!(catalog.lookup("activities/4.fit.gz").map(|e| e.kind.as_str()), Some("Ride"));
}

/// Writes the Strava-shaped export packed by `pack` as `file`, walks it and checks every member.
fn check_strava_export(dir_name: &str, file: &str, pack: impl Fn(&[(&str, &[u8])]) -> Vec<u8>) {
    let dir = temp_dir(dir_name);
    let members = strava_members();
    let refs: Vec<(&str, &[u8])> = members.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    let path = dir.join(file);
    std::fs::write(&path, pack(&refs)).expect("write archive");
    let (got, catalogs) = walk_file(&path, &Limits::default());
    check_strava(&got, &catalogs);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn strava_export_as_zip_imports_completely() {
    check_strava_export("strava-zip", "export_123.zip", |members| zip_of(members, false));
}

#[test]
fn strava_export_as_tar_gz_imports_completely() {
    check_strava_export("strava-tgz", "export_123.tar.gz", tar_gz_of);
}

#[test]
fn garmin_export_with_nested_zip_imports_completely() {
    let dir = temp_dir("garmin");
    let fit_a = corpus_file(FIT_A);
    let fit_b = corpus_file(FIT_B);
    let gpx = corpus_file(GPX);
    // A member whose stored bytes are damaged inside the zip: its CRC no longer matches.
    let mut damaged = corpus_file("fit/pyfitparse__garmin-fenix-5-walk.fit");
    let marker = damaged.len() / 2;
    damaged[marker] ^= 0xff;
    let original_walk = corpus_file("fit/pyfitparse__garmin-fenix-5-walk.fit");
    let inner_members: Vec<(&str, &[u8])> = vec![
        ("a_run.fit", &fit_a),
        ("b_run.fit", &fit_b),
        ("c_garbage.fit", b"this is not a fit file at all, only text"),
        ("d_empty.fit", b""),
        ("e_walk.fit", &original_walk),
        ("f_track.gpx", &gpx),
    ];
    let mut inner = zip_of(&inner_members, true);
    // Flip the same byte inside the stored copy of e_walk.fit, after the zip was written.
    let at = find(&inner, &original_walk).expect("stored member bytes") + marker;
    inner[at] ^= 0xff;
    let outer_members: Vec<(&str, &[u8])> = vec![
        ("DI_CONNECT/DI-Connect-Fitness/profile.json", b"{}"),
        ("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", &inner),
    ];
    let path = dir.join("garmin_export.zip");
    std::fs::write(&path, zip_of(&outer_members, false)).expect("write zip");
    let (got, _) = walk_file(&path, &Limits::default());
    let p = "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip!/";
    let keys: Vec<&str> = got.keys().map(String::as_str).collect();
    let expected: Vec<String> =
        ["a_run.fit", "b_run.fit", "c_garbage.fit", "d_empty.fit", "e_walk.fit", "f_track.gpx"]
            .iter()
            .map(|m| format!("{p}{m}"))
            .collect();
    assert_eq!(keys, expected.iter().map(String::as_str).collect::<Vec<_>>());
    assert_same(&got[&expected[0]], &alone(&fit_a), "a_run.fit");
    assert_same(&got[&expected[1]], &alone(&fit_b), "b_run.fit");
    assert!(
        matches!(got[&expected[2]], Got::Failed(ProblemKind::Unsupported, _)),
        "{:?}",
        got[&expected[2]]
    );
    assert!(
        matches!(got[&expected[3]], Got::Failed(ProblemKind::NotActivityFile, _)),
        "{:?}",
        got[&expected[3]]
    );
    assert!(
        matches!(got[&expected[4]], Got::Failed(ProblemKind::BadCrc, _)),
        "{:?}",
        got[&expected[4]]
    );
    assert_same(&got[&expected[5]], &alone(&gpx), "f_track.gpx");
    let _ = std::fs::remove_dir_all(&dir);
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn zip_bomb_is_refused_with_a_clear_error() {
    let dir = temp_dir("bomb");
    // 16 MiB of zeros deflate to about 16 KiB: a ratio near 1000.
    let zeros = vec![0u8; 16 << 20];
    let fit = corpus_file(FIT_A);
    let members: Vec<(&str, &[u8])> = vec![("bomb.fit", &zeros), ("run.fit", &fit)];
    let path = dir.join("bomb.zip");
    std::fs::write(&path, zip_of(&members, false)).expect("write zip");
    let (got, _) = walk_file(&path, &Limits::default());
    match &got["bomb.fit"] {
        Got::Failed(ProblemKind::Unsupported, message) => {
            assert!(message.contains("refused") && message.contains("zip bomb"), "{message}");
        }
        other => panic!("bomb not refused: {other:?}"),
    }
    assert_same(&got["run.fit"], &alone(&fit), "the member after the bomb");

    // The same bomb as a top-level .gz stops the whole input.
    let gz = dir.join("bomb.fit.gz");
    std::fs::write(&gz, gzip(&zeros)).expect("write gz");
    let file = std::fs::File::open(&gz).expect("open");
    let err = archive::walk("bomb.fit.gz", file, &Limits::default(), &mut |_| {}).unwrap_err();
    assert!(err.message.contains("zip bomb"), "{}", err.message);

    // Too many entries: refused before anything is decompressed.
    let limits = Limits { max_entries: 1, ..Limits::default() };
    let file = std::fs::File::open(&path).expect("open");
    let mut seen = 0;
    let err = archive::walk("bomb.zip", file, &limits, &mut |_| seen += 1).unwrap_err();
    assert!(err.message.contains("entries"), "{}", err.message);
    assert_eq!(seen, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn gzipped_single_files_and_plain_files() {
    let gpx = corpus_file(GPX);
    let mut seen = Vec::new();
    archive::walk("run.gpx.gz", std::io::Cursor::new(gzip(&gpx)), &Limits::default(), &mut |e| {
        if let Entry::File { path, bytes } = e {
            seen.push((path.to_owned(), bytes.to_vec()));
        }
    })
    .expect("walk");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, "run.gpx.gz");
    assert_eq!(seen[0].1, gpx);

    let mut plain = Vec::new();
    archive::walk("run.gpx", std::io::Cursor::new(gpx.clone()), &Limits::default(), &mut |e| {
        if let Entry::File { path, bytes } = e {
            plain.push((path.to_owned(), bytes.len()));
        }
    })
    .expect("walk");
    assert_eq!(plain, vec![("run.gpx".to_owned(), gpx.len())]);
}

/// A gzip stream whose trailer's CRC-32 (the 4 bytes before the length) no longer matches.
fn gzip_with_bad_crc(bytes: &[u8]) -> Vec<u8> {
    let mut gz = gzip(bytes);
    let at = gz.len() - 8;
    gz[at] ^= 0x5a;
    gz
}

/// The kind a walk of `archive` (as `name`) reports for its one failing member, or for itself.
fn failure_kind(name: &str, archive: Vec<u8>) -> ProblemKind {
    let mut kinds = Vec::new();
    let walked = archive::walk(name, std::io::Cursor::new(archive), &Limits::default(), &mut |e| {
        if let Entry::Failed { error, .. } = e {
            kinds.push(error.kind);
        }
    });
    match walked {
        Err(e) => e.kind,
        Ok(()) => {
            assert_eq!(kinds.len(), 1, "{kinds:?}");
            kinds[0]
        }
    }
}

#[test]
fn a_gzip_member_or_file_that_fails_its_checksum_is_bad_crc_and_a_cut_one_is_not() {
    let gpx = corpus_file(GPX);
    let bad = gzip_with_bad_crc(&gpx);
    // Inside a zip: every byte comes out, and the trailer's CRC-32 is not theirs.
    let zipped = zip_of(&[("activities/run.gpx.gz", &bad)], false);
    assert_eq!(failure_kind("export.zip", zipped), ProblemKind::BadCrc);
    // A gzip file on its own.
    assert_eq!(failure_kind("run.gpx.gz", bad), ProblemKind::BadCrc);
    // A wrong length in the trailer is not a checksum failure of the bytes.
    let mut long = gzip(&gpx);
    let at = long.len() - 1;
    long[at] ^= 0x01;
    assert_ne!(failure_kind("run.gpx.gz", long), ProblemKind::BadCrc);
    // Cut in the middle: the bytes never all came out, so it is no checksum failure.
    let mut cut = gzip(&gpx);
    cut.truncate(cut.len() / 2);
    let zipped = zip_of(&[("activities/run.gpx.gz", &cut)], false);
    assert_ne!(failure_kind("export.zip", zipped), ProblemKind::BadCrc);
}

#[test]
fn plain_files_through_one_reused_buffer() {
    let fit = corpus_file(FIT_A);
    let gpx = corpus_file(GPX);
    let mut buffer = Vec::new();
    // A long file, a short one after it (the buffer must not keep the long one's tail), a file
    // shorter than the sniff window, an empty one, and an archive in between.
    let tiny = b"not an activity".to_vec();
    let zipped = zip_of(&[("a.gpx", &gpx)], false);
    for (name, bytes) in [
        ("a.fit", &fit),
        ("b.gpx", &gpx),
        ("c.txt", &tiny),
        ("e.zip", &zipped),
        ("d.fit", &Vec::new()),
        ("a.fit", &fit),
    ] {
        let mut seen = Vec::new();
        let reader = std::io::Cursor::new(bytes.clone());
        archive::walk_reusing(name, reader, &Limits::default(), &mut buffer, &mut |e| {
            if let Entry::File { path, bytes } = e {
                seen.push((path.to_owned(), bytes.to_vec()));
            }
        })
        .expect("walk");
        if name.ends_with(".zip") {
            assert_eq!(seen, vec![("e.zip!/a.gpx".to_owned(), gpx.clone())]);
        } else {
            assert_eq!(seen, vec![(name.to_owned(), bytes.clone())], "{name}");
        }
    }
    // A member limit below the sniff window still refuses a larger file, without overflow.
    let limits = Limits { max_member_bytes: 100, ..Limits::default() };
    let reader = std::io::Cursor::new(fit.clone());
    let e = archive::walk_reusing("a.fit", reader, &limits, &mut buffer, &mut |_| {})
        .expect_err("larger than the member limit");
    assert_eq!(e.kind, ProblemKind::Unsupported);
    let reader = std::io::Cursor::new(tiny.clone());
    let mut seen = 0;
    archive::walk_reusing("c.txt", reader, &limits, &mut buffer, &mut |_| seen += 1)
        .expect("a file within the limit");
    assert_eq!(seen, 1);
}
