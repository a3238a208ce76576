//! `cargo xtask circles`: no module import circle inside any crate (issue 16).
//!
//! Reads each crate's `src/**/*.rs` for `use crate::…`, `crate::module::…`, `super::…` and
//! `self::…` paths, builds its module graph (top modules, and the children of each module
//! among themselves) and reports every circle with the modules on it and a place that makes
//! each of its edges. Paths in comments and strings, and `#[cfg(test)]` items, do not count.

mod graph;
mod lex;
mod scan;

use std::path::Path;

use graph::Circle;

/// Checks every crate under `crates/` and `xtask`; fails when any has a circle.
pub fn check(root: &Path) -> Result<(), String> {
    eprintln!("==> no module import circles (cargo xtask circles)");
    let mut failing = Vec::new();
    for (name, dir) in crate_dirs(root)? {
        let found = crate_circles(&dir)?;
        report(&name, &found);
        if !found.is_empty() {
            failing.push(name);
        }
    }
    if failing.is_empty() {
        Ok(())
    } else {
        Err(format!("module import circles in {}", failing.join(", ")))
    }
}

fn crate_dirs(root: &Path) -> Result<Vec<(String, std::path::PathBuf)>, String> {
    let crates = root.join("crates");
    let entries = std::fs::read_dir(&crates).map_err(|e| format!("{}: {e}", crates.display()))?;
    let mut dirs: Vec<(String, std::path::PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("src").is_dir())
        .filter_map(|p| Some((p.file_name()?.to_string_lossy().into_owned(), p)))
        .collect();
    if root.join("xtask").join("src").is_dir() {
        dirs.push(("xtask".to_owned(), root.join("xtask")));
    }
    dirs.sort();
    Ok(dirs)
}

/// The circles of the crate in `dir`.
pub fn crate_circles(dir: &Path) -> Result<Vec<Circle>, String> {
    let mut files = Vec::new();
    read_sources(dir, &dir.join("src"), &mut files)?;
    files.sort();
    Ok(graph::circles(&graph::levels(&scan::scan_crate(&files))))
}

fn read_sources(
    crate_dir: &Path,
    dir: &Path,
    out: &mut Vec<(String, String)>,
) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            read_sources(crate_dir, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let source =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let rel = path.strip_prefix(crate_dir).unwrap_or(&path);
            out.push((rel.to_string_lossy().replace('\\', "/"), source));
        }
    }
    Ok(())
}

fn report(name: &str, found: &[Circle]) {
    if found.is_empty() {
        eprintln!("    {name}: no circle");
        return;
    }
    eprintln!("    {name}: {} circle(s)", found.len());
    for circle in found {
        let level = if circle.parent.is_empty() {
            "top modules".to_owned()
        } else {
            format!("inside {}", circle.parent.join("::"))
        };
        eprintln!("      circle among {level}: {}", circle.modules.join(", "));
        for (a, b, seen) in &circle.edges {
            eprintln!("        {a} -> {b}  ({}:{})", seen.file, seen.line);
        }
    }
}
