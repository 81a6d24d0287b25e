//! Following the tfevents a running trial writes itself under `HP_TRIAL_DIR`
//! (Keras' TensorBoard callback, tensorboardX, torch, our writer), so that
//! early stopping, `--target` and the live view see those scalars while the
//! trial runs, not only once it exits.
//!
//! Each trial gets a [`TrialFollower`]: a [`Follower`] of its session
//! directory that skips the runner's own event files (their names carry the
//! runner's pid), polled at most once per [`POLL_EVERY`]. Nothing is opened
//! for a trial that ends sooner (a no-op trial costs nothing here), and a poll
//! of a directory where nothing grew only lists it and stats its event files.
//!
//! A point is named as stdout metrics are: tag `t` of run `a/b` is `a/b/t`,
//! of the session directory itself `t` ([`crate::tune::space::metric_group_tag`]
//! read backwards). Points the trial also printed are counted once: a point
//! is a duplicate when the other source already reported that metric at that
//! step or a later one ([`Dedup`]; one number per metric, so a trial that
//! prints millions of points does not grow the runner's memory).

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::logdir::scan::RunFiles;
use crate::logdir::source::FileReader;
use crate::logdir::{EventFile, Follower, LoadError, LoadOptions, LocalDir, Source, Warning};

/// How often a running trial's directory is polled.
pub const POLL_EVERY: Duration = Duration::from_secs(1);

/// A [`LocalDir`] that hides the event files written by this process.
#[derive(Debug)]
struct ForeignEvents {
    inner: LocalDir,
    /// `.{pid}.`: the marker in the names of the runner's own event files.
    ours: String,
}

impl Source for ForeignEvents {
    fn root(&self) -> &Path {
        self.inner.root()
    }

    fn check(&self) -> Result<(), LoadError> {
        self.inner.check()
    }

    fn discover(&self, warnings: &mut Vec<Warning>) -> Result<Vec<RunFiles>, LoadError> {
        let mut runs = self.inner.discover(warnings)?;
        for r in &mut runs {
            r.files.retain(|f| {
                f.path
                    .file_name()
                    .is_some_and(|n| !n.to_string_lossy().contains(&self.ours))
            });
        }
        runs.retain(|r| !r.files.is_empty());
        Ok(runs)
    }

    fn size(&self, file: &Path) -> io::Result<u64> {
        self.inner.size(file)
    }

    fn open(&self, file: &EventFile, offset: u64) -> io::Result<FileReader> {
        self.inner.open(file, offset)
    }
}

/// The metric name of tag `tag` in run `run` (`.` is the session itself).
fn metric_name(run: &str, tag: &str) -> String {
    if run == "." {
        tag.to_string()
    } else {
        format!("{run}/{tag}")
    }
}

/// The trial's own scalars, read as they grow.
#[derive(Debug)]
pub struct TrialFollower {
    dir: PathBuf,
    follower: Option<Follower>,
    /// Points already taken, per (run, tag).
    taken: HashMap<(String, String), usize>,
    next_poll: Instant,
}

impl TrialFollower {
    /// A follower of the session directory `dir` of a trial launched `now`
    /// (first poll after [`POLL_EVERY`]).
    pub fn new(dir: PathBuf, now: Instant) -> Self {
        TrialFollower {
            dir,
            follower: None,
            taken: HashMap::new(),
            next_poll: now + POLL_EVERY,
        }
    }

    /// Whether a poll is due.
    pub fn due(&self, now: Instant) -> bool {
        now >= self.next_poll
    }

    /// Whether it ever polled (a trial that ran shorter than [`POLL_EVERY`]
    /// was never followed; its tfevents are read once at its end instead).
    pub fn started(&self) -> bool {
        self.follower.is_some()
    }

    /// Reads what is new: (metric name, step, value) in read order. A
    /// directory that cannot be read yet gives nothing (tried again later).
    pub fn poll(&mut self, now: Instant) -> Vec<(String, i64, f64)> {
        self.next_poll = now + POLL_EVERY;
        if self.follower.is_none() {
            let opts = LoadOptions {
                series: crate::logdir::SeriesOptions {
                    curves: true,
                    ..Default::default()
                },
            };
            let source = ForeignEvents {
                inner: LocalDir::new(&self.dir),
                ours: format!(".{}.", std::process::id()),
            };
            match Follower::with_source(Box::new(source), &opts) {
                Ok(f) => self.follower = Some(f),
                Err(_) => return Vec::new(),
            }
        }
        let Some(f) = self.follower.as_mut() else {
            return Vec::new();
        };
        if !f.poll().changed {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (run, data) in &f.logdir().runs {
            for (tag, series) in &data.scalars {
                let taken = self.taken.entry((run.clone(), tag.clone())).or_insert(0);
                let new = series.points.get(*taken..).unwrap_or_default();
                *taken = series.points.len();
                let name = metric_name(run, tag);
                out.extend(new.iter().map(|p| (name.clone(), p.step, p.value)));
            }
        }
        out
    }
}

/// Which points of a trial were already reported by its other source
/// (stdout/stderr or its tfevents): per metric, the highest step each
/// source reported.
#[derive(Debug, Default)]
pub struct Dedup {
    printed: BTreeMap<String, i64>,
    logged: BTreeMap<String, i64>,
}

/// Where a trial's metric point came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A line on its stdout or stderr.
    Output,
    /// Its own tfevents.
    Events,
}

impl Dedup {
    /// Records a point from `from`; `false` if the other source already
    /// reported `name` at `step` or later (count it once).
    pub fn fresh(&mut self, from: Origin, name: &str, step: i64) -> bool {
        let (mine, other) = match from {
            Origin::Output => (&mut self.printed, &self.logged),
            Origin::Events => (&mut self.logged, &self.printed),
        };
        if other.get(name).is_some_and(|&s| s >= step) {
            return false;
        }
        match mine.get_mut(name) {
            Some(s) => *s = (*s).max(step),
            None => {
                mine.insert(name.to_string(), step);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_count_once_across_sources() {
        let mut d = Dedup::default();
        assert!(d.fresh(Origin::Output, "loss", 1));
        assert!(!d.fresh(Origin::Events, "loss", 1));
        assert!(d.fresh(Origin::Events, "loss", 2));
        assert!(!d.fresh(Origin::Output, "loss", 2));
        assert!(d.fresh(Origin::Output, "acc", 2));
        // The same source may repeat a step (its own rules apply).
        assert!(d.fresh(Origin::Output, "acc", 2));
    }

    #[test]
    fn names_follow_metric_groups() {
        assert_eq!(metric_name(".", "loss"), "loss");
        assert_eq!(
            metric_name("validation", "epoch_loss"),
            "validation/epoch_loss"
        );
    }
}
