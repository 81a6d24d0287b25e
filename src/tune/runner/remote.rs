//! The runner's side of remote engines (`--backend slurm|ray|k8s`): journal
//! the job ids the engines hand out, give up on a trial whose engine keeps
//! failing without counting it a trial failure, and on `--resume` follow
//! the jobs an earlier runner submitted instead of submitting them again.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{EndReason, Runner, Running, Slot, TuneError};
use crate::tune::adaptive::trial_from_json;
use crate::tune::engine::{self, JobSpec};
use crate::tune::journal::{self, Attempt, Record, State};
use crate::tune::trial;
use crate::tune::writer::TrialSession;

impl Runner<'_> {
    /// The engine took the trial in `slot` as job `id`: journal it (what
    /// `--resume` reattaches to).
    pub(super) fn submitted(&mut self, slot: usize, id: String) -> Result<(), TuneError> {
        let Some(t) = self.slots.get_mut(slot).and_then(|s| s.trial.as_mut()) else {
            return Ok(());
        };
        t.job = Some(id.clone());
        let rec = Record::Job {
            trial: t.index,
            attempt: t.attempt,
            backend: self.cfg.backend.name().to_string(),
            id,
        };
        self.record(&rec)
    }

    /// The engine kept failing for the trial in `slot`. A job the engine
    /// took stays unfinished in the journal (`--resume` follows it again);
    /// one never submitted ends as interrupted (`--resume` runs it again).
    /// Either way no further trial is launched.
    pub(super) fn engine_failed(&mut self, slot: usize, error: String) -> Result<(), TuneError> {
        let Some(mut t) = self.slots.get_mut(slot).and_then(|s| s.trial.take()) else {
            return Ok(());
        };
        self.observer.note(&format!("{}: {error}", t.dir));
        if self.stopping.is_none() {
            self.stopping = Some(EndReason::EngineFailed(error.clone()));
        }
        if let Some(id) = &t.job {
            self.observer.note(&format!(
                "{}: job {id} left to `--resume` (it may still be running)",
                t.dir
            ));
            return Ok(());
        }
        if let Some(s) = t.session.take() {
            let _ = s.finish(crate::hparams::Status::Failure);
        }
        let secs = t.started.elapsed().as_secs_f64();
        self.finish(
            t.index,
            t.attempt,
            t.dir,
            State::Interrupted,
            (None, None),
            None,
            Some(error),
            secs,
        )
    }

    /// Follows job `id` of attempt `a` (trial `index`), which an earlier
    /// runner submitted to `backend`, in a free slot (a slot is added when
    /// none is free: `--resume` with a smaller `-j`).
    pub(super) fn reattach(
        &mut self,
        index: u64,
        a: &Attempt,
        backend: &str,
        id: &str,
    ) -> Result<(), TuneError> {
        if backend != self.cfg.backend.name() {
            return Err(TuneError::Usage(format!(
                "{} runs as {backend} job {id}: resume with --backend {backend}",
                a.dir
            )));
        }
        let slot = match self.slots.iter().position(|s| s.trial.is_none()) {
            Some(s) => s,
            None => {
                self.slots.push(Slot {
                    gpus: None,
                    trial: None,
                });
                self.slots.len() - 1
            }
        };
        let root = self.cfg.logdir.clone();
        let values = trial_from_json(&a.params);
        let (trial_dir, params_file) = trial::trial_paths(&root, &a.dir);
        let trial_dir = std::path::absolute(&trial_dir).unwrap_or(trial_dir);
        let params_file = std::path::absolute(&params_file).unwrap_or(params_file);
        // The job's whole output is read again from the start, so the
        // session is written anew: the earlier runner's files of it go.
        if let Some(pid) = a.runner {
            remove_runner_files(&trial_dir, pid);
        }
        let session = TrialSession::start(&root, &a.dir, &values, &self.cfg.objective.name)
            .map_err(|e| TuneError::Io(format!("cannot start session {}: {e}", a.dir)))?;
        let job = JobSpec {
            name: engine::job_name(&root, &a.dir),
            argv: a.argv.clone(),
            env: trial::trial_env(&values, &params_file, &trial_dir, None),
            dir: trial_dir.clone(),
            slot,
        };
        let process = engine::start(&self.cfg.backend, &job, Some(id.to_string()), &self.tx)
            .map_err(|e| TuneError::Io(format!("cannot follow job {id} of {}: {e}", a.dir)))?;
        self.adaptive.launched(index);
        self.observer
            .note(&format!("{}: following {backend} job {id} again", a.dir));
        let ran = Duration::from_secs_f64((journal::now() - a.launched).max(0.0));
        let started = Instant::now().checked_sub(ran).unwrap_or_else(Instant::now);
        let mut t = Running::new(
            (index, a.attempt),
            a.dir.clone(),
            values,
            process,
            session,
            &trial_dir,
            started,
        );
        t.job = Some(id.to_string());
        self.slots[slot].trial = Some(t);
        Ok(())
    }
}

/// Removes the event files runner `pid` wrote under `dir` (the session it
/// started; the trial's own files, written by other processes on the
/// compute nodes, stay). Our files are named
/// `events.out.tfevents.<secs>.<host>.<pid>.<n>.v2`.
fn remove_runner_files(dir: &Path, pid: u32) {
    let pid = pid.to_string();
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        let name = e.file_name().to_string_lossy();
        let parts: Vec<&str> = name.split('.').collect();
        let ours = name.starts_with("events.out.tfevents.")
            && name.ends_with(".v2")
            && parts.len() >= 8
            && parts[parts.len() - 3] == pid;
        if e.file_type().is_file() && ours {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
