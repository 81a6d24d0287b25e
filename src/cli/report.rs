//! `hp-report report`: load with curves, rank, draw every plot as SVG, and
//! write the self-contained HTML page.

use std::path::PathBuf;

use crate::analysis::build;
use crate::cli::args::ReportArgs;
use crate::cli::table::{load_with, print_warnings, query, query_error, require_sessions};
use crate::cli::{CliError, EXIT_OUTPUT};
use crate::plot::PlotOptions;
use crate::report::{figures, html};

pub(crate) fn run(args: &ReportArgs) -> Result<(), CliError> {
    let q = query(&args.select);
    let mut load = q.load_options();
    load.series.curves = true;
    let ld = load_with(&args.logdir, &load, args.quiet)?;
    if !args.quiet {
        print_warnings(&ld.warnings, &args.logdir);
    }
    require_sessions(&ld)?;
    let table = build(&ld, &q).map_err(query_error)?;
    let opts = PlotOptions {
        smooth: args.smooth,
        ..PlotOptions::default()
    };
    let figs = figures(&ld, &table, &opts);
    let page = html(&args.logdir, &ld, &table, &figs);
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("hp-report.html"));
    std::fs::write(&out, page)
        .map_err(|e| CliError::new(EXIT_OUTPUT, format!("cannot write {}: {e}", out.display())))?;
    if !args.quiet {
        for f in &figs {
            if let Err(why) = &f.svg {
                eprintln!("note: {} plot not drawn: {why}", f.kind);
            }
        }
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}
