//! Reads a check-in (JSON) on stdin and prints the plan's contract JSON: a quick way to try the
//! engine without the CLI (`cargo run -p afterrun-protocol --example plan < checkin.json`).

use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("cannot read stdin: {e}");
        return ExitCode::from(2);
    }
    // Accept a vignette file too: use its `checkin` member when there is one.
    let checkin = serde_json::from_str::<serde_json::Value>(&input)
        .ok()
        .and_then(|v| v.get("checkin").map(ToString::to_string))
        .unwrap_or(input);
    match afterrun_protocol::plan_json(&checkin, &afterrun_protocol::History::default()) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
