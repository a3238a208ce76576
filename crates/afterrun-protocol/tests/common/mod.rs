//! What the integration tests share: the clinical vignettes of `shared/vignettes/`.

use std::path::PathBuf;

use serde_json::Value;

/// Every vignette (`shared/vignettes/*.json`) in file-name order: its name (the file's stem) and
/// its document (`checkin`, `expect`).
pub fn vignettes() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vignettes");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            (name, serde_json::from_str(&text).unwrap())
        })
        .collect()
}
