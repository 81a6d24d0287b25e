//! The default command: load, rank, export.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};

use crate::analysis::{build, Query, QueryError};
use crate::cli::args::{SelectArgs, TableArgs};
use crate::cli::progress::Progress;
use crate::cli::{write_stdout, CliError, EXIT_NO_SESSIONS, EXIT_OUTPUT, EXIT_USAGE};
use crate::export::text::printable;
use crate::export::{ExportError, ExportOptions, Format, Report};
use crate::logdir::{load_source, source, Follower, LoadOptions, Logdir, Warning};

/// The query the selection options describe.
pub(crate) fn query(s: &SelectArgs) -> Query {
    Query {
        sort: s.sort.clone(),
        goal: s.goal,
        top: s.top,
        filters: s.filters.clone(),
        statuses: s.status.iter().map(|&x| x.into()).collect(),
        reduce: s.reduce,
        groups: s.groups,
        agg: s.agg,
        all_metrics: s.all_metrics,
        hparams: s.hparams.clone(),
        metrics: s.metrics.clone(),
    }
}

/// Loads the logdir for `q`, with a progress line on long reads.
pub(crate) fn load_for(
    logdir: &std::path::Path,
    q: &Query,
    quiet: bool,
) -> Result<Logdir, CliError> {
    load_with(logdir, &q.load_options(), quiet)
}

/// Loads the logdir keeping what `opts` asks for (plots need whole curves),
/// with a progress line on long reads.
pub(crate) fn load_with(
    logdir: &std::path::Path,
    opts: &LoadOptions,
    quiet: bool,
) -> Result<Logdir, CliError> {
    let source = source::open(logdir)?;
    let progress = Progress::new(!quiet);
    let ld = load_source(source.as_ref(), opts, &|d, t| progress.update(d, t))?;
    drop(progress);
    Ok(ld)
}

/// Prints up to 20 warnings to stderr.
pub(crate) fn print_warnings(warnings: &[Warning], logdir: &std::path::Path) {
    const MAX: usize = 20;
    let mut err = std::io::stderr().lock();
    for w in warnings.iter().take(MAX) {
        let _ = writeln!(err, "warning: {}", printable(&w.to_string()));
    }
    if warnings.len() > MAX {
        let _ = writeln!(
            err,
            "warning: … and {} more (hp-report diagnose {} lists them all)",
            warnings.len() - MAX,
            logdir.display()
        );
    }
}

/// Checks that there is something to rank: hparams sessions, or else runs
/// with scalars (see [`crate::logdir::runs`]).
pub(crate) fn require_sessions(ld: &Logdir) -> Result<(), CliError> {
    if ld.sessions.is_empty() {
        let why = if ld.runs.is_empty() {
            "no event files (names containing \"tfevents\") found"
        } else {
            "event files found, but neither hparams sessions nor scalars"
        };
        return Err(CliError::new(
            EXIT_NO_SESSIONS,
            format!(
                "{}: {why}; run `hp-report diagnose {}` for details",
                ld.root.display(),
                ld.root.display()
            ),
        ));
    }
    Ok(())
}

pub(crate) fn query_error(e: QueryError) -> CliError {
    CliError::new(EXIT_USAGE, e.to_string())
}

pub(crate) fn run(args: &TableArgs) -> Result<(), CliError> {
    let Some(logdir) = &args.logdir else {
        return Err(CliError::new(EXIT_USAGE, "missing LOGDIR (see --help)"));
    };
    output_format(args)
        .check_available()
        .map_err(|e| CliError::new(EXIT_USAGE, e.to_string()))?;
    let q = query(&args.select);
    if let Some(secs) = args.watch {
        return watch(args, logdir, &q, secs);
    }
    let mut ld = load_for(logdir, &q, args.quiet)?;
    if !args.quiet {
        print_warnings(&ld.warnings, logdir);
    }
    require_sessions(&ld)?;
    // The table needs the sessions only: the memory of the runs' own data
    // goes to the rows.
    ld.release_runs();
    render(args, logdir, &ld, &q)
}

/// `--watch`: follow the logdir, print the table whenever it changed.
fn watch(args: &TableArgs, logdir: &std::path::Path, q: &Query, secs: f64) -> Result<(), CliError> {
    let mut follower = Follower::with_source(source::open(logdir)?, &q.load_options())?;
    let clear = args.output.is_none() && std::io::stdout().is_terminal();
    let mut polls = 0u64;
    loop {
        // A logdir that cannot be listed at all fails the first poll (exit
        // 3); later, a store that is briefly down is a warning.
        let update = if polls == 0 {
            follower.try_poll()?
        } else {
            follower.poll()
        };
        polls += 1;
        if !args.quiet {
            print_warnings(&update.warnings, logdir);
        }
        if update.changed || polls == 1 {
            let ld = follower.logdir();
            if ld.sessions.is_empty() {
                eprintln!(
                    "hp-report: waiting for hparams sessions or scalars in {}",
                    logdir.display()
                );
            } else {
                if clear {
                    write_stdout("\x1b[2J\x1b[H")?;
                } else if polls > 1 && args.output.is_none() {
                    write_stdout("\n")?;
                }
                render(args, logdir, ld, q)?;
            }
        }
        if args.watch_count.is_some_and(|n| polls >= n) {
            // Ending without ever having had a session is exit status 4,
            // as without --watch.
            return require_sessions(follower.logdir());
        }
        std::thread::sleep(std::time::Duration::from_secs_f64(secs));
    }
}

/// Builds the table of `ld` and writes it where and how the options say.
fn render(
    args: &TableArgs,
    logdir: &std::path::Path,
    ld: &Logdir,
    q: &Query,
) -> Result<(), CliError> {
    let table = build(ld, q).map_err(query_error)?;
    let format = output_format(args);
    let width = args.width.unwrap_or_else(table_width);
    let exporter = format.exporter(ExportOptions {
        width,
        defuse_csv: !args.csv_raw,
    });
    let report = Report {
        logdir,
        experiment: &ld.experiment,
        table: &table,
        warnings: &ld.warnings,
    };
    let write_err = |e: &dyn std::fmt::Display, target: &str| {
        CliError::new(EXIT_OUTPUT, format!("cannot write {target}: {e}"))
    };
    match &args.output {
        Some(path) => {
            let target = path.display().to_string();
            let file = File::create(path).map_err(|e| write_err(&e, &target))?;
            let mut out = BufWriter::new(file);
            exporter
                .export(&report, &mut out)
                .map_err(|e| write_err(&e, &target))?;
            out.flush().map_err(|e| write_err(&e, &target))?;
        }
        None => {
            if format.is_binary() && std::io::stdout().is_terminal() {
                return Err(CliError::new(
                    EXIT_USAGE,
                    format!("{format} is binary: write it to a file with -o FILE.{format}"),
                ));
            }
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            let res = exporter
                .export(&report, &mut out)
                .and_then(|_| out.flush().map_err(ExportError::Io));
            match res {
                // A closed pipe (`| head`) is not an error worth a message.
                Err(ExportError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(write_err(&e.to_string(), "stdout")),
                Ok(()) => {}
            }
        }
    }
    Ok(())
}

/// The format asked for, else the one the output file's extension implies,
/// else the terminal table.
fn output_format(args: &TableArgs) -> Format {
    args.format
        .or_else(|| args.output.as_deref().and_then(Format::from_path))
        .unwrap_or(Format::Table)
}

/// The width of the text table: on a terminal its width, else (or when
/// the terminal does not say) `$COLUMNS`, else 100.
fn table_width() -> usize {
    let tty = std::io::stdout().is_terminal().then(tty_columns).flatten();
    tty.or_else(columns_env).unwrap_or(100)
}

/// `$COLUMNS` if set and sane.
fn columns_env() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| (20..=1000).contains(&w))
}

/// The columns of the terminal on stdout (`TIOCGWINSZ`), if it says.
#[cfg(unix)]
fn tty_columns() -> Option<usize> {
    // SAFETY: TIOCGWINSZ writes one `winsize` through the pointer, which
    // points at a live, writable, zeroed `winsize`; fd 1 is only queried.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) };
    let cols = usize::from(size.ws_col);
    (rc == 0 && (20..=1000).contains(&cols)).then_some(cols)
}

/// Not a Unix terminal: `$COLUMNS` decides.
#[cfg(not(unix))]
fn tty_columns() -> Option<usize> {
    None
}
