//! What the binary's integration tests share: the built binary, the shared corpus and scratch
//! folders. Each test file is its own crate and uses only part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::Digest as _;

/// The shared corpus: `AFTERRUN_CORPUS`, else the one beside the workspace.
pub fn corpus() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        std::env::var_os("AFTERRUN_CORPUS").map(PathBuf::from),
        Some(manifest.join("../../../shared/corpus")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.join("reference").is_dir())
    .expect("the shared corpus (set AFTERRUN_CORPUS to its folder)")
}

/// A fresh, empty folder for one test: `afterrun-TAG-PID` in the temporary directory.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("afterrun-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The built binary with `args`; no store from `AFTERRUN_DB`, nothing on stdin.
pub fn afterrun(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_afterrun"));
    cmd.args(args).env_remove("AFTERRUN_DB").stdin(Stdio::null());
    cmd
}

/// The `--db` value of a SQLite file.
pub fn sqlite(db: &Path) -> String {
    format!("sqlite:{}", db.display())
}

/// `afterrun ARGS --db sqlite:DB`.
pub fn afterrun_on(db: &Path, args: &[&str]) -> Command {
    let mut cmd = afterrun(args);
    cmd.arg("--db").arg(sqlite(db));
    cmd
}

/// `afterrun ARGS --db sqlite:DB`, its stdout; panics with its stderr unless it exits 0 (or 3,
/// some files failed, for `import`).
pub fn afterrun_ok(db: &Path, args: &[&str]) -> String {
    let out = afterrun_on(db, args).output().unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || (args[0] == "import" && code == 3),
        "afterrun {args:?} exited {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// SHA-256 in lowercase hex, as the store keeps it.
pub fn sha256(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
