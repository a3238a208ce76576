//! `afterrun import --watch` and the safety of walking folders, as a user runs them: the real
//! binary against a real SQLite file in a temporary folder, fed with corpus files copied in
//! while it runs (written at once, into a watch's `GARMIN/Activity`, slowly in two halves, and
//! twice under two names, beside a FIFO and a link loop), stopped with SIGTERM or SIGINT, and
//! in `serve --watch`; and folders holding a symbolic-link loop and a FIFO, which `import` and
//! `inspect` skip without blocking.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed unwrap is a failed test

mod common;

use common::{afterrun, afterrun_on, corpus, sha256, sqlite, temp_dir};

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long a file's line may take after the file is complete (the promise is 2 s; the rest
/// is slack for a loaded machine).
const LINE_WITHIN: Duration = Duration::from_secs(3);

/// A running `import --watch --json`: its stdout lines as they come, and its stderr.
struct Watching {
    child: Child,
    lines: mpsc::Receiver<Value>,
    seen: Vec<Value>,
    stderr: mpsc::Receiver<String>,
}

impl Watching {
    /// Starts the watch and waits until it says it is watching.
    fn start(dir: &Path, db: &Path, extra: &[&str]) -> Watching {
        let db = sqlite(db);
        let dir = dir.display().to_string();
        let mut args = vec!["import", "--watch", &dir, "--json", "--db", &db];
        args.extend_from_slice(extra);
        let mut child =
            afterrun(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let (line_tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let _ = line_tx.send(serde_json::from_str(&line.unwrap()).unwrap());
            }
        });
        let (err_tx, stderr) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let _ = err_tx.send(line.unwrap());
            }
        });
        let mut watching = Watching { child, lines, seen: Vec::new(), stderr };
        watching.wait_for_stderr("watching", Duration::from_secs(10));
        watching
    }

    fn wait_for_stderr(&mut self, text: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no {text:?} on stderr within {within:?}");
    }

    /// The line of the file whose name ends with `suffix`, waiting for it at most `within`.
    fn line_for(&mut self, suffix: &str, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            if let Some(line) = self.seen.iter().find(|l| file_of(l).ends_with(suffix)) {
                return line.clone();
            }
            let left = deadline.checked_duration_since(Instant::now());
            match left.and_then(|left| self.lines.recv_timeout(left).ok()) {
                Some(line) => self.seen.push(line),
                None => panic!("no line for {suffix} within {within:?}; lines: {:?}", self.seen),
            }
        }
    }

    /// Collects the lines printed within `wait`.
    fn drain(&mut self, wait: Duration) {
        let deadline = Instant::now() + wait;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => break,
            }
        }
    }

    /// Sends the signal (`TERM`, `INT`); returns the exit code and every line printed.
    fn stop_with(mut self, signal: &str) -> (i32, Vec<Value>) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args([&format!("-{signal}"), &pid]).status().unwrap();
        assert!(sent.success());
        let code = wait_with_timeout(&mut self.child, Duration::from_secs(10));
        self.drain(Duration::from_millis(200));
        (code, self.seen)
    }
}

fn file_of(line: &Value) -> &str {
    line.get("file").and_then(Value::as_str).unwrap_or("")
}

/// Waits for a child at most `limit`, killing it (and failing) if it has not ended.
fn wait_with_timeout(child: &mut Child, limit: Duration) -> i32 {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the command did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Copies a corpus file into the watched folder as `to` (the copy is complete on return).
fn copy_in(corpus_file: &str, to: &Path) -> Vec<u8> {
    let bytes = std::fs::read(corpus().join(corpus_file)).unwrap();
    std::fs::write(to, &bytes).unwrap();
    bytes
}

/// Writes a corpus file as `to` in two halves, 1.5 s apart, holding it open in between as a
/// slow copy does; returns its bytes once it is complete.
fn write_slowly(corpus_file: &str, to: &Path) -> Vec<u8> {
    let bytes = std::fs::read(corpus().join(corpus_file)).unwrap();
    let (first, second) = bytes.split_at(bytes.len() / 2);
    let mut file = std::fs::File::create(to).unwrap();
    file.write_all(first).unwrap();
    file.flush().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    file.write_all(second).unwrap();
    drop(file);
    bytes
}

/// A fresh folder (`tag`) holding a folder to watch and a store beside it: the three paths.
fn watched_folder(tag: &str) -> (PathBuf, PathBuf, PathBuf) {
    let root = temp_dir(tag);
    let (dir, db) = (root.join("watch"), root.join("afterrun.db"));
    std::fs::create_dir_all(&dir).unwrap();
    (root, dir, db)
}

const RUN_FIT: &str = "fit/pyfitparse__garmin-fenix-5-run.fit";
const RIDE_FIT: &str = "fit/gofit-bpg__garmin.fit";
const HIKE_GPX: &str = "gpx/gpxpy__Mojstrovka.gpx";

/// `activities --json`: the SHA-256 of every stored activity.
fn stored_hashes(db: &Path) -> Vec<String> {
    let out = afterrun_on(db, &["activities", "--json"]).output().unwrap();
    let mut hashes: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["sha256"].as_str().unwrap().to_owned())
        .collect();
    hashes.sort();
    hashes
}

#[test]
fn a_watched_folder_imports_each_file_once_when_it_is_complete() {
    let (root, dir, db) = watched_folder("watch-events");
    let hike = copy_in(HIKE_GPX, &dir.join("hike.gpx"));

    let mut watching = Watching::start(&dir, &db, &[]);
    // What was there is imported first, as the one-shot import does.
    let first = watching.line_for("hike.gpx", Duration::from_secs(5));
    assert_eq!(first["stored"], "new");

    // A watch mounted as DIR: its GARMIN/Activity appears with a file already in it.
    let activity = dir.join("GARMIN/Activity");
    std::fs::create_dir_all(&activity).unwrap();
    let run = copy_in(RUN_FIT, &activity.join("2017-06-11-14-34-09.fit"));
    let line = watching.line_for("GARMIN/Activity/2017-06-11-14-34-09.fit", LINE_WITHIN);
    assert_eq!((&line["ok"], &line["stored"]), (&Value::Bool(true), &Value::from("new")));
    let run_id = line["id"].clone();

    // A FIFO and a link loop appearing in the folder are skipped, never opened or followed.
    let made = Command::new("mkfifo").arg(dir.join("pipe.fit")).status().unwrap();
    assert!(made.success(), "mkfifo");
    std::os::unix::fs::symlink("..", dir.join("loop")).unwrap();
    watching.wait_for_stderr("pipe.fit: skipped: a FIFO", LINE_WITHIN);
    watching.wait_for_stderr("loop: skipped: a symbolic link to a folder", LINE_WITHIN);

    // A file copied slowly is read once, whole: no line during the pause, a full decode after.
    let ride = write_slowly(RIDE_FIT, &dir.join("ride.fit"));
    let line = watching.line_for("ride.fit", LINE_WITHIN);
    assert_eq!((&line["ok"], &line["stored"]), (&Value::Bool(true), &Value::from("new")));
    let kinds: Vec<&Value> =
        line["warnings"].as_array().unwrap().iter().map(|w| &w["kind"]).collect();
    assert!(!kinds.contains(&&Value::from("truncated")), "read half-written: {line}");
    let full = afterrun(&["inspect", "--json", corpus().join(RIDE_FIT).to_str().unwrap()])
        .output()
        .unwrap();
    let full: Value = serde_json::from_slice(&full.stdout).unwrap();
    assert_eq!(line["records"], full["records"], "the whole file is decoded");

    // The same bytes under another name: a duplicate, not a second activity.
    copy_in(RUN_FIT, &dir.join("again.fit"));
    let line = watching.line_for("again.fit", LINE_WITHIN);
    assert_eq!((&line["stored"], &line["duplicate_of"]), (&Value::from("duplicate"), &run_id));

    // Rewritten with the same bytes: not imported again.
    copy_in(RUN_FIT, &dir.join("again.fit"));
    copy_in(HIKE_GPX, &dir.join("hike.gpx"));
    watching.drain(Duration::from_millis(2500));

    let (code, lines) = watching.stop_with("TERM");
    assert_eq!(code, 0, "SIGTERM ends the watch with success");
    for name in ["hike.gpx", "2017-06-11-14-34-09.fit", "ride.fit", "again.fit"] {
        let n = lines.iter().filter(|l| file_of(l).ends_with(name)).count();
        assert_eq!(n, 1, "{name}: one line each; lines: {lines:?}");
    }
    let summary = &lines.last().unwrap()["summary"];
    assert_eq!(summary["files"], 4, "{summary}");
    assert_eq!((&summary["new"], &summary["duplicates"]), (&Value::from(3), &Value::from(1)));
    let mut expected = vec![sha256(&hike), sha256(&run), sha256(&ride)];
    expected.sort();
    assert_eq!(stored_hashes(&db), expected, "each file stored once, whole");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn polling_finds_new_files_too_and_ctrl_c_ends_the_watch() {
    let (root, dir, db) = watched_folder("watch-poll");
    std::fs::create_dir_all(dir.join("GARMIN/Activity")).unwrap();
    let mut watching = Watching::start(&dir, &db, &["--poll"]);
    let copied = Instant::now();
    copy_in(RUN_FIT, &dir.join("GARMIN/Activity/run.fit"));
    let line = watching.line_for("GARMIN/Activity/run.fit", LINE_WITHIN);
    assert_eq!(line["stored"], "new");
    assert!(copied.elapsed() < LINE_WITHIN);
    let (code, lines) = watching.stop_with("INT");
    assert_eq!(code, 0, "Ctrl-C ends the watch with success");
    assert_eq!(lines.last().unwrap()["summary"]["new"], 1);
    let _ = std::fs::remove_dir_all(&root);
}

/// A folder holding an activity, a symbolic link back to itself and a FIFO named like an
/// activity file.
fn folder_with_a_loop_and_a_fifo(tag: &str) -> PathBuf {
    let dir = temp_dir(tag).join("runs");
    std::fs::create_dir_all(&dir).unwrap();
    copy_in(RUN_FIT, &dir.join("run.fit"));
    std::os::unix::fs::symlink("..", dir.join("loop")).unwrap();
    std::os::unix::fs::symlink("self", dir.join("self")).unwrap();
    let made = Command::new("mkfifo").arg(dir.join("pipe.fit")).status().unwrap();
    assert!(made.success(), "mkfifo");
    dir
}

/// Runs the command, failing if it has not ended within 10 s: exit code, stdout lines, stderr.
fn run_bounded(mut cmd: Command) -> (i32, Vec<Value>, String) {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let code = wait_with_timeout(&mut child, Duration::from_secs(10));
    let out = child.wait_with_output().unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (code, lines, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn assert_skipped_with_warnings(stderr: &str) {
    assert!(stderr.contains("loop: skipped: a symbolic link to a folder"), "{stderr}");
    assert!(stderr.contains("self: skipped: a symbolic link loop"), "{stderr}");
    assert!(stderr.contains("pipe.fit: skipped: a FIFO"), "{stderr}");
}

#[test]
fn import_skips_a_link_loop_and_a_fifo_with_a_warning() {
    let dir = folder_with_a_loop_and_a_fifo("import-walk");
    let db = dir.with_file_name("afterrun.db");
    let (code, lines, stderr) =
        run_bounded(afterrun_on(&db, &["import", "--json", dir.to_str().unwrap()]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines.len(), 2, "the activity once, then the summary: {lines:?}");
    assert!(file_of(&lines[0]).ends_with("runs/run.fit"));
    assert_eq!(lines[1]["summary"]["files"], 1);
    assert_skipped_with_warnings(&stderr);
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

#[test]
fn inspect_skips_a_link_loop_and_a_fifo_and_refuses_a_named_fifo() {
    let dir = folder_with_a_loop_and_a_fifo("inspect-walk");
    let (code, lines, stderr) =
        run_bounded(afterrun(&["inspect", "--json", dir.to_str().unwrap()]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_skipped_with_warnings(&stderr);

    let fifo = dir.join("pipe.fit");
    let (code, lines, _) = run_bounded(afterrun(&["inspect", "--json", fifo.to_str().unwrap()]));
    assert_eq!(code, 2, "a FIFO named on the command line is a failure, not a wait");
    assert_eq!(lines[0]["error"]["kind"], "io");
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

/// One HTTP/1.1 GET over a fresh connection; the whole answer.
fn get(addr: &str, path: &str) -> String {
    use std::io::Read as _;
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn serve_watch_imports_while_the_web_app_runs() {
    let (root, dir, db) = watched_folder("watch-serve");
    let db = sqlite(&db);
    let args = ["serve", "--addr", "127.0.0.1:0", "--db", &db, "--watch", dir.to_str().unwrap()];
    let mut child = afterrun(&args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let (err_tx, stderr) = mpsc::channel();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines() {
            let _ = err_tx.send(line.unwrap());
        }
    });
    let mut addr = None;
    while let Ok(line) = stderr.recv_timeout(Duration::from_secs(10)) {
        if let Some(rest) = line.split("http://").nth(1) {
            addr = Some(rest.split('/').next().unwrap().to_owned());
        }
        if line.contains("watching") {
            break;
        }
    }
    let addr = addr.expect("the server says where it listens");

    std::fs::create_dir_all(dir.join("GARMIN/Activity")).unwrap();
    copy_in(RUN_FIT, &dir.join("GARMIN/Activity/run.fit"));
    let copied = Instant::now();
    let stored = |answer: &str| answer.matches("\"sha256\"").count();
    while stored(&get(&addr, "/api/athletes/1/activities")) == 0 {
        assert!(copied.elapsed() < LINE_WITHIN, "the run is not in the web app's answers");
        std::thread::sleep(Duration::from_millis(100));
    }

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    assert_eq!(wait_with_timeout(&mut child, Duration::from_secs(10)), 0);
    let rest: Vec<String> = stderr.iter().collect();
    assert!(rest.iter().any(|l| l.contains("imported 1 files: 1 new")), "{rest:?}");
    let _ = std::fs::remove_dir_all(&root);
}
