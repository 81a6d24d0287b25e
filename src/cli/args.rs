//! Command-line arguments (clap).

use crate::error::ParseError;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::analysis::{Agg, Condition, Goal, Reduction};
use crate::export::Format;
use crate::hparams::Status;
use crate::plot::PlotKind;

const EXAMPLES: &str = "\
Examples:
  hp-report mlp/                                   ranked table of every session
  hp-report mlp/ --sort validation/epoch_loss --top 5
  hp-report mlp/ --where 'optimizer=adam' --where 'lr<0.01'
  hp-report mlp/ --reduce best --status success    best epoch, finished runs only
  hp-report mlp/ --groups --agg median             repeated runs combined
  hp-report mlp/ --all-metrics -o results.csv      every scalar tag, to CSV
  hp-report mlp/ --format json | jq '.sessions[0]'
  hp-report mlp/ --watch 5 --status running       refresh while a sweep is running
  hp-report diagnose mlp/                          why TensorBoard shows no hparams
  hp-report plot mlp/ --kind parallel -o mlp.png   parallel coordinates (also scatter,
                                                   curves, trajectory; .png or .svg)
  hp-report report mlp/ -o mlp.html                one offline HTML page with it all
  hp-report tune --logdir runs/lr -p lr='loguniform(1e-4,1e-1)' --objective val_loss \
      -n 20 -j 2 -- python train.py --lr {lr}      run a search (see hp-report tune --help)

Exit status:
  0  the table was printed (warnings about damaged files go to stderr); without
     hparams sessions its rows are the runs, with the last value of each scalar
  1  the output could not be written
  2  invalid arguments (unknown option, malformed --where, unknown metric)
  3  the logdir does not exist, is not a directory or cannot be read
  4  the logdir holds neither hparams sessions nor scalars (see `hp-report diagnose`)";

/// Ranked tables, plots and diagnostics for TensorBoard hyperparameter logs.
///
/// Reads a logdir written by TensorFlow/Keras, tensorboardX, PyTorch or
/// hp-report, finds its hparams sessions with their hyperparameters and
/// metrics exactly as TensorBoard's HPARAMS tab does, and prints them ranked.
#[derive(Debug, Parser)]
#[command(
    name = "hp-report",
    version,
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    max_term_width = 100
)]
pub struct Cli {
    /// A subcommand; without one, print the ranked table of LOGDIR.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The table (the default command).
    #[command(flatten)]
    pub table: TableArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Explain what is in a logdir and why TensorBoard may show no hparams or hide a metric.
    Diagnose(DiagnoseArgs),
    /// Draw a plot of the sessions to a PNG or SVG file.
    Plot(PlotArgs),
    /// Write one self-contained HTML page: summary, ranked table, plots, warnings.
    Report(ReportArgs),
    /// Run a search over a training command: every trial a TensorBoard session.
    Tune(Box<crate::cli::tune_args::TuneArgs>),
}

/// `hp-report plot`.
#[derive(Debug, Args)]
#[command(after_help = PLOT_EXAMPLES)]
pub struct PlotArgs {
    /// The logdir; several only with --kind trajectory (one line each).
    #[arg(required = true, num_args = 1.., value_name = "LOGDIR")]
    pub logdirs: Vec<PathBuf>,

    /// parallel (coordinates), scatter (metric against each hparam), curves (metric over
    /// steps), trajectory (best so far in start order).
    #[arg(long, short = 'k', value_name = "KIND", value_parser = parse_kind)]
    pub kind: PlotKind,

    /// The metric to plot (as --sort takes it). Default: the --sort metric, else the
    /// experiment's first. Ranks the rows too unless --sort is given.
    #[arg(long, value_name = "METRIC")]
    pub metric: Option<String>,

    /// Output file: .png or .svg. Default: hp-report-KIND.png.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Smoothing weight for curves in [0, 1), TensorBoard's EMA slider (e.g. 0.6).
    #[arg(long, default_value_t = 0.0, value_name = "A", value_parser = parse_smooth)]
    pub smooth: f64,

    /// Image size in pixels, WIDTHxHEIGHT (default: by kind and number of hparams).
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub size: Option<(u32, u32)>,

    /// Curves: a logarithmic y axis (chosen by itself when the values are positive and
    /// span more than two decades).
    #[arg(long)]
    pub log_y: bool,

    /// Do not print warnings about damaged files.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    // Which sessions and how they rank, as for the table (see PLOT_EXAMPLES
    // for what --top means here).
    #[command(flatten)]
    pub select: SelectArgs,
}

/// `hp-report report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The logdir.
    pub logdir: PathBuf,

    /// Output file. Default: hp-report.html.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Smoothing weight for the curves plot in [0, 1).
    #[arg(long, default_value_t = 0.0, value_name = "A", value_parser = parse_smooth)]
    pub smooth: f64,

    /// Do not print warnings about damaged files (the report still lists them).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    #[command(flatten)]
    pub select: SelectArgs,
}

const PLOT_EXAMPLES: &str = "\
Examples:
  hp-report plot mlp/ --kind parallel                      hp-report-parallel.png
  hp-report plot mlp/ --kind scatter --metric validation/epoch_loss -o loss.svg
  hp-report plot mlp/ --kind curves --metric validation/epoch_loss --smooth 0.6 --top 3
  hp-report plot mlp/ --kind parallel --where optimizer=adam --status success
  hp-report plot random/ tpe/ --kind trajectory -o compare.png

The table's options (--sort, --goal, --where, --status, --reduce, --groups, --agg, --hparams,
--metrics) choose and rank the rows as they do for the table. --top N keeps the best N rows,
except for curves, which draw every session and highlight the best N (default 5).";

/// `hp-report diagnose`.
#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// The logdir (the directory TensorBoard's --logdir would get).
    pub logdir: PathBuf,
    /// Print the findings as JSON.
    #[arg(long)]
    pub json: bool,
}

/// A session status on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// STATUS_SUCCESS.
    Success,
    /// STATUS_FAILURE.
    Failure,
    /// STATUS_RUNNING.
    Running,
    /// STATUS_UNKNOWN (no end info).
    Unknown,
}

impl From<StatusArg> for Status {
    fn from(s: StatusArg) -> Status {
        match s {
            StatusArg::Success => Status::Success,
            StatusArg::Failure => Status::Failure,
            StatusArg::Running => Status::Running,
            StatusArg::Unknown => Status::Unknown,
        }
    }
}

/// Which sessions and columns, and how to rank them (shared by the table and
/// the plots).
#[derive(Debug, Args, Clone)]
pub struct SelectArgs {
    /// Metric to rank by: `group/tag` (e.g. validation/epoch_loss), a tag that is unique, or a
    /// display name. Default: the first metric column (the experiment's first metric, or the
    /// first of --metrics).
    #[arg(long, value_name = "METRIC")]
    pub sort: Option<String>,

    /// Whether higher or lower is better for the sort metric. Default: min when a word of its
    /// name is loss/error/err/mse/rmse/mae/perplexity/ppl (e.g. epoch_loss), else max.
    #[arg(long, value_name = "max|min", value_parser = parse_goal)]
    pub goal: Option<Goal>,

    /// Show only the first N rows (N ≥ 1).
    #[arg(long, value_name = "N", value_parser = parse_top)]
    pub top: Option<usize>,

    /// Keep rows where a condition holds: NAME OP VALUE with OP one of = != < <= > >= ~
    /// (contains); NAME an hparam, a metric, `session` or `group`. Repeatable (all must hold).
    #[arg(long = "where", value_name = "COND", value_parser = parse_condition)]
    pub filters: Vec<Condition>,

    /// Keep sessions with this status. Repeatable.
    #[arg(long, value_enum, value_name = "STATUS")]
    pub status: Vec<StatusArg>,

    /// How each metric's curve becomes one value: last (TensorBoard's), min, max, best (by
    /// goal), mean-last=N, at-step=S.
    #[arg(long, default_value = "last", value_name = "HOW", value_parser = parse_reduce)]
    pub reduce: Reduction,

    /// One row per session group (repeated runs of one configuration), with count and
    /// standard deviation.
    #[arg(long)]
    pub groups: bool,

    /// How a group's sessions combine (with --groups): mean (TensorBoard's), median, min, max.
    #[arg(long, default_value = "mean", value_name = "HOW", value_parser = parse_agg)]
    pub agg: Agg,

    /// A column for every scalar tag under the sessions, not only the experiment's metrics.
    #[arg(long)]
    pub all_metrics: bool,

    /// Only these hparam columns (comma-separated), or `all`. Without it the
    /// table, Markdown and report leave out hparams equal in every row and
    /// list them once above the table.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub hparams: Option<Vec<String>>,

    /// Only these metric columns (comma-separated).
    #[arg(long, value_name = "X,Y", value_delimiter = ',')]
    pub metrics: Option<Vec<String>>,
}

/// The table command's arguments.
#[derive(Debug, Args)]
pub struct TableArgs {
    /// The logdir (the directory TensorBoard's --logdir would get).
    #[arg(required = true)]
    pub logdir: Option<PathBuf>,

    #[command(flatten)]
    pub select: SelectArgs,

    /// Output format: table, csv, json, jsonl, markdown, parquet. Default: from the -o
    /// extension, else table.
    #[arg(long, short = 'f', value_name = "FORMAT", value_parser = parse_format)]
    pub format: Option<Format>,

    /// Write to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write CSV text cells as they are (by default cells starting with = + - @ get a leading
    /// ' so spreadsheets do not run them as formulas).
    #[arg(long)]
    pub csv_raw: bool,

    /// Do not print warnings about damaged files.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Width of the text table (default: the terminal's; when stdout is not a terminal,
    /// `$COLUMNS` if set, else 100).
    #[arg(long, value_name = "COLUMNS")]
    pub width: Option<usize>,

    /// Keep reading the logdir as it grows and print the table again whenever it changed,
    /// every SECS seconds (default 2). Partial records at the ends of files are "not yet
    /// written", not damage. Stop with Ctrl-C.
    #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "2", value_parser = parse_secs)]
    pub watch: Option<f64>,

    /// With --watch: stop after this many polls (for scripts and tests).
    #[arg(long, value_name = "N", requires = "watch")]
    pub watch_count: Option<u64>,
}

fn parse_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x <= 86400.0 => Ok(x),
        _ => Err(format!(
            "{s:?} is not a number of seconds above 0 and up to 86400"
        )),
    }
}

fn parse_goal(s: &str) -> Result<Goal, ParseError> {
    s.parse()
}
fn parse_top(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => {
            Err("--top 0 would show nothing: give N ≥ 1, or leave --top out for all rows".into())
        }
        Ok(n) => Ok(n),
        Err(e) => Err(format!("{s:?} is not a row count: {e}")),
    }
}
fn parse_condition(s: &str) -> Result<Condition, ParseError> {
    s.parse()
}
fn parse_reduce(s: &str) -> Result<Reduction, ParseError> {
    s.parse()
}
fn parse_agg(s: &str) -> Result<Agg, ParseError> {
    s.parse()
}
fn parse_format(s: &str) -> Result<Format, ParseError> {
    s.parse()
}
fn parse_kind(s: &str) -> Result<PlotKind, ParseError> {
    s.parse()
}
fn parse_smooth(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(a) if (0.0..1.0).contains(&a) => Ok(a),
        _ => Err(format!("smoothing {s:?} must be a number in [0, 1)")),
    }
}
fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("size {s:?}: use WIDTHxHEIGHT, e.g. 1200x600 (each 200..=8000)");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    if !(200..=8000).contains(&w) || !(200..=8000).contains(&h) {
        return Err(bad());
    }
    Ok((w, h))
}
