//! [`Session`]: one trial's directory — its start and end infos, and the
//! writers of its sub-runs (`train`, `validation`, `test`, ...).

use std::collections::btree_map::{BTreeMap, Entry};
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::event::{now_secs, FlushPolicy};
use crate::hparams::plugin::{session_end_summary, session_start_summary};
use crate::hparams::Status;
use crate::trainer::names::relative_path;
use crate::trainer::run::RunWriter;
use crate::trainer::sweep::Trial;

/// One trial being trained, in `LOGDIR/<name>`: what Keras's
/// `hp.KerasCallback` plus a `TensorBoard(log_dir=LOGDIR/<name>)` callback
/// write. Open one with [`crate::ExperimentWriter::session`].
///
/// The start info (hparams, group name, start time) is on disk when the
/// session is returned. Scalars go to sub-runs: [`Session::run`] gives the
/// writer of `LOGDIR/<name>/<sub-run>`, created on first use; the metric
/// `group` of the experiment config is that sub-run name. Finish with
/// [`Session::end`], which writes the end info (status, end time), then
/// flushes and closes every file.
///
/// # Dropping without `end`
///
/// * **During a panic** (the session is dropped while its thread unwinds):
///   the end info is written with [`Status::Failure`], so TensorBoard shows
///   the session as failed.
/// * **Otherwise** (e.g. an early `return` or `?` on an error): no end info
///   is written, and TensorBoard shows `STATUS_UNKNOWN`, as it does for a
///   Keras `fit` that raised. Call `session.end(Status::Failure)` on your
///   error paths to record the failure instead.
///
/// In both cases buffered scalars are flushed. With `panic = "abort"`, or
/// if the process is killed, nothing runs at all: the status stays unknown
/// and scalars still buffered are lost (see [`FlushPolicy`]).
///
/// A `Session` is `Send`: sessions can be trained in parallel threads.
#[derive(Debug)]
pub struct Session {
    name: String,
    dir: PathBuf,
    trial: Trial,
    group_name: String,
    policy: FlushPolicy,
    /// The session directory's own file: start info, later end info (and,
    /// for `hp-report tune`, the scalars of the session directory itself).
    info: Option<RunWriter>,
    runs: BTreeMap<String, RunWriter>,
    ended: bool,
}

impl Session {
    /// Creates `dir` and writes and flushes the start info there. The
    /// caller has checked the name and the trial.
    pub(crate) fn start(
        name: &str,
        dir: PathBuf,
        trial: Trial,
        group_name: &str,
        policy: FlushPolicy,
    ) -> Result<Self> {
        let mut info = RunWriter::create(&dir, FlushPolicy::immediate())?;
        let w = info.event_writer();
        w.write_summary(
            0,
            session_start_summary(trial.iter(), group_name, now_secs()),
        )?;
        w.flush()?;
        // From now on only buffered scalars of `root_scalar` may come before
        // the end info, which `end` flushes.
        w.set_policy(policy);
        Ok(Session {
            name: name.to_string(),
            dir,
            trial,
            group_name: group_name.to_string(),
            policy,
            info: Some(info),
            runs: BTreeMap::new(),
            ended: false,
        })
    }

    /// The session name (its directory relative to the logdir, which is
    /// TensorBoard's run name for it).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The session directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The trial's hparam values.
    pub fn trial(&self) -> &Trial {
        &self.trial
    }

    /// The group name written in the start info.
    pub fn group_name(&self) -> &str {
        &self.group_name
    }

    /// The writer of sub-run `name` (`train`, `validation`, `a/b`, ...),
    /// creating `LOGDIR/<session>/<name>/` and its event file on first use.
    ///
    /// Errors: a name that is empty, `.`, absolute, or contains `..`, empty
    /// components or a backslash; a directory or file that cannot be made.
    pub fn run(&mut self, name: &str) -> Result<&mut RunWriter> {
        match self.runs.entry(name.to_string()) {
            Entry::Occupied(e) => Ok(e.into_mut()),
            Entry::Vacant(e) => {
                let rel = relative_path("sub-run name", name)?;
                let w = RunWriter::create(&self.dir.join(rel), self.policy)?;
                Ok(e.insert(w))
            }
        }
    }

    /// Writes one scalar: `value` for `tag` at `step` in sub-run `run`.
    /// Shorthand for `self.run(run)?.scalar(tag, step, value)`; see
    /// [`RunWriter::scalar`] for the rules (steps strictly increasing per
    /// tag and sub-run).
    pub fn scalar(&mut self, run: &str, tag: &str, step: i64, value: f64) -> Result<()> {
        self.run(run)?.scalar(tag, step, value)
    }

    /// Writes one scalar into the session directory itself (the file of the
    /// start and end infos), with [`RunWriter::scalar`]'s rules: one file
    /// per session instead of two, for `hp-report tune`, whose trials are
    /// often short enough that creating a file is most of their cost.
    #[cfg_attr(not(feature = "tune"), allow(dead_code))]
    pub(crate) fn root_scalar(&mut self, tag: &str, step: i64, value: f64) -> Result<()> {
        match self.info.as_mut() {
            Some(w) => w.scalar(tag, step, value),
            None => Err(crate::error::Error::invalid("the session has ended")),
        }
    }

    /// Writes every buffered scalar to disk now: every sub-run's, and the
    /// ones written into the session directory's own event file.
    pub fn flush(&mut self) -> Result<()> {
        let mut first_err = None;
        for w in self.info.iter_mut().chain(self.runs.values_mut()) {
            if let Err(e) = w.flush() {
                first_err.get_or_insert(e);
            }
        }
        first_err.map_or(Ok(()), Err)
    }

    /// Ends the session: flushes and closes every sub-run file, then writes
    /// the end info (`status`, end time = now) and closes the session file.
    /// Every file is closed even if one fails; the first error is returned.
    pub fn end(self, status: Status) -> Result<()> {
        self.end_with(status, true)
    }

    /// [`Session::end`], with or without an fsync of each file (without:
    /// for a caller that syncs the whole logdir later).
    pub(crate) fn end_with(mut self, status: Status, sync: bool) -> Result<()> {
        self.ended = true;
        let mut first_err = None;
        for (_, w) in std::mem::take(&mut self.runs) {
            let r = if sync { w.close() } else { w.close_unsynced() };
            if let Err(e) = r {
                first_err.get_or_insert(e);
            }
        }
        if let Some(mut info) = self.info.take() {
            let r = info
                .event_writer()
                .write_summary(0, session_end_summary(status, now_secs()))
                .and_then(|()| {
                    if sync {
                        info.close()
                    } else {
                        info.close_unsynced()
                    }
                });
            if let Err(e) = r {
                first_err.get_or_insert(e);
            }
        }
        first_err.map_or(Ok(()), Err)
    }
}

impl Drop for Session {
    /// Without [`Session::end`]: flushes the sub-runs and, only while the
    /// thread panics, records [`Status::Failure`]. Errors are ignored here.
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        for w in self.runs.values_mut() {
            let _ = w.flush();
        }
        if let Some(info) = self.info.as_mut() {
            if std::thread::panicking() {
                let _ = info
                    .event_writer()
                    .write_summary(0, session_end_summary(Status::Failure, now_secs()));
            }
            let _ = info.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The session directory's own scalars are written out by `flush`, as
    /// every sub-run's are.
    #[test]
    fn flush_writes_the_session_directorys_own_scalars() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("s");
        let policy = FlushPolicy {
            max_delay: std::time::Duration::from_secs(3600),
            ..FlushPolicy::default()
        };
        let mut s = Session::start("s", dir.clone(), Trial::new(), "s", policy).unwrap();
        let size = || -> u64 {
            std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().metadata().unwrap().len())
                .sum()
        };
        let started = size();
        s.root_scalar("loss", 1, 0.5).unwrap();
        assert_eq!(size(), started, "buffered");
        s.flush().unwrap();
        assert!(size() > started, "flushed");
    }
}
