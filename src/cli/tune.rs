//! `hp-report tune`: clap arguments → [`crate::tune`] calls. Runs a search,
//! or reads one (`status`, `best`), or re-runs failures (`retry`).

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::analysis::Goal;
use crate::cli::{write_stdout, CliError, EXIT_LOGDIR, EXIT_USAGE};
use crate::tune::engine::k8s::K8sOptions;
use crate::tune::engine::ray::RayOptions;
use crate::tune::engine::slurm::SlurmOptions;
use crate::tune::engine::Backend;
use crate::tune::journal::{self, Spec, State};
use crate::tune::runner::{self, Config, Method, Mode, Plan, TuneError};
use crate::tune::status::{best_json, best_text, status_text, Experiment};
use crate::tune::trial::{check_placeholders, command_for, shell_line};
use crate::tune::view::View;
use crate::tune::{metrics, Objective, Rule, Space, SpaceFile, Strategy, WarmStart};

/// Exit status: the experiment ended at `--max-failures`.
pub const EXIT_TRIALS_FAILED: i32 = 5;
/// Exit status: the engine (`--backend`) kept failing; `--resume` continues.
pub const EXIT_ENGINE: i32 = 6;
/// Exit status: stopped by SIGINT/SIGTERM (128 + SIGINT, as shells report).
pub const EXIT_INTERRUPTED: i32 = 130;

const TUNE_EXAMPLES: &str = "\
Examples:
  hp-report tune --logdir runs/lr -p lr='loguniform(1e-4,1e-1)' -p units='choice(32,64)' \\
      --objective val_loss:min -n 20 -j 2 -- python train.py --lr {lr} --units {units}
  hp-report tune --logdir runs/grid --method grid -p opt='choice(adam,sgd)' -p depth='int(1,3)' \\
      --objective accuracy:max --target 0.95 -- ./train --opt={opt} --depth={depth}
  hp-report tune --logdir runs/gpu -p lr='uniform(0.01,0.1)' --objective loss \\
      --gpus 0,1,2,3 --gpus-per-trial 2 -j 2 -- python train.py     (CUDA_VISIBLE_DEVICES per slot)
  hp-report tune --logdir runs/lr ... --dry-run                    print the first commands only
  hp-report tune --logdir runs/lr --resume                         continue after a crash or kill
  hp-report tune status runs/lr                                    counts, running, failures, best
  hp-report tune best runs/lr --format json
  hp-report tune retry runs/lr --status failed,killed              re-run in new directories
  hp-report tune --test-metrics train.log                          what the metric grammar finds

Parameters reach the trial as {name} in the command (inside its argument, never through a shell),
as HP_<NAME> environment variables and as the JSON file $HP_PARAMS_FILE; $HP_TRIAL_DIR is the
trial's session directory (tfevents written there count as its metrics). Metrics are read from
stdout/stderr lines such as `loss=0.3 step=2`, `val_loss: 0.28`, JSON lines.

Exit status: 0 the experiment ended (target, max trials, space exhausted, budget); 2 bad
arguments, SPEC, space file or {name}; 3 unreadable experiment; 5 --max-failures reached;
6 the engine (--backend) kept failing; 130 stopped by SIGINT/SIGTERM (every trial killed and recorded).";

/// `hp-report tune`.
#[derive(Debug, Args)]
#[command(
    after_help = TUNE_EXAMPLES,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct TuneArgs {
    /// `status`, `best` or `retry`; without one, run a search.
    #[command(subcommand)]
    pub command: Option<TuneCommand>,

    #[command(flatten)]
    pub run: RunArgs,
}

/// `tune` verbs that read or continue an experiment.
#[derive(Debug, Subcommand)]
pub enum TuneCommand {
    /// Counts by state, running trials, recent failures, the best, why it ended.
    Status(DirArgs),
    /// The best trial: directory, objective, parameters, command line.
    Best(BestArgs),
    /// Re-run the trials whose latest attempt failed (in new session directories).
    Retry(Box<RetryArgs>),
}

/// `tune status DIR`.
#[derive(Debug, Args)]
pub struct DirArgs {
    /// The experiment directory.
    pub dir: PathBuf,
}

/// `tune best DIR`.
#[derive(Debug, Args)]
pub struct BestArgs {
    /// The experiment directory.
    pub dir: PathBuf,
    /// `text` (default) or `json`.
    #[arg(long, short = 'f', default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

/// `tune retry DIR`.
#[derive(Debug, Args)]
pub struct RetryArgs {
    /// The experiment directory.
    pub dir: PathBuf,
    /// Which latest states to re-run (comma-separated): failed, timeout, killed,
    /// metrics_unavailable, interrupted.
    #[arg(
        long,
        value_name = "STATES",
        default_value = "failed,timeout,metrics_unavailable"
    )]
    pub status: String,
    #[command(flatten)]
    pub exec: ExecArgs,
}

/// How trials run (a search and a retry).
#[derive(Debug, Args, Clone)]
pub struct ExecArgs {
    /// Trials at a time (default 1; with --gpus, one per GPU slot).
    #[arg(long, short = 'j', value_name = "N")]
    pub parallel: Option<usize>,
    /// Kill a trial after this long (SIGTERM, then SIGKILL after --kill-grace): 90s, 30m, 2h.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub trial_timeout: Option<Duration>,
    /// Time between SIGTERM and SIGKILL when a trial is stopped.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub kill_grace: Duration,
    /// Stop when this many trials failed (failed, timeout, metrics unavailable).
    #[arg(long, value_name = "N")]
    pub max_failures: Option<u64>,
    /// Only the end reason and the best trial: no progress lines, no table.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Do not print the ranked table at the end.
    #[arg(long)]
    pub no_table: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Where trials run (`--backend`) and the engines' options.
#[derive(Debug, Args, Clone)]
pub struct EngineArgs {
    /// Where trials run: local (processes on this machine), slurm (one sbatch job per
    /// trial), ray (one Ray job per trial, Jobs REST API), k8s (one Kubernetes Job per trial).
    #[arg(long, value_name = "local|slurm|ray|k8s", default_value = "local",
          value_parser = ["local", "slurm", "ray", "k8s"])]
    pub backend: String,
    /// An sbatch option for every trial's job (--backend slurm), one per flag:
    /// --slurm-arg=--partition=gpu --slurm-arg=--time=1:00:00.
    #[arg(long = "slurm-arg", value_name = "OPTION", allow_hyphen_values = true)]
    pub slurm_args: Vec<String>,
    /// The Ray head's dashboard address (--backend ray).
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8265")]
    pub ray_address: String,
    /// Time between polls of a remote job's state (default 1s).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub engine_poll: Option<Duration>,
    /// Failures of the engine in a row (refused submission, unreachable controller)
    /// before a trial is given up and the experiment stops (default 8; backoff 1s
    /// doubling to 60s in between).
    #[arg(long, value_name = "N")]
    pub engine_retries: Option<u32>,
    /// The container image of every trial's Job (--backend k8s).
    #[arg(long, value_name = "IMAGE")]
    pub k8s_image: Option<String>,
    /// The namespace of the Jobs (default: default).
    #[arg(long, value_name = "NS")]
    pub k8s_namespace: Option<String>,
    /// CPU request = limit of a trial's container, e.g. 2 or 500m.
    #[arg(long, value_name = "CPU")]
    pub k8s_cpu: Option<String>,
    /// Memory request = limit of a trial's container, e.g. 8Gi.
    #[arg(long, value_name = "MEM")]
    pub k8s_memory: Option<String>,
    /// nvidia.com/gpu limit of a trial's container.
    #[arg(long, value_name = "N")]
    pub k8s_gpus: Option<u32>,
    /// A PersistentVolumeClaim holding --logdir, mounted in each trial's container at
    /// --logdir's absolute path (so HP_TRIAL_DIR is the same path there).
    #[arg(long, value_name = "CLAIM")]
    pub k8s_pvc: Option<String>,
    /// A batch/v1 Job (YAML or JSON) to start from: node selectors, tolerations, pull
    /// secrets...; the runner sets the name, labels, command and environment.
    #[arg(long, value_name = "FILE")]
    pub k8s_template: Option<PathBuf>,
}

impl EngineArgs {
    /// The backend these flags select, for the experiment in `logdir`.
    pub fn backend(&self, logdir: &Path) -> Result<Backend, CliError> {
        Ok(match self.backend.as_str() {
            "local" => Backend::Local,
            "slurm" => Backend::Slurm(SlurmOptions {
                sbatch_args: self.slurm_args.clone(),
                poll: self.engine_poll,
                retries: self.engine_retries,
            }),
            "ray" => Backend::Ray(RayOptions {
                address: self.ray_address.clone(),
                poll: self.engine_poll,
                retries: self.engine_retries,
            }),
            "k8s" => Backend::K8s(K8sOptions {
                image: self.k8s_image.clone(),
                namespace: self.k8s_namespace.clone(),
                cpu: self.k8s_cpu.clone(),
                memory: self.k8s_memory.clone(),
                gpus: self.k8s_gpus,
                pvc: self.k8s_pvc.clone(),
                mount: Some(std::path::absolute(logdir).unwrap_or_else(|_| logdir.to_path_buf())),
                template: self.k8s_template.clone(),
                poll: self.engine_poll,
                retries: self.engine_retries,
            }),
            other => {
                return Err(usage(format!(
                    "--backend {other:?}: use local, slurm, ray or k8s"
                )))
            }
        })
    }
}

/// `hp-report tune --logdir DIR ... -- CMD`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The experiment directory (a TensorBoard logdir; one session per trial).
    #[arg(long, value_name = "DIR")]
    pub logdir: Option<PathBuf>,
    /// A parameter: NAME=SPEC with SPEC choice(a,b,…), uniform(lo,hi), loguniform(lo,hi),
    /// int(lo,hi), range(start,stop) or range(start,stop,step), quniform(lo,hi,q) or a
    /// constant. Repeatable.
    #[arg(long = "param", short = 'p', value_name = "NAME=SPEC")]
    pub params: Vec<String>,
    /// A search-space file: W&B sweep (YAML/JSON), NNI search space, Katib Experiment.
    #[arg(long, value_name = "FILE")]
    pub space: Option<PathBuf>,
    /// The metric to optimise, NAME[:min|:max] (default goal: min for loss/error-like names).
    #[arg(long, value_name = "NAME[:min|:max]")]
    pub objective: Option<String>,
    /// Which reported value is a trial's objective: last (TensorBoard's), min or max.
    #[arg(long, value_name = "last|min|max")]
    pub strategy: Option<String>,
    /// Further metrics to declare in the experiment (TensorBoard's HPARAMS columns).
    #[arg(long = "metric", value_name = "NAME")]
    pub metrics: Vec<String>,
    /// Number of trials (default: the whole grid, or 20 random ones).
    #[arg(long, short = 'n', value_name = "N")]
    pub max_trials: Option<u64>,
    /// Stop when the best trial so far reaches this objective value.
    #[arg(long, value_name = "VALUE")]
    pub target: Option<f64>,
    /// Stop after this long (running trials are killed): 30m, 2h, 1h30m.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub budget: Option<Duration>,
    /// grid (every combination, in order), random (default; reproducible from --seed),
    /// tpe, gp (Gaussian-process Bayesian optimisation) or cmaes (model-based: each
    /// trial proposed from the results so far), pbt (population-based training,
    /// with --population).
    #[arg(long, value_name = "grid|random|tpe|gp|cmaes|pbt")]
    pub method: Option<String>,
    /// Members per generation of --method pbt: trials g*P..g*P+P-1 are generation g;
    /// each continues a checkpoint of the previous one ({checkpoint_dir},
    /// {parent_checkpoint}), the bottom quarter copying a top member's, perturbed.
    #[arg(long, value_name = "P")]
    pub population: Option<u64>,
    /// Stop trials whose objective falls behind, the step being the resource:
    /// asha[:grace=G,eta=E,max=R], hyperband:max=R[,grace=G,eta=E,brackets=B],
    /// median[:warmup=W,min_trials=M], katib-median[:start_step=S,min_trials=M].
    #[arg(long, value_name = "RULE")]
    pub early_stop: Option<String>,
    /// With tpe, gp or cmaes: earlier results as prior observations, from hparams
    /// logdirs (Keras, tensorboardX, torch, Optuna, a previous tune run) whose
    /// sessions fit the space and report the objective; the others are listed.
    #[arg(long, value_name = "LOGDIR", num_args = 1..)]
    pub warm_start: Vec<PathBuf>,
    /// Seed of the random draws: trial i of a seed always gets the same values. Default 0.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// GPU ids, e.g. 0,1,2,3 or 0-3: each slot gets --gpus-per-trial of them as
    /// CUDA_VISIBLE_DEVICES, trials queue for a free slot.
    #[arg(long, value_name = "LIST")]
    pub gpus: Option<String>,
    /// GPUs per trial (with --gpus).
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub gpus_per_trial: usize,
    /// Print the commands of the first trials and exit.
    #[arg(long)]
    pub dry_run: bool,
    /// Continue the experiment in --logdir: finished trials stay, interrupted ones run again.
    #[arg(long)]
    pub resume: bool,
    /// Print the search space as understood and exit.
    #[arg(long)]
    pub print_space: bool,
    /// Print what the metric grammar finds in LOGFILE (`-` for stdin) and exit.
    #[arg(long, value_name = "LOGFILE")]
    pub test_metrics: Option<PathBuf>,
    #[command(flatten)]
    pub exec: ExecArgs,
    /// The trial command and its arguments, after `--`.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

fn usage(msg: impl Into<String>) -> CliError {
    CliError::new(EXIT_USAGE, msg)
}

/// `90`, `90s`, `500ms`, `10m`, `2h`, `1h30m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("{s:?} is not a duration (e.g. 90s, 10m, 2h, 1h30m)");
    let s = s.trim();
    if let Ok(x) = s.parse::<f64>() {
        return Duration::try_from_secs_f64(x).map_err(|_| bad());
    }
    let mut total = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let value: f64 = rest[..n].parse().map_err(|_| bad())?;
        let unit_len = rest[n..]
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len() - n);
        let unit = &rest[n..n + unit_len];
        total += value
            * match unit {
                "ms" => 0.001,
                "s" => 1.0,
                "m" | "min" => 60.0,
                "h" => 3600.0,
                "d" => 86400.0,
                _ => return Err(bad()),
            };
        rest = &rest[n + unit_len..];
    }
    Duration::try_from_secs_f64(total).map_err(|_| bad())
}

/// `0,1,2` or `0-3` or a mix.
fn parse_gpus(s: &str) -> Result<Vec<String>, CliError> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = match (a.parse(), b.parse()) {
                    (Ok(a), Ok(b)) if a <= b => (a, b),
                    _ => return Err(usage(format!("--gpus: bad range {part:?}"))),
                };
                out.extend((a..=b).map(|i| i.to_string()));
            }
            None => out.push(part.to_string()),
        }
    }
    Ok(out)
}

/// `NAME[:min|:max]`.
fn parse_objective(s: &str) -> Objective {
    let (name, goal) = match s.rsplit_once(':') {
        Some((n, g)) if matches!(g, "min" | "max" | "minimize" | "maximize") => {
            (n, g.starts_with("min"))
        }
        _ => (s, Goal::infer(s) == Goal::Min),
    };
    Objective {
        name: name.to_string(),
        minimize: goal,
    }
}

/// Runs `hp-report tune …`.
pub(crate) fn run(args: &TuneArgs) -> Result<(), CliError> {
    match &args.command {
        Some(TuneCommand::Status(d)) => {
            let e = Experiment::read(&d.dir).map_err(|m| CliError::new(EXIT_LOGDIR, m))?;
            write_stdout(&status_text(&d.dir, &e))
        }
        Some(TuneCommand::Best(b)) => best(b),
        Some(TuneCommand::Retry(r)) => retry(r),
        None => search(&args.run),
    }
}

fn best(b: &BestArgs) -> Result<(), CliError> {
    let e = Experiment::read(&b.dir).map_err(|m| CliError::new(EXIT_LOGDIR, m))?;
    let text = if b.format == "json" {
        best_json(&e).map(|v| format!("{v:#}\n"))
    } else {
        best_text(&e)
    };
    match text {
        Some(t) => write_stdout(&t),
        None => Err(CliError::new(
            crate::cli::EXIT_NO_SESSIONS,
            format!("{}: no succeeded trial yet", b.dir.display()),
        )),
    }
}

/// The space from `-p` and `--space` (file first, `-p` adds or replaces).
fn load_space(
    params: &[String],
    file: Option<&Path>,
) -> Result<(Space, Option<SpaceFile>), CliError> {
    let sf = match file {
        Some(f) => Some(SpaceFile::load(f).map_err(|e| usage(e.to_string()))?),
        None => None,
    };
    let extra = Space::from_args(params).map_err(|e| usage(e.to_string()))?;
    let mut space = sf.as_ref().map(|f| f.space.clone()).unwrap_or_default();
    for p in extra.params {
        match space.params.iter_mut().find(|q| q.name == p.name) {
            Some(q) => *q = p,
            None => space.params.push(p),
        }
    }
    Ok((space, sf))
}

/// The run's config from the arguments, and for `--resume` from `tune.json`
/// where the arguments are silent.
fn config(a: &RunArgs, logdir: &Path) -> Result<Config, CliError> {
    let stored: Option<Spec> = if a.resume {
        Some(journal::read_spec(logdir).map_err(|m| CliError::new(EXIT_LOGDIR, m))?)
    } else {
        None
    };
    let (params, space_file) = match &stored {
        Some(s) if a.params.is_empty() && a.space.is_none() => {
            (s.params.clone(), s.space_file.clone())
        }
        _ => (a.params.clone(), a.space.clone()),
    };
    let (space, sf) = load_space(&params, space_file.as_deref())?;
    let sf = sf.unwrap_or_default();
    let objective = match (&a.objective, &sf.objective, &stored) {
        (Some(o), _, _) => parse_objective(o),
        (None, Some(o), _) => o.clone(),
        (None, None, Some(s)) => Objective {
            name: s.objective.clone(),
            minimize: s.minimize,
        },
        _ => {
            return Err(usage(
                "give the metric to optimise: --objective NAME[:min|:max]",
            ))
        }
    };
    let strategy_s = a
        .strategy
        .clone()
        .or_else(|| stored.as_ref().map(|s| s.strategy.clone()));
    let strategy = match strategy_s {
        Some(s) => s.parse::<Strategy>().map_err(usage)?,
        None => Strategy::default(),
    };
    let method_s = a
        .method
        .clone()
        .or_else(|| sf.method.clone())
        .or_else(|| stored.as_ref().map(|s| s.method.clone()));
    let method = match method_s.as_deref() {
        None | Some("random") => Method::Random,
        Some("grid") => Method::Grid,
        Some("tpe") => Method::Tpe,
        Some("cmaes") => Method::Cmaes,
        Some("gp") => Method::Gp,
        Some("pbt") => Method::Pbt,
        Some(m) => {
            return Err(usage(format!(
                "--method {m:?}: use grid, random, tpe, gp, cmaes or pbt"
            )))
        }
    };
    let early_stop = a
        .early_stop
        .clone()
        .or_else(|| stored.as_ref().and_then(|s| s.early_stop.clone()))
        .map(|r| r.parse::<Rule>())
        .transpose()
        .map_err(|e| usage(e.to_string()))?;
    let warm_start = warm_start(a, stored.as_ref(), method, &space, &objective, strategy)?;
    let mut command = a.command.clone();
    if command.is_empty() {
        command = sf
            .command
            .clone()
            .or_else(|| stored.as_ref().map(|s| s.command.clone()))
            .unwrap_or_default();
    }
    let mut names: Vec<&str> = space.params.iter().map(|p| p.name.as_str()).collect();
    names.extend(runner::extra_placeholders(method));
    check_placeholders(&command, &names).map_err(usage)?;
    let gpus = a
        .gpus
        .as_deref()
        .map(parse_gpus)
        .transpose()?
        .unwrap_or_default();
    let max_trials = a
        .max_trials
        .or(sf.max_trials)
        .or_else(|| stored.as_ref().map(|s| s.max_trials));
    Ok(Config {
        logdir: logdir.to_path_buf(),
        space,
        space_args: params,
        space_file,
        objective,
        strategy,
        method,
        seed: a
            .seed
            .or_else(|| stored.as_ref().map(|s| s.seed))
            .unwrap_or(0),
        max_trials,
        parallel: a
            .exec
            .parallel
            .or(sf.parallel)
            .unwrap_or(if gpus.is_empty() { 1 } else { usize::MAX }),
        max_failures: a.exec.max_failures.or(sf.max_failures),
        target: a.target.or(sf.target),
        budget: a.budget,
        trial_timeout: a.exec.trial_timeout,
        kill_grace: a.exec.kill_grace,
        gpus,
        gpus_per_trial: a.gpus_per_trial,
        command,
        metrics: a.metrics.clone(),
        mode: if a.resume { Mode::Resume } else { Mode::Fresh },
        handle_signals: true,
        early_stop,
        warm_start,
        backend: a.exec.engine.backend(logdir)?,
        population: a
            .population
            .or_else(|| stored.as_ref().and_then(|s| s.population)),
    })
}

/// The `--warm-start` observations (on `--resume`, from the logdirs the
/// experiment started with).
fn warm_start(
    a: &RunArgs,
    stored: Option<&Spec>,
    method: Method,
    space: &Space,
    objective: &Objective,
    strategy: Strategy,
) -> Result<Option<WarmStart>, CliError> {
    let dirs = match (a.warm_start.is_empty(), stored) {
        (false, _) => a.warm_start.clone(),
        (true, Some(s)) => s.warm_start.clone(),
        (true, None) => return Ok(None),
    };
    if dirs.is_empty() {
        return Ok(None);
    }
    if !matches!(method, Method::Tpe | Method::Gp | Method::Cmaes) {
        return Err(usage(
            "--warm-start needs a model-based --method: tpe, gp or cmaes",
        ));
    }
    WarmStart::load(&dirs, space, objective, strategy)
        .map(Some)
        .map_err(|m| CliError::new(EXIT_LOGDIR, format!("--warm-start: {m}")))
}

/// What `--warm-start` took and left, one line per session left out.
fn warm_start_note(w: &WarmStart) -> String {
    let mut out = format!(
        "hp-report tune: warm start: {} prior observations from {} logdir(s), {} sessions ignored\n",
        w.used.len(),
        w.logdirs.len(),
        w.ignored_sessions
    );
    for (what, why) in &w.ignored {
        out.push_str(&format!("  ignored {what}: {why}\n"));
    }
    out
}

fn search(a: &RunArgs) -> Result<(), CliError> {
    if let Some(log) = &a.test_metrics {
        return test_metrics(log);
    }
    if a.print_space {
        let (space, _) = load_space(&a.params, a.space.as_deref())?;
        return write_stdout(&space.describe());
    }
    let Some(logdir) = &a.logdir else {
        return Err(usage("missing --logdir DIR (see hp-report tune --help)"));
    };
    let cfg = config(a, logdir)?;
    if cfg.command.is_empty() {
        return Err(usage(
            "no trial command: give it after `--`, e.g. -- python train.py --lr {lr}",
        ));
    }
    if a.dry_run {
        return dry_run(&cfg);
    }
    execute(&cfg, &a.exec)
}

fn test_metrics(log: &Path) -> Result<(), CliError> {
    let text = if log == Path::new("-") {
        metrics::test_metrics_report(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(log)
            .map_err(|e| CliError::new(EXIT_LOGDIR, format!("{}: {e}", log.display())))?;
        metrics::test_metrics_report(BufReader::new(f))
    };
    write_stdout(&text)
}

fn dry_run(cfg: &Config) -> Result<(), CliError> {
    const SHOWN: u64 = 10;
    let (plan, _) = Plan::of(cfg).map_err(tune_err)?;
    let mut out = format!(
        "{} trials ({}, seed {}), objective {} ({}); the first {}:\n",
        plan.len(),
        cfg.method.as_str(),
        cfg.seed,
        cfg.objective.name,
        if cfg.objective.minimize { "min" } else { "max" },
        plan.len().min(SHOWN)
    );
    if matches!(plan, Plan::Model { .. }) {
        out += "(each trial's values are proposed from the results of the trials before it)\n";
    }
    for i in 0..plan.len().min(SHOWN) {
        if let Some(t) = plan.trial(i) {
            let dir = journal::attempt_dir(i, 1);
            let argv = command_for(&cfg.command, &t);
            out += &format!("{dir}: {}\n", shell_line(&argv));
            out += &engine_dry_run(cfg, &dir, &t, argv)?;
        }
    }
    write_stdout(&out)
}

/// What a remote backend would submit for trial `t` in `dir`: the sbatch
/// command line, the Ray job's entrypoint, the Kubernetes Job manifest.
fn engine_dry_run(
    cfg: &Config,
    dir: &str,
    t: &crate::trainer::Trial,
    argv: Vec<String>,
) -> Result<String, CliError> {
    use crate::tune::engine::{self, k8s, ray, slurm, JobSpec};
    use crate::tune::trial::{trial_env, trial_paths};
    if !cfg.backend.is_remote() {
        return Ok(String::new());
    }
    let (trial_dir, params) = trial_paths(&cfg.logdir, dir);
    let trial_dir = std::path::absolute(&trial_dir).unwrap_or(trial_dir);
    let params = std::path::absolute(&params).unwrap_or(params);
    let job = JobSpec {
        name: engine::job_name(&cfg.logdir, dir),
        env: trial_env(t, &params, &trial_dir, None),
        argv,
        dir: trial_dir,
        slot: 0,
    };
    Ok(match &cfg.backend {
        Backend::Slurm(o) => format!(
            "  {}\n  (job.sh: {})\n",
            shell_line(&slurm::sbatch_argv(&job, &o.sbatch_args)),
            slurm::job_script(&job.argv).lines().last().unwrap_or("")
        ),
        Backend::Ray(_) => {
            let body = ray::submission(&job, &job.name);
            format!("  POST /api/jobs/ {body}\n")
        }
        Backend::K8s(o) => {
            let m = k8s::job_manifest(o, &job).map_err(usage)?;
            let yaml = serde_yaml_ng::to_string(&m).map_err(|e| usage(e.to_string()))?;
            format!("---\n{yaml}")
        }
        Backend::Local => String::new(),
    })
}

fn tune_err(e: TuneError) -> CliError {
    match e {
        TuneError::Usage(m) => usage(m),
        TuneError::Io(m) => CliError::new(EXIT_LOGDIR, m),
    }
}

/// Runs `cfg`, then prints the end reason, the ranked table and the best
/// trial's command line.
fn execute(cfg: &Config, exec: &ExecArgs) -> Result<(), CliError> {
    if let Some(w) = cfg.warm_start.as_ref().filter(|_| !exec.quiet) {
        eprint!("{}", warm_start_note(w));
    }
    let mut view = View::new(&cfg.objective.name, true, exec.quiet);
    let outcome = runner::run(cfg, &mut view).map_err(tune_err)?;
    drop(view);
    eprintln!("hp-report tune: {}", outcome.reason);
    if !exec.quiet && !exec.no_table {
        if let Err(e) = ranked_table(cfg) {
            eprintln!("hp-report tune: no table: {}", e.message);
        }
    }
    let e = Experiment::read(&cfg.logdir).map_err(|m| CliError::new(EXIT_LOGDIR, m))?;
    if !exec.quiet {
        // The states TensorBoard's table cannot show (timeout, killed,
        // metrics unavailable), with the failures' exits.
        let status = status_text(&cfg.logdir, &e);
        let lines: Vec<&str> = status
            .lines()
            .filter(|l| !l.starts_with("best:"))
            .skip(2)
            .collect();
        write_stdout(&format!("{}\n", lines.join("\n")))?;
    }
    if let Some(t) = best_text(&e) {
        write_stdout(&t)?;
    }
    match outcome.reason {
        runner::EndReason::MaxFailures(_) => Err(CliError::new(
            EXIT_TRIALS_FAILED,
            format!(
                "{} (see hp-report tune status {})",
                outcome.reason,
                cfg.logdir.display()
            ),
        )),
        runner::EndReason::EngineFailed(_) => Err(CliError::new(
            EXIT_ENGINE,
            format!(
                "{}; continue with --resume once the engine works",
                outcome.reason
            ),
        )),
        runner::EndReason::Interrupted(_) => Err(CliError::new(
            EXIT_INTERRUPTED,
            format!(
                "stopped; continue with --resume (see hp-report tune status {})",
                cfg.logdir.display()
            ),
        )),
        _ => Ok(()),
    }
}

/// The table `hp-report DIR` prints, ranked by the objective.
fn ranked_table(cfg: &Config) -> Result<(), CliError> {
    let goal = if cfg.objective.minimize { "min" } else { "max" };
    let mut argv: Vec<std::ffi::OsString> =
        vec!["hp-report".into(), cfg.logdir.clone().into_os_string()];
    for a in [
        "--quiet",
        "--sort",
        cfg.objective.name.as_str(),
        "--goal",
        goal,
    ] {
        argv.push(a.into());
    }
    if cfg.strategy != Strategy::Last {
        argv.push("--reduce".into());
        argv.push(runner::strategy_str(cfg.strategy).into());
    }
    let cli = <crate::cli::args::Cli as clap::Parser>::try_parse_from(argv)
        .map_err(|e| usage(e.to_string()))?;
    crate::cli::table::run(&cli.table)
}

fn retry(r: &RetryArgs) -> Result<(), CliError> {
    let states = r
        .status
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.parse::<State>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    let spec = journal::read_spec(&r.dir).map_err(|m| CliError::new(EXIT_LOGDIR, m))?;
    let run_args = RunArgs {
        logdir: Some(r.dir.clone()),
        params: vec![],
        space: None,
        objective: None,
        strategy: None,
        metrics: vec![],
        max_trials: Some(spec.max_trials),
        target: None,
        budget: None,
        method: None,
        early_stop: None,
        warm_start: vec![],
        population: None,
        seed: None,
        gpus: None,
        gpus_per_trial: 1,
        dry_run: false,
        resume: true,
        print_space: false,
        test_metrics: None,
        exec: r.exec.clone(),
        command: vec![],
    };
    let mut cfg = config(&run_args, &r.dir)?;
    cfg.mode = Mode::Retry(states);
    execute(&cfg, &r.exec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("10x").is_err());
        assert!(parse_duration("-5").is_err());
    }

    #[test]
    fn objectives_and_gpus() {
        let o = parse_objective("val/acc:max");
        assert_eq!((o.name.as_str(), o.minimize), ("val/acc", false));
        assert!(parse_objective("val_loss").minimize);
        assert_eq!(parse_gpus("0-2,5").unwrap(), ["0", "1", "2", "5"]);
    }
}
