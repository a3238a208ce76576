//! `afterrun serve` as a process: a failed log-in is logged with the username and the client's
//! address (the peer of the real connection), never the password, in plain text when stderr is
//! not a terminal; the new store file is private; `serve --lan` prints a pairing link that works
//! and its QR code.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed unwrap is a failed test
#![cfg(unix)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt as _;
use std::process::{Command, Stdio};

/// One HTTP/1.1 request over a fresh connection; the status line of the answer.
fn post(addr: &str, path: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

/// `afterrun serve ARGS --db DB` with stderr piped, and a reader of its stderr.
fn spawn_serve(
    args: &[&str],
    db: &std::path::Path,
) -> (std::process::Child, BufReader<std::process::ChildStderr>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_afterrun"))
        .arg("serve")
        .args(args)
        .arg("--db")
        .arg(db)
        .env("RUST_LOG", "warn,afterrun_server=info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    (child, stderr)
}

#[test]
fn failed_log_ins_are_logged_plainly_with_the_peer_and_never_the_password() {
    let dir = std::env::temp_dir().join(format!("afterrun-serve-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = dir.join("store").join("club.db");
    let (mut child, mut stderr) = spawn_serve(&["--multi-user", "--addr", "127.0.0.1:0"], &db);
    let mut addr = String::new();
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 {
        if let Some(rest) = line.split("serving on http://").nth(1) {
            addr = rest.split('/').next().unwrap().to_owned();
            break;
        }
        line.clear();
    }
    assert!(!addr.is_empty(), "the server did not start: {line}");
    let status = post(
        &addr,
        "/api/session",
        r#"{"username":"nobody-here","password":"hunter2-secret-words"}"#,
    );
    assert!(status.contains(" 401 "), "{status}");
    // SIGTERM: a graceful stop, after which stderr is complete.
    Command::new("kill").arg(child.id().to_string()).status().unwrap();
    let mut log = String::new();
    stderr.read_to_string(&mut log).unwrap();
    child.wait().unwrap();
    let failure =
        log.lines().find(|l| l.contains("log-in failed")).unwrap_or_else(|| panic!("{log}"));
    assert!(failure.contains("nobody-here") && failure.contains("127.0.0.1"), "{failure}");
    assert!(!log.contains("hunter2"), "the password is never logged: {log}");
    assert!(!log.contains('\u{1b}'), "no colour codes off a terminal: {log:?}");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(db.parent().unwrap()), 0o700);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_operator_makes_one_time_invitations() {
    let dir = std::env::temp_dir().join(format!("afterrun-invite-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = dir.join("club.db");
    let invite = || {
        let out = Command::new(env!("CARGO_BIN_EXE_afterrun"))
            .args(["invite", "--db"])
            .arg(&db)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let line = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        let token = line.strip_prefix("/signup?invite=").unwrap_or_else(|| panic!("{line}"));
        assert!(token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()), "{line}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("one sign-up, until"));
        token.to_owned()
    };
    assert_ne!(invite(), invite());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn serve_lan_prints_a_pairing_link_and_its_qr_code() {
    let dir = std::env::temp_dir().join(format!("afterrun-serve-lan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (mut child, mut stderr) =
        spawn_serve(&["--lan", "--addr", "127.0.0.2:0"], &dir.join("home.db"));
    let mut lines = Vec::new();
    let mut line = String::new();
    // The serving line, the link's sentence and the link, a blank line, the code, a blank line.
    while stderr.read_line(&mut line).unwrap() > 0 {
        lines.push(line.trim_end_matches('\n').to_owned());
        line.clear();
        if lines.len() > 4 && lines.last().is_some_and(String::is_empty) {
            break;
        }
    }
    let text = lines.join("\n");
    let serving =
        lines.iter().find(|l| l.contains("serving on")).unwrap_or_else(|| panic!("{text}"));
    let lan = serving.split("http://").nth(2).unwrap().split('/').next().unwrap().to_owned();
    assert!(lan.starts_with("127.0.0.2:"), "{serving}");
    assert!(serving.contains(&format!("http://127.0.0.1:{}/", &lan["127.0.0.2:".len()..])));
    let link = lines.iter().find(|l| l.starts_with("http://")).unwrap_or_else(|| panic!("{text}"));
    let token =
        link.strip_prefix(&format!("http://{lan}/pair/")).unwrap_or_else(|| panic!("{link}"));
    assert!(token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()), "{link}");
    let code: Vec<&String> = lines
        .iter()
        .filter(|l| !l.is_empty() && l.chars().all(|c| matches!(c, '█' | '▀' | '▄' | ' ')))
        .collect();
    assert!(code.len() >= 20, "a QR code in half blocks: {text}");
    assert!(code.iter().all(|l| l.chars().count() == code[0].chars().count()), "square: {text}");
    // The printed link pairs a device (from 127.0.0.1 the LAN Host is not the owner's).
    let mut stream = TcpStream::connect(&lan).unwrap();
    let path = &link[format!("http://{lan}").len()..];
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {lan}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    assert!(answer.contains("set-cookie: afterrun_device="), "{answer}");
    Command::new("kill").arg(child.id().to_string()).status().unwrap();
    child.wait().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}
