//! `docs/triage.md` is generated from the code's rule table: this test fails when the file is
//! stale. Regenerate with `AFTERRUN_UPDATE_DOCS=1 cargo test -p afterrun-protocol --test
//! triage_doc`.

// Test helpers panic on purpose: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

#[test]
fn triage_doc_is_generated_from_the_table() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/triage.md");
    let want = afterrun_protocol::triage::table::markdown();
    if std::env::var_os("AFTERRUN_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/triage.md is stale: run AFTERRUN_UPDATE_DOCS=1 cargo test -p afterrun-protocol \
         --test triage_doc"
    );
    // Every row of the table is in the document.
    for row in afterrun_protocol::triage::table::ROWS {
        assert!(have.contains(&format!("`{}`", row.rule.code)));
    }
}
