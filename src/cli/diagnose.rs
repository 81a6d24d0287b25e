//! `hp-report diagnose LOGDIR`: prints the findings of [`crate::diagnose`].

use crate::cli::args::DiagnoseArgs;
use std::fmt::Write as _;

use crate::cli::{write_stdout, CliError, EXIT_OUTPUT};
use crate::diagnose::{diagnose, Level};
use crate::export::text::printable;
use crate::logdir::{load_source, source, LoadOptions};

pub(crate) fn run(args: &DiagnoseArgs) -> Result<(), CliError> {
    let source = source::open(&args.logdir)?;
    let ld = load_source(source.as_ref(), &LoadOptions::default(), &|_, _| {})?;
    let findings = diagnose(&ld);
    if args.json {
        let text = serde_json::to_string_pretty(&findings)
            .map_err(|e| CliError::new(EXIT_OUTPUT, e.to_string()))?;
        return write_stdout(&format!("{text}\n"));
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "hp-report diagnose {}",
        printable(&args.logdir.display().to_string())
    );
    let mut topic = "";
    for f in &findings {
        if f.topic != topic {
            topic = f.topic;
            let _ = writeln!(out, "\n{topic}:");
        }
        let mark = match f.level {
            Level::Info => "  ",
            Level::Warn => "! ",
            Level::Problem => "✗ ",
        };
        let _ = writeln!(out, "  {mark}{}", printable(&f.text));
    }
    let problems = findings
        .iter()
        .filter(|f| f.level == Level::Problem)
        .count();
    let warns = findings.iter().filter(|f| f.level == Level::Warn).count();
    let _ = writeln!(out, "\n{problems} problems, {warns} warnings");
    write_stdout(&out)
}
