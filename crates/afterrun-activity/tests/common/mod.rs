//! What the integration tests share: the corpus beside the workspace (`../shared/corpus`) and
//! the reference times its files are checked against. Each test binary uses a part of it.
// Not every test binary uses every helper; a panic in a helper is a test failure with its message.
#![allow(dead_code, clippy::expect_used)]

use std::path::PathBuf;

/// The shared corpus, read only from `../shared/corpus` beside the workspace.
pub fn corpus() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    assert!(dir.join("reference").is_dir(), "the shared corpus is not at {}", dir.display());
    dir
}

/// The bytes of a corpus file, by its path inside the corpus (`fit/….fit`).
pub fn corpus_file(rel: &str) -> Vec<u8> {
    std::fs::read(corpus().join(rel)).expect("corpus file")
}

/// The names of the `.fit` files in the corpus's `fit/` folder, sorted.
pub fn fit_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus().join("fit"))
        .expect("corpus fit folder")
        .map(|e| e.expect("dir entry").file_name().into_string().expect("UTF-8 file name"))
        .filter(|n| n.ends_with(".fit"))
        .collect();
    names.sort();
    names
}

/// Unix seconds of an ISO-8601 UTC time `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso_to_unix(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().expect("an ISO-8601 UTC time").as_second()
}

/// Unix seconds of a device-local time printed as `Sun Sep 25 06:00:22 PDT 2011`.
pub fn local_to_unix(s: &str) -> i64 {
    let parts: Vec<&str> = s.split_whitespace().collect();
    assert_eq!(parts.len(), 6, "unexpected time {s:?}");
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| *m == parts[1])
        .expect("a month name") as i8
        + 1;
    let day: i8 = parts[2].parse().expect("a day");
    let hms: Vec<i8> = parts[3].split(':').map(|x| x.parse().expect("hh:mm:ss")).collect();
    let offset_h: i8 = match parts[4] {
        "PDT" => -7,
        "PST" => -8,
        "UTC" | "GMT" => 0,
        z => panic!("unknown zone {z}"),
    };
    let year: i16 = parts[5].parse().expect("a year");
    let local = jiff::civil::date(year, month, day).at(hms[0], hms[1], hms[2], 0);
    jiff::tz::offset(offset_h).to_timestamp(local).expect("a time jiff holds").as_second()
}
