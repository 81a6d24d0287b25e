//! The trial runner: launches trials `-j` at a time in slots (each slot may
//! own GPUs), follows their metrics and exits, writes their sessions and the
//! journal, and ends the experiment for one of Katib's reasons.
//!
//! One thread (the caller's) owns every decision and every file the runner
//! writes; each trial's own threads ([`crate::tune::trial`]) only read its
//! output and wait for it, and talk to the runner over one bounded channel
//! (a trial printing faster than the runner writes is slowed down, not
//! buffered).

use std::collections::VecDeque;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use crate::hparams::Status;
use crate::trainer::{ExperimentWriter, Trial};
use crate::tune::adaptive::Adaptive;
use crate::tune::control::{self, signal_name};
use crate::tune::engine::{self, Backend, Handle, JobSpec};
use crate::tune::follow::{Dedup, Origin, TrialFollower};
use crate::tune::journal::{self, History, JournalWriter, Record, Spec, State};
use crate::tune::metrics::Strategy;
use crate::tune::pbt::Pbt;
use crate::tune::search::{Rule, WarmStart};
use crate::tune::space::{env_var_of, Objective, Space};
use crate::tune::trial::{self, Event};
use crate::tune::writer::{tfevents_objective, TrialSession};

/// How trials are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Every grid point in order.
    Grid,
    /// Seeded random draws: trial `i` of a seed always gets the same values.
    Random,
    /// Tree-structured Parzen estimators ([`crate::tune::search::Tpe`]).
    Tpe,
    /// CMA-ES ([`crate::tune::search::CmaEs`]).
    Cmaes,
    /// Gaussian-process Bayesian optimisation ([`crate::tune::search::Gp`]).
    Gp,
    /// Population-based training ([`crate::tune::pbt`]), `--population` members.
    Pbt,
}

impl Method {
    /// `grid`, `random`, `tpe`, `cmaes`, `gp` or `pbt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Grid => "grid",
            Method::Random => "random",
            Method::Tpe => "tpe",
            Method::Cmaes => "cmaes",
            Method::Gp => "gp",
            Method::Pbt => "pbt",
        }
    }
}

/// What this runner does with the experiment directory.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    /// A new experiment (the directory must not hold one).
    Fresh,
    /// Continue an interrupted one (`--resume`).
    Resume,
    /// Re-run the trials whose latest attempt ended in one of these states.
    Retry(Vec<State>),
}

/// Default number of trials of a random search (as Guild's).
pub const DEFAULT_RANDOM_TRIALS: u64 = 20;

/// Default number of generations of `--method pbt` (without `-n`).
pub const DEFAULT_PBT_GENERATIONS: u64 = 5;

/// The population of a `--method pbt` run: given, at least 2.
fn pbt_population(cfg: &Config) -> Result<u64, TuneError> {
    match cfg.population {
        Some(p) if p >= 2 => Ok(p),
        Some(p) => Err(TuneError::Usage(format!(
            "--population {p}: population-based training needs at least 2 members"
        ))),
        None => Err(TuneError::Usage(
            "--method pbt needs --population P (members per generation)".into(),
        )),
    }
}

/// The placeholders a trial command may use besides the parameters.
pub fn extra_placeholders(method: Method) -> &'static [&'static str] {
    match method {
        Method::Pbt => &[
            crate::tune::pbt::CHECKPOINT_DIR,
            crate::tune::pbt::PARENT_CHECKPOINT,
        ],
        _ => &[],
    }
}

/// Everything a run needs.
#[derive(Clone, Debug)]
pub struct Config {
    /// The experiment directory (a TensorBoard logdir).
    pub logdir: PathBuf,
    /// The search space.
    pub space: Space,
    /// The `-p` arguments as given (kept in `tune.json`).
    pub space_args: Vec<String>,
    /// The `--space` file, if any.
    pub space_file: Option<PathBuf>,
    /// The objective.
    pub objective: Objective,
    /// Which reported value is a trial's objective.
    pub strategy: Strategy,
    /// Grid or random.
    pub method: Method,
    /// Seed of the random draws.
    pub seed: u64,
    /// Number of trials (default: the grid's size, or 20).
    pub max_trials: Option<u64>,
    /// Trials at a time.
    pub parallel: usize,
    /// Stop when this many trials failed.
    pub max_failures: Option<u64>,
    /// Stop when the best objective reaches this.
    pub target: Option<f64>,
    /// Stop launching (and kill running trials) after this long.
    pub budget: Option<Duration>,
    /// Kill a trial after this long.
    pub trial_timeout: Option<Duration>,
    /// Between SIGTERM and SIGKILL.
    pub kill_grace: Duration,
    /// GPU ids for `CUDA_VISIBLE_DEVICES`, split into slots.
    pub gpus: Vec<String>,
    /// GPUs per slot.
    pub gpus_per_trial: usize,
    /// The command template.
    pub command: Vec<String>,
    /// Metrics to declare besides the objective.
    pub metrics: Vec<String>,
    /// Fresh, resume or retry.
    pub mode: Mode,
    /// Catch SIGINT/SIGTERM: stop every trial, record them killed, end.
    pub handle_signals: bool,
    /// Stop trials whose objective reports fall behind (`--early-stop`).
    pub early_stop: Option<Rule>,
    /// Prior observations for a model-based method (`--warm-start`).
    pub warm_start: Option<WarmStart>,
    /// Where trials run (`--backend`; local processes by default).
    pub backend: Backend,
    /// Members per generation of `--method pbt`.
    pub population: Option<u64>,
}

use crate::tune::error::io_err;
pub use crate::tune::error::TuneError;

/// Why the experiment ended (Katib's reasons, in the order Katib checks).
#[derive(Clone, Debug, PartialEq)]
pub enum EndReason {
    /// The best trial so far reached `--target` (Katib ExperimentGoalReached).
    GoalReached {
        /// The best objective.
        best: f64,
        /// Its trial directory.
        dir: String,
    },
    /// `--max-failures` trials failed (Katib: experiment Failed).
    MaxFailures(u64),
    /// Every planned trial ran (Katib ExperimentMaxTrialsReached).
    MaxTrials(u64),
    /// A grid ran out of points (Katib ExperimentSuggestionEndReached).
    SpaceExhausted(u64),
    /// `--budget` was spent.
    Budget(Duration),
    /// SIGINT or SIGTERM to the runner.
    Interrupted(i32),
    /// `tune retry` re-ran what it was asked to.
    RetryDone(u64),
    /// The engine (`--backend`) kept failing: no more trials launched.
    EngineFailed(String),
}

impl EndReason {
    /// Whether the experiment ended as planned (exit status 0).
    pub fn is_success(&self) -> bool {
        !matches!(
            self,
            EndReason::MaxFailures(_) | EndReason::Interrupted(_) | EndReason::EngineFailed(_)
        )
    }
}

impl fmt::Display for EndReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndReason::GoalReached { best, dir } => {
                write!(f, "target reached: best objective {best} ({dir})")
            }
            EndReason::MaxFailures(n) => write!(f, "max failures reached: {n} trials failed"),
            EndReason::MaxTrials(n) => write!(f, "max trials reached: {n} trials"),
            EndReason::SpaceExhausted(n) => {
                write!(f, "search space exhausted: all {n} grid points tried")
            }
            EndReason::Budget(d) => write!(f, "budget spent: {}", format_duration(*d)),
            EndReason::Interrupted(sig) => write!(f, "interrupted by {}", signal_name(*sig)),
            EndReason::RetryDone(n) => write!(f, "retry done: {n} trials re-run"),
            EndReason::EngineFailed(e) => write!(f, "engine failed: {e}"),
        }
    }
}

/// `90s`, `12m30s`, `2h`.
pub fn format_duration(d: Duration) -> String {
    let s = d.as_secs();
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    let mut out = String::new();
    if h > 0 {
        out += &format!("{h}h");
    }
    if m > 0 {
        out += &format!("{m}m");
    }
    if s > 0 || out.is_empty() {
        out += &format!("{s}s");
    }
    out
}

/// A trial's end, as the observer sees it.
#[derive(Clone, Debug)]
pub struct Finished {
    /// Session directory.
    pub dir: String,
    /// What it came to.
    pub state: State,
    /// Its objective, if reported.
    pub objective: Option<f64>,
    /// Exit status.
    pub exit_code: Option<i32>,
    /// Terminating signal.
    pub signal: Option<i32>,
    /// Why it could not start.
    pub error: Option<String>,
    /// Seconds it ran.
    pub secs: f64,
}

/// Progress of the whole experiment.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    /// Trials planned (for a retry: trials to re-run).
    pub total: u64,
    /// Trials finished, any state.
    pub done: u64,
    /// Of those, failures (failed, timeout, metrics unavailable).
    pub failed: u64,
    /// Best objective so far and its trial directory.
    pub best: Option<(f64, String)>,
    /// Running trials.
    pub running: Vec<RunningTrial>,
}

/// A running trial in [`Progress`].
#[derive(Clone, Debug)]
pub struct RunningTrial {
    /// Session directory.
    pub dir: String,
    /// Seconds since launch.
    pub secs: f64,
    /// The latest metric it reported (name, value).
    pub latest: Option<(String, f64)>,
}

/// What the runner tells its user; every method has a silent default.
pub trait Observer {
    /// A trial started.
    fn launched(&mut self, _dir: &str, _argv: &[String]) {}
    /// A trial ended.
    fn finished(&mut self, _f: &Finished, _p: &Progress) {}
    /// Called about twice a second.
    fn tick(&mut self, _p: &Progress) {}
    /// A message (stopping, orphans killed, ...).
    fn note(&mut self, _msg: &str) {}
}

/// A silent observer.
pub struct Quiet;
impl Observer for Quiet {}

/// How the run went.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Why it ended.
    pub reason: EndReason,
    /// Final progress (best, counts).
    pub progress: Progress,
}

/// The trials of an experiment, by index.
#[derive(Clone, Debug)]
pub enum Plan {
    /// Grid points (already cut to `max_trials`).
    Grid(Vec<Trial>),
    /// Random draws.
    Random {
        /// The space.
        space: Space,
        /// The seed.
        seed: u64,
        /// How many.
        n: u64,
    },
    /// Proposed one at a time by a sampler from the results so far.
    Model {
        /// How many.
        n: u64,
    },
}

impl Plan {
    /// The plan of `cfg`, and whether it covers the whole (grid) space.
    pub fn of(cfg: &Config) -> Result<(Plan, bool), TuneError> {
        match cfg.method {
            Method::Grid => {
                let mut g = cfg
                    .space
                    .grid()
                    .map_err(|e| TuneError::Usage(e.to_string()))?;
                let all = g.len() as u64;
                let n = cfg.max_trials.unwrap_or(all).min(all);
                g.truncate(n as usize);
                Ok((Plan::Grid(g), n == all))
            }
            Method::Random => Ok((
                Plan::Random {
                    space: cfg.space.clone(),
                    seed: cfg.seed,
                    n: cfg.max_trials.unwrap_or(DEFAULT_RANDOM_TRIALS),
                },
                false,
            )),
            Method::Tpe | Method::Cmaes | Method::Gp => Ok((
                Plan::Model {
                    n: cfg.max_trials.unwrap_or(DEFAULT_RANDOM_TRIALS),
                },
                false,
            )),
            Method::Pbt => Ok((
                Plan::Model {
                    n: cfg
                        .max_trials
                        .unwrap_or(pbt_population(cfg)? * DEFAULT_PBT_GENERATIONS),
                },
                false,
            )),
        }
    }

    /// Number of trials.
    pub fn len(&self) -> u64 {
        match self {
            Plan::Grid(g) => g.len() as u64,
            Plan::Random { n, .. } | Plan::Model { n } => *n,
        }
    }

    /// Whether there are no trials.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Trial `i`'s values (`None` for a model's: they depend on results).
    pub fn trial(&self, i: u64) -> Option<Trial> {
        match self {
            Plan::Grid(g) => g.get(i as usize).cloned(),
            Plan::Random { space, seed, n } => (i < *n).then(|| space.sample(*seed, i)),
            Plan::Model { .. } => None,
        }
    }
}

mod rebuild;
mod remote;

/// A trial in a slot.
struct Running {
    index: u64,
    attempt: u32,
    dir: String,
    values: Trial,
    /// The local process or remote job.
    process: Handle,
    /// The remote job's id, once the engine took it.
    job: Option<String>,
    session: Option<TrialSession>,
    /// When it started; with `--trial-timeout`, its deadline follows.
    started: Instant,
    /// Set when the runner stops it: the state it will get.
    stop_as: Option<State>,
    term_sent: Option<Instant>,
    killed: bool,
    /// The tfevents the trial writes itself, read while it runs.
    follow: TrialFollower,
    /// Points reported both on its output and in its tfevents count once.
    dedup: Dedup,
    /// It has exited: a rule's decision is journaled but not acted on (its
    /// process group is gone).
    exited: bool,
}

impl Running {
    /// Trial `index`'s attempt `attempt`, started (or followed again) at
    /// `started` in `trial_dir`: no job id, nothing sent yet.
    fn new(
        (index, attempt): (u64, u32),
        dir: String,
        values: Trial,
        process: Handle,
        session: TrialSession,
        trial_dir: &Path,
        started: Instant,
    ) -> Self {
        Running {
            index,
            attempt,
            dir,
            values,
            process,
            job: None,
            session: Some(session),
            started,
            stop_as: None,
            term_sent: None,
            killed: false,
            follow: TrialFollower::new(trial_dir.to_path_buf(), started),
            dedup: Dedup::default(),
            exited: false,
        }
    }
}

struct Slot {
    gpus: Option<String>,
    trial: Option<Running>,
}

/// The runner's state during one run.
struct Runner<'a> {
    cfg: &'a Config,
    plan: Plan,
    journal: JournalWriter,
    slots: Vec<Slot>,
    queue: VecDeque<(u64, u32)>,
    next_new: u64,
    /// Trials not re-run by this runner (retry: none).
    new_trials: bool,
    progress: Progress,
    failures: u64,
    stopping: Option<EndReason>,
    tx: SyncSender<Event>,
    rx: Receiver<Event>,
    started: Instant,
    observer: &'a mut dyn Observer,
    adaptive: Adaptive,
    /// `--method pbt`: the population's lineage and generations.
    pbt: Option<Pbt>,
}

/// Runs the experiment `cfg` describes to its end.
pub fn run(cfg: &Config, observer: &mut dyn Observer) -> Result<Outcome, TuneError> {
    let (plan, whole_grid) = Plan::of(cfg)?;
    let mut names: Vec<&str> = cfg.space.params.iter().map(|p| p.name.as_str()).collect();
    let extra = extra_placeholders(cfg.method);
    if let Some(n) = names.iter().find(|n| extra.contains(n)) {
        return Err(TuneError::Usage(format!(
            "parameter {n:?}: that name is the {} placeholder of --method {}; rename it",
            n,
            cfg.method.as_str()
        )));
    }
    names.extend(extra);
    trial::check_placeholders(&cfg.command, &names).map_err(TuneError::Usage)?;
    if cfg.command.is_empty() {
        return Err(TuneError::Usage("no command given (after --)".into()));
    }
    std::fs::create_dir_all(&cfg.logdir).map_err(|e| io_err("cannot create", &cfg.logdir, e))?;
    let _lock = control::DirLock::take(&cfg.logdir)?;
    let history = open_experiment(cfg, &plan)?;
    let _signals = cfg.handle_signals.then(control::SignalGuard::install);
    let mut runner = Runner::new(cfg, plan, history, observer)?;
    let reason = match runner.run_loop(whole_grid) {
        Ok(r) => r,
        Err(e) => {
            // The runner cannot go on (its journal or a session cannot be
            // written): no trial may outlive it unseen.
            runner.kill_all_now();
            return Err(e);
        }
    };
    // The sessions' files were closed without fsync: make them durable
    // before the journal says the run finished.
    control::sync_filesystem(&cfg.logdir).map_err(|e| io_err("cannot sync", &cfg.logdir, e))?;
    runner
        .journal
        .append_synced(&Record::Finish {
            reason: reason.to_string(),
            cpu_secs: control::own_cpu_secs(),
            time: journal::now(),
        })
        .map_err(|e| io_err("cannot write", runner.journal.path(), e))?;
    Ok(Outcome {
        reason,
        progress: runner.progress_snapshot(),
    })
}

/// The frozen spec of `cfg`.
pub fn spec_of(cfg: &Config, plan: &Plan) -> Spec {
    Spec {
        params: cfg.space_args.clone(),
        space_file: cfg.space_file.clone(),
        fingerprint: cfg.space.fingerprint(),
        method: cfg.method.as_str().into(),
        early_stop: cfg.early_stop.as_ref().map(|r| r.to_string()),
        warm_start: cfg
            .warm_start
            .as_ref()
            .map(|w| w.logdirs.clone())
            .unwrap_or_default(),
        population: cfg.population.filter(|_| cfg.method == Method::Pbt),
        seed: cfg.seed,
        max_trials: plan.len(),
        objective: cfg.objective.name.clone(),
        minimize: cfg.objective.minimize,
        strategy: strategy_str(cfg.strategy).into(),
        command: cfg.command.clone(),
        created: journal::now(),
    }
}

/// `last`, `min`, `max`.
pub fn strategy_str(s: Strategy) -> &'static str {
    match s {
        Strategy::Last => "last",
        Strategy::Min => "min",
        Strategy::Max => "max",
    }
}

/// A fresh experiment: writes `tune.json` and the TensorBoard experiment.
/// Resume and retry: checks the spec, reads the journal (or rebuilds it).
fn open_experiment(cfg: &Config, plan: &Plan) -> Result<History, TuneError> {
    let dir = &cfg.logdir;
    let spec_path = dir.join(journal::SPEC_FILE);
    if cfg.mode == Mode::Fresh {
        if spec_path.exists() {
            return Err(TuneError::Usage(format!(
                "{} already holds an experiment: continue it with --resume, re-run \
                 failures with `hp-report tune retry {}`, or choose a new --logdir",
                dir.display(),
                dir.display()
            )));
        }
        if has_root_events(dir) {
            return Err(TuneError::Usage(format!(
                "{} already holds TensorBoard event files; give tune a new --logdir",
                dir.display()
            )));
        }
        // The spec first: a runner killed before the experiment is written
        // leaves a directory that --resume completes.
        journal::write_spec(dir, &spec_of(cfg, plan))
            .map_err(|e| io_err("cannot write", &spec_path, e))?;
        write_experiment(cfg)?;
        return Ok(History::default());
    }
    let spec = journal::read_spec(dir).map_err(TuneError::Usage)?;
    if spec.fingerprint != cfg.space.fingerprint() {
        return Err(TuneError::Usage(format!(
            "the search space differs from the one {} was started with ({}); \
             resume with the same -p/--space (or none, to use the stored one)",
            dir.display(),
            spec.params.join(" ")
        )));
    }
    let population = cfg.population.filter(|_| cfg.method == Method::Pbt);
    if spec.seed != cfg.seed || spec.method != cfg.method.as_str() || spec.population != population
    {
        return Err(TuneError::Usage(format!(
            "{} was started with --method {} --seed {}; resume with the same",
            dir.display(),
            spec.method,
            spec.seed
        )));
    }
    if !has_root_events(dir) {
        write_experiment(cfg)?;
    }
    if spec.max_trials != plan.len() {
        // `-n` raised (or lowered) on resume: the spec says what is planned now.
        let raised = Spec {
            max_trials: plan.len(),
            ..spec.clone()
        };
        journal::write_spec(dir, &raised).map_err(|e| io_err("cannot write", &spec_path, e))?;
    }
    if !dir.join(journal::JOURNAL_FILE).exists() {
        rebuild::rebuild(dir, &spec, plan).map_err(TuneError::Io)?;
    }
    journal::history(dir).map_err(|e| io_err("cannot read", &dir.join(journal::JOURNAL_FILE), e))
}

/// Writes the TensorBoard experiment (`_hparams_/experiment`) at the root.
fn write_experiment(cfg: &Config) -> Result<(), TuneError> {
    let config = cfg.space.experiment_config(&cfg.objective, &cfg.metrics);
    ExperimentWriter::create(&cfg.logdir, &config)
        .map(drop)
        .map_err(|e| TuneError::Io(e.to_string()))
}

/// Whether the experiment directory itself holds an event file.
fn has_root_events(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|rd| {
        rd.filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().contains("tfevents"))
    })
}

impl<'a> Runner<'a> {
    fn new(
        cfg: &'a Config,
        plan: Plan,
        history: History,
        observer: &'a mut dyn Observer,
    ) -> Result<Self, TuneError> {
        let mut journal =
            JournalWriter::open(&cfg.logdir).map_err(|e| io_err("cannot open", &cfg.logdir, e))?;
        let mode = match cfg.mode {
            Mode::Fresh => "run",
            Mode::Resume => "resume",
            Mode::Retry(_) => "retry",
        };
        journal
            .append_synced(&Record::Start {
                pid: std::process::id(),
                mode: mode.into(),
                time: journal::now(),
            })
            .map_err(|e| io_err("cannot write", journal.path(), e))?;
        let (tx, rx) = sync_channel(4096);
        let mut r = Runner {
            cfg,
            plan,
            journal,
            slots: make_slots(cfg),
            queue: VecDeque::new(),
            next_new: 0,
            new_trials: !matches!(cfg.mode, Mode::Retry(_)),
            progress: Progress::default(),
            failures: 0,
            stopping: None,
            tx,
            rx,
            started: Instant::now(),
            observer,
            adaptive: Adaptive::new(cfg.method.as_str(), cfg.early_stop.clone(), &history)
                .with_prior(cfg.warm_start.as_ref().map(|w| w.used.clone())),
            pbt: match cfg.method {
                Method::Pbt => Some(Pbt::new(
                    &cfg.space,
                    cfg.seed,
                    pbt_population(cfg)?,
                    cfg.objective.minimize,
                    &history,
                )),
                _ => None,
            },
        };
        r.take_history(&history)?;
        Ok(r)
    }

    /// Counts what earlier runners finished, marks what they left running
    /// as interrupted (killing leftovers), and queues what to run again.
    fn take_history(&mut self, h: &History) -> Result<(), TuneError> {
        let mut reattached = std::collections::BTreeSet::new();
        for (index, a) in h.unfinished() {
            if let Some((backend, id)) = &a.job {
                self.reattach(index, a, backend, id)?;
                reattached.insert(index);
                continue;
            }
            if let Some(pid) = a.pid {
                if control::kill_orphan(pid, &self.cfg.logdir.join(&a.dir)) {
                    self.observer.note(&format!(
                        "killed the leftover process group {pid} of {}",
                        a.dir
                    ));
                }
            }
            self.record(&Record::End {
                trial: index,
                attempt: a.attempt,
                state: State::Interrupted,
                exit_code: None,
                signal: None,
                objective: None,
                error: Some("the runner stopped while it ran".into()),
                secs: 0.0,
                time: journal::now(),
            })?;
        }
        let retry = match &self.cfg.mode {
            Mode::Retry(states) => Some(states.clone()),
            _ => None,
        };
        for (&index, attempts) in &h.trials {
            let Some(last) = attempts.last() else {
                continue;
            };
            if reattached.contains(&index) {
                self.next_new = self.next_new.max(index + 1);
                continue;
            }
            let state = last.end.as_ref().map_or(State::Interrupted, |e| e.state);
            let rerun = match &retry {
                Some(states) => states.contains(&state),
                None => state == State::Interrupted,
            };
            let next_attempt = attempts.iter().map(|a| a.attempt).max().unwrap_or(0) + 1;
            if rerun {
                self.queue.push_back((index, next_attempt));
            } else {
                self.count(
                    state,
                    last.end.as_ref().and_then(|e| e.objective),
                    &last.dir,
                );
            }
            self.next_new = self.next_new.max(index + 1);
        }
        self.progress.total = if self.new_trials {
            self.plan.len()
        } else {
            self.queue.len() as u64
        };
        if !self.new_trials {
            // A retry counts only its own trials against its limits.
            self.progress.done = 0;
            self.progress.failed = 0;
            self.failures = 0;
        }
        Ok(())
    }

    fn record(&mut self, rec: &Record) -> Result<(), TuneError> {
        self.journal
            .append(rec)
            .map_err(|e| io_err("cannot write", self.journal.path(), e))
    }

    /// Adds a finished trial to the counts and the best.
    fn count(&mut self, state: State, objective: Option<f64>, dir: &str) {
        self.progress.done += 1;
        if state.is_failure() {
            self.progress.failed += 1;
            self.failures += 1;
        }
        if state != State::Succeeded {
            return;
        }
        let Some(v) = objective.filter(|v| !v.is_nan()) else {
            return;
        };
        let better = match &self.progress.best {
            None => true,
            Some((b, _)) if self.cfg.objective.minimize => v < *b,
            Some((b, _)) => v > *b,
        };
        if better {
            self.progress.best = Some((v, dir.to_string()));
        }
    }

    fn progress_snapshot(&self) -> Progress {
        let mut p = self.progress.clone();
        p.running = self
            .slots
            .iter()
            .filter_map(|s| s.trial.as_ref())
            .map(|t| {
                let latest = t.session.as_ref().and_then(|s| s.latest.clone());
                RunningTrial {
                    dir: t.dir.clone(),
                    secs: t.started.elapsed().as_secs_f64(),
                    latest,
                }
            })
            .collect();
        p
    }

    fn running(&self) -> usize {
        self.slots.iter().filter(|s| s.trial.is_some()).count()
    }

    /// The next (index, attempt) to launch, if any.
    fn next_trial(&mut self) -> Option<(u64, u32)> {
        if let Some(t) = self.queue.pop_front() {
            return Some(t);
        }
        if self.new_trials && self.next_new < self.plan.len() {
            self.next_new += 1;
            return Some((self.next_new - 1, 1));
        }
        None
    }

    fn has_next(&self) -> bool {
        !self.queue.is_empty() || (self.new_trials && self.next_new < self.plan.len())
    }

    /// Whether the next trial may start now (a PBT generation waits for
    /// the previous one to end; re-runs of earlier trials never wait).
    fn next_ready(&self) -> bool {
        !self.queue.is_empty() || self.pbt.as_ref().is_none_or(|p| p.ready(self.next_new))
    }

    fn run_loop(&mut self, whole_grid: bool) -> Result<EndReason, TuneError> {
        let mut last_tick = Instant::now();
        loop {
            self.check_stops();
            while self.stopping.is_none() && self.has_next() && self.next_ready() {
                let Some(slot) = self.slots.iter().position(|s| s.trial.is_none()) else {
                    break;
                };
                let Some((index, attempt)) = self.next_trial() else {
                    break;
                };
                self.launch(slot, index, attempt)?;
                self.check_stops();
            }
            if self.running() == 0 && (self.stopping.is_some() || !self.has_next()) {
                break;
            }
            let wait = self.next_wakeup();
            match self.rx.recv_timeout(wait) {
                Ok(ev) => self.handle(ev)?,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            self.enforce_deadlines();
            self.follow_trials()?;
            if last_tick.elapsed() >= Duration::from_millis(500) {
                last_tick = Instant::now();
                let p = self.progress_snapshot();
                self.observer.tick(&p);
            }
        }
        Ok(self
            .stopping
            .take()
            .unwrap_or_else(|| self.natural_end(whole_grid)))
    }

    fn natural_end(&self, whole_grid: bool) -> EndReason {
        if !self.new_trials {
            EndReason::RetryDone(self.progress.total)
        } else if whole_grid && self.cfg.method == Method::Grid {
            EndReason::SpaceExhausted(self.plan.len())
        } else {
            EndReason::MaxTrials(self.plan.len())
        }
    }

    /// How long to wait for an event: until the nearest deadline, at most
    /// 200 ms (signals and the budget are checked between waits).
    fn next_wakeup(&self) -> Duration {
        let now = Instant::now();
        let mut wait = Duration::from_millis(200);
        for t in self.slots.iter().filter_map(|s| s.trial.as_ref()) {
            let due = match (t.term_sent, self.cfg.trial_timeout) {
                (Some(sent), _) if !t.killed => Some(sent + self.cfg.kill_grace),
                (None, Some(timeout)) => Some(t.started + timeout),
                _ => None,
            };
            if let Some(d) = due {
                wait = wait.min(d.saturating_duration_since(now));
            }
        }
        wait
    }

    /// Stops for a signal, the budget, the target or max failures.
    fn check_stops(&mut self) {
        let sig = control::stop_signal();
        if sig != 0 && self.cfg.handle_signals {
            if self.stopping.is_none() {
                self.observer.note(&format!(
                    "{} received: stopping every trial (again to kill at once)",
                    signal_name(sig)
                ));
                self.stop(EndReason::Interrupted(sig));
            }
            if control::stop_count() > 1 {
                self.kill_all_now();
            }
        }
        if self.stopping.is_some() {
            return;
        }
        if let Some(budget) = self.cfg.budget {
            if self.started.elapsed() >= budget {
                self.stop(EndReason::Budget(budget));
                return;
            }
        }
        if let (Some(target), Some((best, dir))) = (self.cfg.target, &self.progress.best) {
            let reached = if self.cfg.objective.minimize {
                *best <= target
            } else {
                *best >= target
            };
            if reached {
                let reason = EndReason::GoalReached {
                    best: *best,
                    dir: dir.clone(),
                };
                self.stop(reason);
                return;
            }
        }
        if let Some(max) = self.cfg.max_failures {
            if self.failures >= max {
                self.stop(EndReason::MaxFailures(self.failures));
            }
        }
    }

    /// Stops launching and asks every running trial to end (SIGTERM now,
    /// SIGKILL after the grace period); they are recorded as killed.
    fn stop(&mut self, reason: EndReason) {
        self.stopping = Some(reason);
        let now = Instant::now();
        for t in self.slots.iter_mut().filter_map(|s| s.trial.as_mut()) {
            t.stop_as.get_or_insert(State::Killed);
            if t.term_sent.is_none() {
                t.process.signal(libc::SIGTERM);
                t.term_sent = Some(now);
            }
        }
    }

    fn kill_all_now(&mut self) {
        for t in self.slots.iter_mut().filter_map(|s| s.trial.as_mut()) {
            if !t.killed {
                t.process.signal(libc::SIGKILL);
                t.killed = true;
            }
        }
    }

    /// Timeouts (SIGTERM) and grace periods (SIGKILL).
    fn enforce_deadlines(&mut self) {
        let now = Instant::now();
        let grace = self.cfg.kill_grace;
        let timeout = self.cfg.trial_timeout;
        for t in self.slots.iter_mut().filter_map(|s| s.trial.as_mut()) {
            match t.term_sent {
                None if timeout.is_some_and(|d| now >= t.started + d) => {
                    t.stop_as = Some(State::Timeout);
                    t.process.signal(libc::SIGTERM);
                    t.term_sent = Some(now);
                }
                Some(sent) if !t.killed && now >= sent + grace => {
                    t.process.signal(libc::SIGKILL);
                    t.killed = true;
                }
                _ => {}
            }
        }
    }

    fn handle(&mut self, ev: Event) -> Result<(), TuneError> {
        match ev {
            Event::Metric {
                slot,
                name,
                step,
                value,
            } => self.metric(slot, Origin::Output, &name, step, value),
            Event::Exited { slot, code, signal } => self.exited(slot, code, signal),
            Event::Submitted { slot, id } => self.submitted(slot, id),
            Event::EngineNote { msg, .. } => {
                self.observer.note(&msg);
                Ok(())
            }
            Event::EngineFailed { slot, error } => self.engine_failed(slot, error),
        }
    }

    /// A metric point of the trial in `slot`, from its output (written to
    /// its session) or its own tfevents (already there: only tracked). A
    /// point the other source reported already is not counted again.
    fn metric(
        &mut self,
        slot: usize,
        origin: Origin,
        name: &str,
        step: i64,
        value: f64,
    ) -> Result<(), TuneError> {
        let Some(t) = self.slots.get_mut(slot).and_then(|s| s.trial.as_mut()) else {
            return Ok(());
        };
        let fresh = t.dedup.fresh(origin, name, step);
        if let Some(s) = t.session.as_mut() {
            match (origin, fresh) {
                (Origin::Output, true) => s.point(name, step, value),
                (Origin::Output, false) => s.write(name, step, value),
                (Origin::Events, true) => s.track(name, value),
                (Origin::Events, false) => {}
            }
        }
        if fresh && name == self.cfg.objective.name {
            self.objective_report(slot, step, value)?;
        }
        Ok(())
    }

    /// Reads what running trials wrote to their own tfevents since their
    /// last poll (each at most once per [`crate::tune::follow::POLL_EVERY`]).
    fn follow_trials(&mut self) -> Result<(), TuneError> {
        let now = Instant::now();
        for slot in 0..self.slots.len() {
            let points = match self.slots[slot].trial.as_mut() {
                Some(t) if t.term_sent.is_none() && t.follow.due(now) => t.follow.poll(now),
                _ => continue,
            };
            for (name, step, value) in points {
                self.metric(slot, Origin::Events, &name, step, value)?;
            }
        }
        Ok(())
    }

    /// A running trial reported its objective: the `--early-stop` rule
    /// decides, the report and decision are journaled, and a stop sends
    /// SIGTERM (SIGKILL follows after the grace, as for a timeout).
    fn objective_report(&mut self, slot: usize, step: i64, value: f64) -> Result<(), TuneError> {
        let minimize = self.cfg.objective.minimize;
        let Some(t) = self.slots.get_mut(slot).and_then(|s| s.trial.as_mut()) else {
            return Ok(());
        };
        if t.term_sent.is_some() || step < 0 {
            return Ok(());
        }
        let (index, attempt) = (t.index, t.attempt);
        let Some(v) = self.adaptive.report(index, step as u64, value, minimize) else {
            return Ok(());
        };
        if let Some(state) = v.stop_as.filter(|_| !t.exited) {
            t.stop_as = Some(state);
            t.process.signal(libc::SIGTERM);
            t.term_sent = Some(Instant::now());
        }
        self.record(&Record::Report {
            trial: index,
            attempt,
            step: step as u64,
            value: Some(value),
            decision: v.decision.map(str::to_string),
            evidence: v.evidence,
        })
    }

    /// The values of trial `index`: the plan's, or the sampler's given the
    /// results so far and the trials running now.
    fn values_of(&mut self, index: u64) -> Option<Trial> {
        let running: Vec<Trial> = self
            .slots
            .iter()
            .filter_map(|s| s.trial.as_ref())
            .map(|t| t.values.clone())
            .collect();
        let cfg = self.cfg;
        let planned = match self.pbt.as_mut() {
            Some(p) => Some(p.values(index)),
            None => self.plan.trial(index),
        };
        self.adaptive.values(
            index,
            planned,
            &cfg.space,
            cfg.seed,
            &running,
            cfg.objective.minimize,
        )
    }

    /// `--method pbt`: journals trial `index`'s lineage (once) and gives
    /// its `{checkpoint_dir}` and `{parent_checkpoint}` in session `dir`;
    /// nothing for other methods.
    fn pbt_launch(
        &mut self,
        index: u64,
        values: &Trial,
        root: &Path,
        dir: &str,
    ) -> Result<Vec<(String, String)>, TuneError> {
        let Some(p) = self.pbt.as_mut() else {
            return Ok(Vec::new());
        };
        p.launched(index, values);
        let record = p.lineage_record(index);
        let extras = p.checkpoints(index, root, dir).to_vec();
        if let Some(r) = record {
            self.record(&r)?;
        }
        Ok(extras)
    }

    /// Starts trial `index` (attempt `attempt`) in `slot`.
    fn launch(&mut self, slot: usize, index: u64, attempt: u32) -> Result<(), TuneError> {
        let Some(values) = self.values_of(index) else {
            return Ok(());
        };
        self.adaptive.launched(index);
        let root = self.cfg.logdir.clone();
        let mut attempt = attempt;
        let mut dir = journal::attempt_dir(index, attempt);
        while root.join(&dir).exists() {
            attempt += 1;
            dir = journal::attempt_dir(index, attempt);
        }
        let extras = self.pbt_launch(index, &values, &root, &dir)?;
        let mut with_extras = values.clone();
        for (k, v) in &extras {
            with_extras.insert(k.clone(), crate::hparams::HParamValue::Str(v.clone()));
        }
        let argv = trial::command_for(&self.cfg.command, &with_extras);
        let gpus = self.slots[slot].gpus.clone();
        self.record(&Record::Launch {
            trial: index,
            attempt,
            dir: dir.clone(),
            params: journal::trial_to_json(&values),
            argv: argv.clone(),
            gpus: gpus.clone(),
            time: journal::now(),
        })?;
        let started = Instant::now();
        let session = match TrialSession::start(&root, &dir, &values, &self.cfg.objective.name) {
            Ok(s) => s,
            Err(e) => return Err(TuneError::Io(format!("cannot start session {dir}: {e}"))),
        };
        let (trial_dir, params_file) = trial::trial_paths(&root, &dir);
        let trial_dir = std::path::absolute(&trial_dir).unwrap_or(trial_dir);
        let params_file = std::path::absolute(&params_file).unwrap_or(params_file);
        let mut env = trial::trial_env(&values, &params_file, &trial_dir, gpus.as_deref());
        env.extend(extras.iter().map(|(k, v)| (env_var_of(k), v.clone())));
        let job = JobSpec {
            name: engine::job_name(&root, &dir),
            argv: argv.clone(),
            env,
            dir: trial_dir.clone(),
            slot,
        };
        let spawned = make_checkpoint_dir(&extras)
            .and_then(|()| trial::write_params(&params_file, &values))
            .and_then(|()| engine::start(&self.cfg.backend, &job, None, &self.tx));
        let process = match spawned {
            Ok(p) => p,
            Err(e) => {
                let error = format!("cannot run {:?}: {e}", argv[0]);
                let _ = session.finish(Status::Failure);
                return self.finish(
                    index,
                    attempt,
                    dir,
                    State::Failed,
                    (None, None),
                    None,
                    Some(error),
                    0.0,
                );
            }
        };
        if let Some(pid) = process.pid() {
            self.record(&Record::Pid {
                trial: index,
                attempt,
                pid,
            })?;
        }
        self.observer.launched(&dir, &argv);
        let mut t = Running::new(
            (index, attempt),
            dir,
            values,
            process,
            session,
            &trial_dir,
            started,
        );
        if self.stopping.is_some() {
            t.stop_as = Some(State::Killed);
            t.process.signal(libc::SIGTERM);
            t.term_sent = Some(Instant::now());
        }
        self.slots[slot].trial = Some(t);
        Ok(())
    }

    /// The trial in `slot` exited: its state, objective, session end,
    /// journal line.
    fn exited(
        &mut self,
        slot: usize,
        code: Option<i32>,
        signal: Option<i32>,
    ) -> Result<(), TuneError> {
        // What the trial wrote to its tfevents since the last poll.
        let last_points = match self.slots.get_mut(slot).and_then(|s| s.trial.as_mut()) {
            Some(t) => {
                t.exited = true;
                if t.follow.started() {
                    t.follow.poll(Instant::now())
                } else {
                    Vec::new()
                }
            }
            None => return Ok(()),
        };
        for (name, step, value) in last_points {
            self.metric(slot, Origin::Events, &name, step, value)?;
        }
        let Some(mut t) = self.slots.get_mut(slot).and_then(|s| s.trial.take()) else {
            return Ok(());
        };
        let secs = t.started.elapsed().as_secs_f64();
        let strategy = self.cfg.strategy;
        let objective_name = &self.cfg.objective.name;
        let session = t.session.take();
        let mut objective = session.as_ref().and_then(|s| s.objective.pick(strategy));
        if objective.is_none() {
            objective = tfevents_objective(&self.cfg.logdir.join(&t.dir), objective_name, strategy);
        }
        let state = match t.stop_as {
            Some(s) => s,
            None if code == Some(0) && objective.is_some() => State::Succeeded,
            None if code == Some(0) => State::MetricsUnavailable,
            None => State::Failed,
        };
        // Early-stopped trials completed what the rule allowed them (Katib
        // counts them as completed, not failed): SUCCESS, with the value
        // they reached, so TensorBoard's dashboard shows them.
        let tb = match state {
            State::Succeeded | State::MetricsUnavailable | State::EarlyStopped => Status::Success,
            _ => Status::Failure,
        };
        let mut error = None;
        if let Some(s) = session {
            if s.dropped > 0 {
                self.observer.note(&format!(
                    "{}: {} metric points not written (steps must increase per metric)",
                    t.dir, s.dropped
                ));
            }
            error = s.error.clone();
            if let Err(e) = s.finish(tb) {
                error.get_or_insert(e.to_string());
            }
        }
        self.finish(
            t.index,
            t.attempt,
            t.dir,
            state,
            (code, signal),
            objective,
            error,
            secs,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        &mut self,
        index: u64,
        attempt: u32,
        dir: String,
        state: State,
        (exit_code, signal): (Option<i32>, Option<i32>),
        objective: Option<f64>,
        error: Option<String>,
        secs: f64,
    ) -> Result<(), TuneError> {
        self.record(&Record::End {
            trial: index,
            attempt,
            state,
            exit_code,
            signal,
            objective,
            error: error.clone(),
            secs,
            time: journal::now(),
        })?;
        self.count(state, objective, &dir);
        self.adaptive.ended(index, state, objective);
        if let Some(p) = self.pbt.as_mut() {
            p.ended(index, state, objective, &dir);
        }
        let f = Finished {
            dir,
            state,
            objective,
            exit_code,
            signal,
            error,
            secs,
        };
        let p = self.progress_snapshot();
        self.observer.finished(&f, &p);
        Ok(())
    }
}

/// Creates a PBT member's (empty) `{checkpoint_dir}`, if it has one.
fn make_checkpoint_dir(extras: &[(String, String)]) -> std::io::Result<()> {
    match extras
        .iter()
        .find(|(k, _)| k == crate::tune::pbt::CHECKPOINT_DIR)
    {
        Some((_, d)) => std::fs::create_dir_all(d),
        None => Ok(()),
    }
}

/// One slot per `-j` (with GPUs: one per group of `gpus_per_trial`, at most `-j`).
fn make_slots(cfg: &Config) -> Vec<Slot> {
    let parallel = cfg.parallel.max(1);
    if cfg.gpus.is_empty() {
        return (0..parallel)
            .map(|_| Slot {
                gpus: None,
                trial: None,
            })
            .collect();
    }
    let k = cfg.gpus_per_trial.max(1);
    cfg.gpus
        .chunks(k)
        .filter(|c| c.len() == k)
        .take(parallel)
        .map(|c| Slot {
            gpus: Some(c.join(",")),
            trial: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_compactly() {
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(format_duration(Duration::from_secs(7200)), "2h");
        assert_eq!(format_duration(Duration::ZERO), "0s");
    }

    #[test]
    fn gpu_slots_group_devices() {
        let cfg = Config {
            logdir: PathBuf::new(),
            space: Space::default(),
            space_args: vec![],
            space_file: None,
            objective: Objective {
                name: "loss".into(),
                minimize: true,
            },
            strategy: Strategy::Last,
            method: Method::Random,
            seed: 0,
            max_trials: None,
            parallel: 8,
            max_failures: None,
            target: None,
            budget: None,
            trial_timeout: None,
            kill_grace: Duration::from_secs(1),
            gpus: vec!["0".into(), "1".into(), "2".into()],
            gpus_per_trial: 2,
            command: vec![],
            metrics: vec![],
            mode: Mode::Fresh,
            handle_signals: false,
            early_stop: None,
            warm_start: None,
            backend: Backend::Local,
            population: None,
        };
        let slots = make_slots(&cfg);
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].gpus.as_deref(), Some("0,1"));
    }
}
