//! The `hp-report` command line: argument parsing ([`args`]), the table
//! command, `diagnose`, `plot`, `report`, and how failures become one line on
//! stderr and an exit status.

pub mod args;
mod diagnose;
mod plot;
mod progress;
mod report;
mod table;
pub mod tune;
pub mod tune_args;

use std::ffi::OsString;
use std::fmt;

use clap::Parser;

use crate::logdir::LoadError;

/// A failure the user sees: one line and an exit status.
#[derive(Debug)]
pub struct CliError {
    /// Exit status (see `--help`).
    pub code: i32,
    /// The message.
    pub message: String,
}

/// Exit status: output could not be written.
pub const EXIT_OUTPUT: i32 = 1;
/// Exit status: invalid arguments.
pub const EXIT_USAGE: i32 = 2;
/// Exit status: the logdir is missing or unreadable.
pub const EXIT_LOGDIR: i32 = 3;
/// Exit status: nothing to rank (no hparams sessions and no scalars).
pub const EXIT_NO_SESSIONS: i32 = 4;

impl CliError {
    pub(crate) fn new(code: i32, message: impl Into<String>) -> Self {
        CliError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Writes `text` to stdout. A closed pipe (`hp-report … | head`) ends the
/// output quietly; other write errors are exit status 1.
pub(crate) fn write_stdout(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::new(
            EXIT_OUTPUT,
            format!("cannot write stdout: {e}"),
        )),
    }
}

impl From<LoadError> for CliError {
    fn from(e: LoadError) -> Self {
        let code = match e {
            // What was typed cannot name a logdir in this build: a usage error.
            LoadError::BadLocation { .. } | LoadError::NeedsCloud(_) => EXIT_USAGE,
            _ => EXIT_LOGDIR,
        };
        CliError::new(code, e.to_string())
    }
}

/// Runs the command line `args` (including the program name); returns the
/// exit status. Output goes to stdout, warnings and errors to stderr.
pub fn main_with_args(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> i32 {
    let cli = match args::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Some(args::Command::Diagnose(d)) => diagnose::run(&d),
        Some(args::Command::Plot(p)) => plot::run(&p),
        Some(args::Command::Report(r)) => report::run(&r),
        Some(args::Command::Tune(t)) => tune::run(&t),
        None => table::run(&cli.table),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("hp-report: {}", e.message);
            e.code
        }
    }
}
