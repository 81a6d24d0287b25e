//! `hp-report diagnose LOGDIR`: prints the findings of [`crate::diagnose`].

use crate::cli::args::DiagnoseArgs;
use crate::cli::{CliError, EXIT_OUTPUT};
use crate::diagnose::{diagnose, Level};
use crate::export::text::printable;
use crate::logdir::{load, LoadOptions};

pub(crate) fn run(args: &DiagnoseArgs) -> Result<(), CliError> {
    let ld = load(&args.logdir, &LoadOptions::default())?;
    let findings = diagnose(&ld);
    if args.json {
        let text = serde_json::to_string_pretty(&findings)
            .map_err(|e| CliError::new(EXIT_OUTPUT, e.to_string()))?;
        println!("{text}");
        return Ok(());
    }
    println!(
        "hp-report diagnose {}",
        printable(&args.logdir.display().to_string())
    );
    let mut topic = "";
    for f in &findings {
        if f.topic != topic {
            topic = f.topic;
            println!("\n{topic}:");
        }
        let mark = match f.level {
            Level::Info => "  ",
            Level::Warn => "! ",
            Level::Problem => "✗ ",
        };
        println!("  {mark}{}", printable(&f.text));
    }
    let problems = findings
        .iter()
        .filter(|f| f.level == Level::Problem)
        .count();
    let warns = findings.iter().filter(|f| f.level == Level::Warn).count();
    println!("\n{problems} problems, {warns} warnings");
    Ok(())
}
