//! Project automation, in Rust rather than shell (matklad's xtask pattern).
//!
//! `cargo xtask test` runs every check CI runs, in order, and stops at the first failure:
//! formatting, clippy with `-D warnings`, no module import circle (`circles`), the whole test
//! suite, the `no_std` proof of the device core, cargo-deny's licence, ban and source checks (when
//! cargo-deny is installed), and the build of the fuzz targets. Tests that need outside services (PostgreSQL,
//! Chromium) read their settings from the environment; under `CI=true` they are required.

mod circles;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "test" => test_all(),
        "nostd" => device_no_std(),
        "deny" => supply_chain(),
        // An optional second argument names another checkout to check.
        "circles" => circles::check(&std::env::args().nth(2).map_or_else(root, PathBuf::from)),
        "fuzz-build" => fuzz_build(),
        "e2e" => browser_tests(),
        _ => {
            eprintln!("usage: cargo xtask <test|circles|nostd|deny|fuzz-build|e2e>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

fn run(step: &str, mut cmd: Command) -> Result<(), String> {
    eprintln!("==> {step}");
    let status = cmd.status().map_err(|e| format!("{step}: cannot start: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{step}: failed ({status})")) }
}

fn test_all() -> Result<(), String> {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--", "--check"]);
    run("cargo fmt --check", fmt)?;

    let mut clippy = cargo();
    clippy.args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]);
    run("cargo clippy -D warnings", clippy)?;

    circles::check(&root())?;

    let mut test = cargo();
    test.args(["test", "--workspace"]);
    run("cargo test --workspace", test)?;

    device_no_std()?;
    supply_chain()?;
    fuzz_build()?;
    browser_tests()?;
    Ok(())
}

/// Whether CI must have cargo-deny: `.ci/run` installs it (`cargo install --locked
/// cargo-deny@0.20.2`), so under `CI=true` a missing cargo-deny is an error, not a skip.
const DENY_REQUIRED_IN_CI: bool = true;

/// `cargo deny check licenses bans sources` (deny.toml) when cargo-deny is installed. The
/// advisories check is left out: its database comes from GitHub, which CI cannot reach.
fn supply_chain() -> Result<(), String> {
    let installed = cargo().args(["deny", "--version"]).output().is_ok_and(|o| o.status.success());
    if !installed {
        if DENY_REQUIRED_IN_CI && in_ci() {
            return Err(
                "cargo-deny is required under CI=true: `cargo install --locked cargo-deny`".into(),
            );
        }
        eprintln!("==> cargo deny SKIPPED: not installed (`cargo install --locked cargo-deny`)");
        return Ok(());
    }
    let mut deny = cargo();
    deny.args(["deny", "--locked", "check", "licenses", "bans", "sources"]);
    run("cargo deny check licenses bans sources", deny)
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Runs the browser tests of `tests/e2e` (playwright-core driving Debian's chromium against the
/// real `afterrun serve`). Under `CI=true` they are required; elsewhere, when chromium or the npm
/// packages are missing, they are skipped with the command that installs them.
fn browser_tests() -> Result<(), String> {
    let e2e = root().join("tests").join("e2e");
    if !e2e.join("package.json").exists() {
        return Ok(());
    }
    let chromium = Path::new("/usr/bin/chromium").exists();
    let packages = e2e.join("node_modules").join("playwright-core").exists();
    if !(chromium && packages) {
        let missing = if chromium { "npm packages" } else { "chromium" };
        if in_ci() {
            return Err(format!("browser tests need {missing}: run `. .ci/browser.sh` first"));
        }
        eprintln!("==> browser tests SKIPPED: {missing} missing (install with `. .ci/browser.sh`)");
        return Ok(());
    }
    // The binary `cargo test --workspace` built for the CLI's tests, with the workspace's
    // features: `cargo build -p afterrun` would unify features apart and build every
    // dependency again (29 crates, BENCHMARKS.md, "Disk used by one CI run").
    let mut build = cargo();
    build.args(["test", "--workspace", "--no-run"]);
    run("build afterrun for the browser tests", build)?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let bin = target.join("debug").join("afterrun");
    let mut node = Command::new("node");
    // One test file at a time: each starts its own server and browser; on two cores that is
    // faster than all at once (47 s against 75 s here) and keeps the timings far from limits.
    node.args(["--test", "--test-concurrency=1"]).current_dir(&e2e).env("AFTERRUN_BIN", &bin);
    run("browser tests (node --test tests/e2e)", node)
}

/// Proves on this host that the device core is `no_std` and allocation-free: it builds with no
/// default features, and no dependency in that build enables `std` or `alloc`.
fn device_no_std() -> Result<(), String> {
    let mut build = cargo();
    build.args(["build", "-p", "afterrun-device", "--no-default-features"]);
    run("afterrun-device builds without std", build)?;

    eprintln!("==> afterrun-device feature tree has no std or alloc");
    let output = cargo()
        .args(["tree", "-p", "afterrun-device", "--no-default-features", "-e", "features"])
        .output()
        .map_err(|e| format!("cargo tree: {e}"))?;
    if !output.status.success() {
        return Err("cargo tree failed".into());
    }
    let tree = String::from_utf8_lossy(&output.stdout);
    let offending: Vec<&str> = tree
        .lines()
        .filter(|line| line.contains("feature \"std\"") || line.contains("feature \"alloc\""))
        .collect();
    if offending.is_empty() {
        Ok(())
    } else {
        Err(format!("std or alloc enabled in the no_std build:\n{}", offending.join("\n")))
    }
}

/// Builds the cargo-fuzz targets (they live outside the workspace in `fuzz/`). Running them is
/// for people, with the commands in BENCHMARKS.md.
fn fuzz_build() -> Result<(), String> {
    let manifest = root().join("fuzz").join("Cargo.toml");
    if !manifest.exists() {
        eprintln!("==> no fuzz/ folder yet: nothing to build");
        return Ok(());
    }
    let mut build = cargo();
    build.args(["build", "--manifest-path", "fuzz/Cargo.toml", "--bins"]);
    run("build fuzz targets", build)
}
