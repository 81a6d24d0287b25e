//! Where a trial runs: `--backend local|slurm|ray|k8s`.
//!
//! The runner hands every trial to [`start`] as a [`JobSpec`] (its argv,
//! environment and absolute trial directory) and gets a [`Handle`] back. The
//! handle is all the runner keeps: it signals the trial (SIGTERM asks it to
//! end, SIGKILL insists) and the trial's [`Event`]s arrive on the runner's
//! channel whatever the backend, so metrics, timeouts, early stopping and
//! the journal work the same everywhere.
//!
//! * `local` ([`Backend::Local`]): a process in its own group
//!   ([`crate::tune::trial::spawn`]), exactly as before engines existed.
//! * a remote engine ([`slurm`], [`ray`]): one follower thread per trial
//!   submits the job, polls its state, pumps its output into the metric
//!   path and turns a signal into the engine's cancel. The job id goes to
//!   the runner as [`Event::Submitted`] (journaled, so `--resume` reattaches
//!   to it instead of submitting again).
//!
//! Failures of the engine itself are not trial failures: a refused
//! submission or an unreachable controller is retried with exponential
//! backoff (1 s doubling to 60 s) and reported as [`Event::EngineNote`];
//! only after `--engine-retries` (default [`RETRIES`]) failures in a row does the follower give up with
//! [`Event::EngineFailed`], and the runner then records the attempt as
//! interrupted (re-run by `--resume`) and stops launching.

mod follow;
mod http;
pub mod k8s;
pub mod ray;
pub mod slurm;

use std::path::PathBuf;
use std::sync::mpsc::SyncSender;
use std::time::Duration;

use crate::tune::trial::{self, Event, Process};

pub use follow::RemoteJob;

/// Engine failures in a row before a follower gives up.
pub const RETRIES: u32 = 8;

/// Which engine runs the trials, with its options.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Backend {
    /// Processes on this machine (the default).
    #[default]
    Local,
    /// One `sbatch` job per trial.
    Slurm(slurm::SlurmOptions),
    /// One Ray job per trial through the Jobs REST API.
    Ray(ray::RayOptions),
    /// One Kubernetes `batch/v1` Job per trial.
    K8s(k8s::K8sOptions),
}

impl Backend {
    /// `local`, `slurm`, `ray` or `k8s` (as journaled and as `--backend`).
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Local => "local",
            Backend::Slurm(_) => "slurm",
            Backend::Ray(_) => "ray",
            Backend::K8s(_) => "k8s",
        }
    }

    /// Whether trials run elsewhere than in processes of this runner.
    pub fn is_remote(&self) -> bool {
        !matches!(self, Backend::Local)
    }

    /// The client of a remote engine (`None`: local).
    fn client(&self) -> Result<Option<Box<dyn Remote>>, String> {
        Ok(match self {
            Backend::Local => None,
            Backend::Slurm(o) => Some(Box::new(slurm::Slurm::new(o.clone()))),
            Backend::Ray(o) => Some(Box::new(ray::Ray::new(o.clone())?)),
            Backend::K8s(o) => Some(k8s::client(o)?),
        })
    }
}

/// One trial, as the runner hands it to an engine.
#[derive(Clone, Debug)]
pub struct JobSpec {
    /// The job's name on the engine (unique per attempt and experiment).
    pub name: String,
    /// The command, placeholders filled in.
    pub argv: Vec<String>,
    /// The trial's environment on top of the runner's.
    pub env: Vec<(String, String)>,
    /// The trial directory (absolute; on a shared filesystem for Slurm).
    pub dir: PathBuf,
    /// The runner's slot, echoed in every event.
    pub slot: usize,
}

/// A remote job's state as its engine reports it.
#[derive(Clone, Debug, PartialEq)]
pub enum JobState {
    /// Queued, not started.
    Pending,
    /// Started.
    Running,
    /// Ended: exit code and/or signal, and the engine's word when it is
    /// not a plain exit (`TIMEOUT`, `OUT_OF_MEMORY`, Ray's message).
    Done {
        /// Exit status, if known.
        code: Option<i32>,
        /// Terminating signal, if any.
        signal: Option<i32>,
        /// The engine's state or message.
        note: Option<String>,
    },
    /// The engine lost the job through no fault of the trial (node
    /// failure, preemption): it is submitted again.
    Lost(String),
}

/// An engine's failure, and whether trying again may help.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineError {
    /// One line: what failed.
    pub msg: String,
    /// Gone for good (the engine does not know the job any more).
    pub gone: bool,
}

impl EngineError {
    /// A failure worth retrying.
    pub fn transient(msg: impl Into<String>) -> Self {
        EngineError {
            msg: msg.into(),
            gone: false,
        }
    }
}

/// Where a remote job's output is read from.
pub enum Output {
    /// `stdout.log` and `stderr.log` in the trial directory, written by the
    /// engine as the job runs (Slurm on a shared filesystem).
    Files,
    /// The whole log so far, fetched from the engine (Ray): the follower
    /// appends what is new to `stdout.log` and parses it.
    Fetched(String),
}

/// What the follower asks of a remote engine. Every call may block on the
/// network or a subprocess; only follower threads make them.
pub trait Remote: Send {
    /// The engine's name for messages (`slurm`).
    fn name(&self) -> &'static str;
    /// Submits `job`; returns the engine's id for it.
    fn submit(&mut self, job: &JobSpec) -> Result<String, EngineError>;
    /// The state of job `id`.
    fn poll(&mut self, id: &str) -> Result<JobState, EngineError>;
    /// Cancels job `id` (`force`: at once, no grace).
    fn cancel(&mut self, id: &str, force: bool) -> Result<(), EngineError>;
    /// Where its output is now (`done`: the job has ended, its output is
    /// complete).
    fn output(&mut self, id: &str, done: bool) -> Result<Output, EngineError>;
    /// How long between polls.
    fn poll_every(&self) -> Duration {
        Duration::from_millis(500)
    }
    /// Engine failures in a row before giving up (`--engine-retries`).
    fn retries(&self) -> u32 {
        RETRIES
    }
}

/// A trial as the runner holds it: a local process or a followed job.
#[derive(Debug)]
pub enum Handle {
    /// A local process group.
    Local(Process),
    /// A job on a remote engine.
    Remote(RemoteJob),
}

impl Handle {
    /// SIGTERM: ask the trial to end (remote: the engine's cancel);
    /// SIGKILL: end it now. Never blocks.
    pub fn signal(&self, sig: i32) {
        match self {
            Handle::Local(p) => p.signal(sig),
            Handle::Remote(r) => r.cancel(sig == libc::SIGKILL),
        }
    }

    /// The local process id, if local.
    pub fn pid(&self) -> Option<u32> {
        match self {
            Handle::Local(p) => Some(p.pid),
            Handle::Remote(_) => None,
        }
    }
}

/// Starts `job` on `backend`; its events go to `tx`. A remote job is
/// submitted by its follower thread (the id arrives as
/// [`Event::Submitted`]). `reattach`: the id of a job an earlier runner
/// submitted, followed instead of submitting again.
pub fn start(
    backend: &Backend,
    job: &JobSpec,
    reattach: Option<String>,
    tx: &SyncSender<Event>,
) -> std::io::Result<Handle> {
    match backend.client().map_err(std::io::Error::other)? {
        None => trial::spawn(&job.argv, &job.env, &job.dir, job.slot, tx).map(Handle::Local),
        Some(client) => {
            follow::start(client, job.clone(), reattach, tx.clone()).map(Handle::Remote)
        }
    }
}

/// The job name of attempt directory `dir` of the experiment at `logdir`:
/// `hp-<8 hex of the logdir's path>-<dir>`, so two experiments' jobs never
/// share a name.
pub fn job_name(logdir: &std::path::Path, dir: &str) -> String {
    use sha2::{Digest, Sha256};
    let abs = std::path::absolute(logdir).unwrap_or_else(|_| logdir.to_path_buf());
    let h = Sha256::digest(abs.as_os_str().as_encoded_bytes());
    let hex: String = h.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("hp-{hex}-{dir}")
}

/// Backoff before retry `n` (0-based): 1 s doubling, at most 60 s.
pub fn backoff(n: u32) -> Duration {
    Duration::from_secs(1u64 << n.min(6)).min(Duration::from_secs(60))
}
