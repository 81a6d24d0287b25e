//! Rebuilding a lost journal (`trials.jsonl`) from the trial sessions in
//! the logdir, so `--resume` and `tune retry` work on a directory that has
//! only its TensorBoard files.

use std::path::Path;

use super::Plan;
use crate::hparams::Status;
use crate::logdir::{load, LoadOptions, MetricKey};
use crate::tune::journal::Spec;
use crate::tune::journal::{self, JournalWriter, Record, State};
use crate::tune::space::metric_group_tag;
use crate::tune::trial::command_for;

/// Writes a journal from the sessions in `dir` (when `trials.jsonl` is
/// lost): one launch per session named `trial-NNNN[-aK]`, its values from
/// the plan (the values are a function of the index), its end from the
/// session's TensorBoard status (success → succeeded, or metrics unavailable
/// without the objective; failure → failed; none → left unfinished, so a
/// resume re-runs it).
pub(super) fn rebuild(dir: &Path, spec: &Spec, plan: &Plan) -> Result<(), String> {
    let ld = load(dir, &LoadOptions::default()).map_err(|e| e.to_string())?;
    let (group, tag) = metric_group_tag(&spec.objective);
    let key = MetricKey::new(group, tag);
    let mut w = JournalWriter::open(dir).map_err(|e| e.to_string())?;
    let mut sessions: Vec<_> = ld
        .sessions
        .iter()
        .filter_map(|s| journal::parse_attempt_dir(&s.name).map(|ia| (ia, s)))
        .collect();
    sessions.sort_by_key(|(ia, _)| *ia);
    for ((trial, attempt), s) in sessions {
        let Some(values) = plan.trial(trial) else {
            continue;
        };
        let launch = Record::Launch {
            trial,
            attempt,
            dir: s.name.clone(),
            params: journal::trial_to_json(&values),
            argv: command_for(&spec.command, &values),
            gpus: None,
            time: s.start_time_secs,
        };
        w.append(&launch).map_err(|e| e.to_string())?;
        let objective = s
            .metric(&key)
            .and_then(|series| match spec.strategy.as_str() {
                "min" => series.min.as_ref().map(|p| p.value),
                "max" => series.max.as_ref().map(|p| p.value),
                _ => Some(series.last.value),
            });
        let state = match s.status {
            Status::Success if objective.is_some() => State::Succeeded,
            Status::Success => State::MetricsUnavailable,
            Status::Failure => State::Failed,
            _ => continue,
        };
        let end = Record::End {
            trial,
            attempt,
            state,
            exit_code: None,
            signal: None,
            objective,
            error: Some("rebuilt from the session".into()),
            secs: (s.end_time_secs - s.start_time_secs).max(0.0),
            time: s.end_time_secs,
        };
        w.append(&end).map_err(|e| e.to_string())?;
    }
    Ok(())
}
