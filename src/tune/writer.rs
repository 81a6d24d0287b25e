//! A trial's TensorBoard session, written through the trainer API: the start
//! info when the trial launches, the metric points its output reports as
//! scalars, the end info with its status when it exits. Also reads the
//! tfevents a trial writes itself under `HP_TRIAL_DIR`.
//!
//! A metric `a/b/tag` goes to sub-run `a/b` of the session with tag `tag`
//! (TensorBoard's metric group and tag), a name without `/` to the session
//! directory itself ([`crate::tune::space::metric_group_tag`], the rule that
//! also declares the metrics, so the two always meet).

use std::path::Path;

use crate::error::Result;
use crate::event::FlushPolicy;
use crate::hparams::Status;
use crate::logdir::{load, LoadOptions};
use crate::trainer::{Session, Trial};
use crate::tune::metrics::Strategy;
use crate::tune::space::metric_group_tag;

/// Running last/min/max of one metric (NaN ignored by min and max).
#[derive(Clone, Copy, Debug, Default)]
pub struct Tracked {
    last: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
}

impl Tracked {
    /// Records a value.
    pub fn push(&mut self, v: f64) {
        self.last = Some(v);
        if !v.is_nan() {
            self.min = Some(self.min.map_or(v, |m| m.min(v)));
            self.max = Some(self.max.map_or(v, |m| m.max(v)));
        }
    }

    /// The value `strategy` picks.
    pub fn pick(&self, strategy: Strategy) -> Option<f64> {
        match strategy {
            Strategy::Last => self.last,
            Strategy::Min => self.min,
            Strategy::Max => self.max,
        }
    }
}

/// One running trial's session.
#[derive(Debug)]
pub struct TrialSession {
    /// Scalars of metrics without a group go into the session's own file
    /// (start info, scalars, end info): one file fewer per trial than a
    /// file of their own (creating files is most of the runner's CPU on
    /// ext4, docs/benchmarks.md).
    session: Session,
    objective_name: String,
    /// The objective as reported on stdout/stderr.
    pub objective: Tracked,
    /// The latest point of any metric, for the live view.
    pub latest: Option<(String, f64)>,
    /// Points TensorBoard would lose (a step not above the tag's last one),
    /// not written.
    pub dropped: u64,
    /// The first error writing the session, if any.
    pub error: Option<String>,
}

/// File policy of the runner's scalar files: flushed at least every two
/// seconds, so a live TensorBoard sees the points.
fn policy() -> FlushPolicy {
    FlushPolicy {
        max_delay: std::time::Duration::from_secs(2),
        ..FlushPolicy::default()
    }
}

impl TrialSession {
    /// Creates `root/name` and writes the session start info (group name:
    /// the session name, so every attempt is a row of its own).
    pub fn start(root: &Path, name: &str, trial: &Trial, objective: &str) -> Result<Self> {
        let session = Session::start(name, root.join(name), trial.clone(), name, policy())?;
        Ok(TrialSession {
            session,
            objective_name: objective.to_string(),
            objective: Tracked::default(),
            latest: None,
            dropped: 0,
            error: None,
        })
    }

    /// The session directory.
    pub fn dir(&self) -> &Path {
        self.session.dir()
    }

    /// Writes one reported point as a scalar and tracks it.
    pub fn point(&mut self, name: &str, step: i64, value: f64) {
        self.track(name, value);
        self.write(name, step, value);
    }

    /// Tracks a point (the objective, the latest metric) without writing
    /// it: for points the trial wrote to its own tfevents.
    pub fn track(&mut self, name: &str, value: f64) {
        if name == self.objective_name {
            self.objective.push(value);
        }
        self.latest = Some((name.to_string(), value));
    }

    /// Writes a point as a scalar without tracking it.
    pub fn write(&mut self, name: &str, step: i64, value: f64) {
        let (group, tag) = metric_group_tag(name);
        let res = if group.is_empty() {
            self.session.root_scalar(tag, step, value)
        } else {
            self.session.scalar(group, tag, step, value)
        };
        if let Err(e) = res {
            match e {
                crate::error::Error::Invalid(_) => self.dropped += 1,
                other => {
                    self.error.get_or_insert(other.to_string());
                }
            }
        }
    }

    /// Writes the end info and closes the scalar files. Nothing is fsynced
    /// here: the runner syncs the experiment's filesystem once, when it ends
    /// (two fsyncs per trial were most of its cost on ext4). A runner killed
    /// at any point loses nothing written (the kernel has it); after a power
    /// loss the last sessions may lack their end, as the journal may lack
    /// their last lines.
    pub fn finish(self, status: Status) -> Result<()> {
        self.session.end_with(status, false)
    }
}

/// Whether `dir` holds tfevents files other than this process's (the
/// trial's own writers).
fn has_foreign_events(dir: &Path) -> bool {
    let ours = format!(".{}.", std::process::id());
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .any(|e| {
            let n = e.file_name().to_string_lossy();
            e.file_type().is_file() && n.contains("tfevents") && !n.contains(&ours)
        })
}

/// The objective as found in the tfevents under `dir` (the trial's own
/// writers), by `strategy`; `None` if the trial wrote none or not that tag.
pub fn tfevents_objective(dir: &Path, objective: &str, strategy: Strategy) -> Option<f64> {
    if !has_foreign_events(dir) {
        return None;
    }
    let ld = load(dir, &LoadOptions::default()).ok()?;
    let (group, tag) = metric_group_tag(objective);
    let run = if group.is_empty() { "." } else { group };
    let series = ld.runs.get(run)?.scalars.get(tag)?;
    match strategy {
        Strategy::Last => Some(series.last.value),
        Strategy::Min => series.min.as_ref().map(|p| p.value),
        Strategy::Max => series.max.as_ref().map(|p| p.value),
    }
}
