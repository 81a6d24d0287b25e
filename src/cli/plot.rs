//! `hp-report plot`: load, rank with the table's options, draw one plot.

use std::path::PathBuf;

use crate::analysis::{build, Query, Table};
use crate::cli::args::PlotArgs;
use crate::cli::table::{load_with, print_warnings, query, query_error, require_sessions};
use crate::cli::{CliError, EXIT_OUTPUT, EXIT_USAGE};
use crate::logdir::{Logdir, MetricKey};
use crate::plot::{render, PlotError, PlotKind, PlotOptions, Source};

/// The exit status for a plot failure.
pub(crate) fn plot_error(e: PlotError) -> CliError {
    let code = match e {
        PlotError::NoData(_) | PlotError::Format(_) => EXIT_USAGE,
        PlotError::Draw(_) => EXIT_OUTPUT,
    };
    CliError::new(code, e.to_string())
}

/// The key `--metric` names in `ld` (resolved by the table's own rules).
pub(crate) fn resolve_metric(
    ld: &Logdir,
    q: &Query,
    name: &str,
) -> Result<Option<MetricKey>, CliError> {
    let q = Query {
        sort: Some(name.to_string()),
        ..q.clone()
    };
    Ok(build(ld, &q).map_err(query_error)?.sort.map(|(k, _)| k))
}

pub(crate) fn run(args: &PlotArgs) -> Result<(), CliError> {
    let kind = args.kind;
    if args.logdirs.len() > 1 && kind != PlotKind::Trajectory {
        return Err(CliError::new(
            EXIT_USAGE,
            format!("{kind} plots one LOGDIR; only --kind trajectory compares several"),
        ));
    }
    let mut select = args.select.clone();
    if let Some(m) = &args.metric {
        if select.sort.is_none() {
            select.sort = Some(m.clone());
        }
        match select.metrics.as_mut() {
            Some(list) if !list.contains(m) => list.push(m.clone()),
            Some(_) => {}
            // The rows must carry the metric's values even when it is an
            // undeclared tag (Lightning's real metrics beside hp_metric).
            None => select.all_metrics = true,
        }
    }
    let mut q = query(&select);
    // Curves draw every matching session and highlight the best N.
    let highlight = select.top.unwrap_or(5);
    if kind == PlotKind::Curves {
        q.top = None;
    }
    let mut load = q.load_options();
    load.series.curves = kind == PlotKind::Curves;

    let mut loaded: Vec<(String, Logdir, Table)> = Vec::new();
    for dir in &args.logdirs {
        let ld = load_with(dir, &load, args.quiet)?;
        if !args.quiet {
            print_warnings(&ld.warnings, dir);
        }
        require_sessions(&ld)?;
        let table = build(&ld, &q).map_err(query_error)?;
        loaded.push((dir.display().to_string(), ld, table));
    }
    let metric = match (&args.metric, loaded.first()) {
        (Some(m), Some((_, ld, _))) => resolve_metric(ld, &q, m)?,
        _ => None,
    };
    let extra_metrics = match (&select.metrics, loaded.first()) {
        (Some(_), Some((_, _, t))) => t.metrics.iter().map(|m| m.key.clone()).collect(),
        _ => Vec::new(),
    };
    let opts = PlotOptions {
        metric,
        extra_metrics,
        smooth: args.smooth,
        highlight,
        size: args.size,
        log_y: args.log_y,
    };
    let sources: Vec<Source> = loaded
        .iter()
        .map(|(label, logdir, table)| Source {
            label,
            logdir,
            table,
        })
        .collect();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("hp-report-{kind}.png")));
    let (w, h) = render(kind, &sources, &opts, &out).map_err(plot_error)?;
    if !args.quiet {
        eprintln!("wrote {} ({w}×{h})", out.display());
    }
    Ok(())
}
