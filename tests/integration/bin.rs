//! Running the `hp-report` binary from a test: the command (with a fixed
//! terminal width) and its whole output for an assertion message.

use std::process::{Command, Output};

/// `hp-report ARGS…`, `COLUMNS` removed so tables do not depend on the
/// terminal the tests run in.
pub fn hp(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hp-report"));
    c.args(args).env_remove("COLUMNS");
    c
}

/// Status, stdout and stderr of `o`, for a failed assertion.
pub fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
