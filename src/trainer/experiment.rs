//! [`ExperimentWriter`]: declares an experiment in a logdir (the
//! `_hparams_/experiment` summary in the root run) and opens its sessions.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::event::{now_secs, EventFileWriter, FlushPolicy};
use crate::hparams::plugin::experiment_summary;
use crate::hparams::ExperimentConfig;
use crate::trainer::names::relative_path;
use crate::trainer::session::Session;
use crate::trainer::sweep::Trial;

/// An experiment being written: the logdir, its config, and the sessions
/// opened so far.
///
/// [`ExperimentWriter::create`] writes the config once into an event file in
/// the logdir itself (TensorBoard's root run `.`), exactly where TensorFlow's
/// `hp.hparams_config` puts it. Each trial then gets a session in its own
/// sub-directory via [`ExperimentWriter::session`]; TensorBoard must be
/// pointed at this logdir (`tensorboard --logdir LOGDIR`).
///
/// The writer is `Send + Sync`: threads may open sessions through a shared
/// reference (e.g. with [`std::thread::scope`]) and run them in parallel.
///
/// A logdir is written once: `create` fails if the logdir already holds event
/// files, and `session` fails if the session directory does, because
/// TensorBoard keeps only the first experiment and the first session start
/// info it reads per run, so a second sweep into the same place would show
/// stale hparams.
#[derive(Debug)]
pub struct ExperimentWriter {
    logdir: PathBuf,
    config: ExperimentConfig,
    policy: FlushPolicy,
    sessions: Mutex<HashSet<String>>,
}

/// Whether `dir` (recursively if `deep`) contains a tfevents file.
fn has_event_files(dir: &Path, deep: bool) -> bool {
    let depth = if deep { usize::MAX } else { 1 };
    walkdir::WalkDir::new(dir)
        .max_depth(depth)
        .into_iter()
        .filter_map(|e| e.ok())
        .any(|e| e.file_type().is_file() && e.file_name().to_string_lossy().contains("tfevents"))
}

impl ExperimentWriter {
    /// Validates `config`, creates `logdir` (and parents) and writes the
    /// experiment (step 0, `time_created_secs` = now) into a new event file
    /// there, flushed and closed before returning. Session files use the
    /// default [`FlushPolicy`].
    ///
    /// Errors: an invalid config (empty or duplicate hparam names, duplicate
    /// or empty metrics, a metric group that is not a plain relative path),
    /// a logdir that already holds event files, or one that cannot be
    /// created or written.
    pub fn create(logdir: impl AsRef<Path>, config: &ExperimentConfig) -> Result<Self> {
        Self::with_policy(logdir, config, FlushPolicy::default())
    }

    /// Like [`ExperimentWriter::create`], with the flush policy of every
    /// scalar file the sessions create. (Session start and end infos are
    /// always flushed at once.)
    pub fn with_policy(
        logdir: impl AsRef<Path>,
        config: &ExperimentConfig,
        policy: FlushPolicy,
    ) -> Result<Self> {
        let logdir = logdir.as_ref();
        config.validate()?;
        for m in config.metrics.iter().filter(|m| !m.group.is_empty()) {
            relative_path("metric group", &m.group)?;
        }
        if has_event_files(logdir, false) {
            return Err(Error::invalid(format!(
                "{} already holds event files; write each experiment into a new \
                 directory (TensorBoard would keep the first experiment it reads)",
                logdir.display()
            )));
        }
        let mut root = EventFileWriter::with_policy(logdir, FlushPolicy::immediate())?;
        root.write_summary(0, experiment_summary(config.to_proto(now_secs())))?;
        root.close()?;
        Ok(ExperimentWriter {
            logdir: logdir.to_path_buf(),
            config: config.clone(),
            policy,
            sessions: Mutex::new(HashSet::new()),
        })
    }

    /// The logdir.
    pub fn logdir(&self) -> &Path {
        &self.logdir
    }

    /// The experiment config as written.
    pub fn config(&self) -> &ExperimentConfig {
        &self.config
    }

    /// The directory a session called `name` uses (`LOGDIR/name`), if
    /// `name` is valid.
    pub fn session_dir(&self, name: &str) -> Result<PathBuf> {
        Ok(self.logdir.join(relative_path("session name", name)?))
    }

    /// Checks that `trial` gives every hparam of the config a valid value
    /// (finite if a number, inside the domain if there is one) and names no
    /// other hparam.
    pub fn check_trial(&self, trial: &Trial) -> Result<()> {
        for h in &self.config.hparams {
            let v = trial.get(&h.name).ok_or_else(|| {
                Error::invalid(format!("trial has no value for hparam {:?}", h.name))
            })?;
            h.check(v)?;
        }
        if let Some((name, _)) = trial.iter().find(|(k, _)| self.config.get(k).is_none()) {
            return Err(Error::invalid(format!(
                "trial sets hparam {name:?}, which the experiment config does not declare"
            )));
        }
        Ok(())
    }

    /// Opens session `name` for `trial`, grouped by TensorFlow's default
    /// group name of the trial ([`Trial::group_name`]), so that sessions of
    /// equal trials are averaged by TensorBoard like repeated Keras runs.
    ///
    /// The session lives in `LOGDIR/name` (`name` may nest, e.g.
    /// `lr-0.1/seed-3`); its `_hparams_/session_start_info` (values, group
    /// name, start time = now) is written and flushed before this returns.
    ///
    /// Errors: an invalid trial (see [`ExperimentWriter::check_trial`]); a
    /// name that is empty, `.`, absolute, or contains `..`, empty components
    /// or a backslash; a name already used by this writer or a directory
    /// that already holds event files; a failed write.
    pub fn session(&self, name: &str, trial: &Trial) -> Result<Session> {
        self.session_with_group(name, trial, &trial.group_name())
    }

    /// Like [`ExperimentWriter::session`] with an explicit group name (e.g. a
    /// trial id, as `hp.hparams(..., trial_id=...)` stores it). Sessions
    /// sharing a group are averaged by TensorBoard and shown with the
    /// hparams of the first one; `""` puts the session in a group of its own
    /// (TensorBoard then groups by session name).
    pub fn session_with_group(
        &self,
        name: &str,
        trial: &Trial,
        group_name: &str,
    ) -> Result<Session> {
        self.check_trial(trial)?;
        let rel = relative_path("session name", name)?;
        if !self.reserve(name) {
            return Err(Error::invalid(format!(
                "session name {name:?} is already used in this experiment"
            )));
        }
        let dir = self.logdir.join(rel);
        let res = if dir.exists() && has_event_files(&dir, true) {
            Err(Error::invalid(format!(
                "session directory {} already holds event files; use a fresh \
                 session name (TensorBoard would keep the first session's start info)",
                dir.display()
            )))
        } else {
            Session::start(name, dir, trial.clone(), group_name, self.policy)
        };
        if res.is_err() {
            self.release(name);
        }
        res
    }

    /// Marks `name` as used; false if it already was.
    fn reserve(&self, name: &str) -> bool {
        let mut set = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        set.insert(name.to_string())
    }

    fn release(&self, name: &str) {
        let mut set = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        set.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hparams::{Domain, HParam, Metric};

    fn cfg() -> ExperimentConfig {
        ExperimentConfig::new()
            .hparam(HParam::new("units", Domain::discrete([8, 16]).unwrap()))
            .metric(Metric::new("loss").group("validation"))
    }

    #[test]
    fn metric_groups_must_be_relative_paths() {
        let dir = tempfile::tempdir().unwrap();
        let bad = cfg().metric(Metric::new("x").group("../up"));
        assert!(ExperimentWriter::create(dir.path(), &bad).is_err());
        let ok = cfg().metric(Metric::new("x").group("train/deeper"));
        assert!(ExperimentWriter::create(dir.path().join("ok"), &ok).is_ok());
    }

    #[test]
    fn names_are_reserved_and_released() {
        let dir = tempfile::tempdir().unwrap();
        let w = ExperimentWriter::create(dir.path(), &cfg()).unwrap();
        let t = Trial::new().with("units", 8);
        // A failed session (bad trial) does not take the name.
        assert!(w.session("s", &Trial::new().with("units", 9)).is_err());
        let s = w.session("s", &t).unwrap();
        assert!(w.session("s", &t).is_err());
        drop(s);
        assert!(w.session("s", &t).is_err(), "still used after drop");
        assert_eq!(w.session_dir("a/b").unwrap(), dir.path().join("a/b"));
        assert!(w.session_dir("..").is_err());
    }
}
