//! The JSON tool of SPEC §6: reads one session (a file path argument, or stdin) and prints
//! its allocation as JSON.
//!
//! ```text
//! cargo run --release --example allocate -- examples/sessions/thematic_session_2.json
//! cat session.json | cargo run --release --example allocate
//! ```
//!
//! Same input and seed, byte-identical output. Bad input: exit status 2, one line on stderr
//! naming the field or id at fault and quoting the offending value, nothing on stdout.

use std::io::Read;
use std::process::ExitCode;

use floorshare::interchange::AllocationInput;

const USAGE: &str = "usage: allocate [FILE]   (reads stdin without FILE)";

fn main() -> ExitCode {
    match run() {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// The allocation as JSON, or the one-line message for stderr.
fn run() -> Result<String, String> {
    let mut path = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "-h" | "--help" => return Err(USAGE.to_string()),
            flag if flag.starts_with("--") => {
                return Err(format!("arguments: unknown option {flag:?}; {USAGE}"));
            }
            _ if path.is_some() => return Err(format!("arguments: more than one file; {USAGE}")),
            _ => path = Some(arg),
        }
    }
    let text = match &path {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|err| format!("input: cannot read {path:?}: {err}"))?,
        None => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|err| format!("input: cannot read stdin: {err}"))?;
            text
        }
    };
    let allocation = AllocationInput::from_json_str(&text)
        .and_then(|input| input.allocate())
        .map_err(|err| err.to_string())?;
    serde_json::to_string_pretty(&allocation).map_err(|err| format!("output: {err}"))
}
