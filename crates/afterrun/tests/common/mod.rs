//! What the binary's integration tests share: the built binary, the shared corpus and scratch
//! folders. Each test file is its own crate and uses only part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::Digest as _;

/// The shared corpus: the folder `AFTERRUN_CORPUS` names, else the one beside the workspace. A
/// folder without the corpus's `reference` is an error naming it, never silently passed over.
pub fn corpus() -> PathBuf {
    let dir = match std::env::var_os("AFTERRUN_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    let found = dir.join("reference").is_dir();
    assert!(found, "no shared corpus at {} (set AFTERRUN_CORPUS to its folder)", dir.display());
    dir
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

/// `afterrun profile` flags of a runner who owns a foam roller and compression boots and has a
/// history of DVT, cleared for the boots up to 40 mmHg (`--cleared-by` follows).
pub const BOOTS_AFTER_DVT: &[&str] = &[
    "profile",
    "--equipment",
    "foam_roller,compression_boots",
    "--condition",
    "dvt_history",
    "--clear",
    "compression_boots:40",
];
