//! The arguments of `hp-report tune` as clap reads them (the run, its
//! engine, `status`/`best`/`retry`), and the duration grammar they share.
//! [`super::tune`] turns them into [`crate::tune`] calls.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::cli::{CliError, EXIT_USAGE};
use crate::tune::engine::k8s::K8sOptions;
use crate::tune::engine::ray::RayOptions;
use crate::tune::engine::slurm::SlurmOptions;
use crate::tune::engine::Backend;

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
    /// median[:warmup=W,min_trials=M,max=R], katib-median[:start_step=S,min_trials=M].
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

pub(super) fn usage(msg: impl Into<String>) -> CliError {
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
