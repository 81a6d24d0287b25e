//! Runs in place of sessions, for logdirs with scalars but no hparams
//! summaries (Hugging Face's Trainer, a plain `SummaryWriter`, Lightning
//! with `log_hyperparams` off).
//!
//! TensorBoard's HPARAMS tab is empty there. hp-report instead ranks the
//! runs: one [`Session`] per run, holding every scalar series of the run, so
//! that the table, filters, sorting, exports and plots work unchanged. Keras
//! writes a run's curves into `train/` and `validation/` sub-directories;
//! such split sub-runs become the metric group of their parent's row
//! (`validation/epoch_loss`), as TensorBoard's sessions group them.
//!
//! A run's hparams come from where its trainer recorded them, first found
//! wins: `hparams.yaml` in the run directory (Lightning), `params.json`
//! (Ray Tune), or a text summary `args/text_summary` (Hugging Face's
//! TrainingArguments as JSON). [`RunsInfo`] on the experiment says that the
//! rows are runs and where each row's hparams were read from.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::hparams::Status;
use crate::logdir::model::{self, ExperimentView, MetricInfoView, MetricKey, RunsInfo, Session};
use crate::logdir::run::{RunData, ARGS_TEXT_TAG};
use crate::logdir::series::ScalarMap;
use crate::logdir::sidecar::{self, Flat};
use crate::logdir::Warning;

/// Last path components that name a split sub-run of a training run.
const SPLITS: &[&str] = &[
    "train",
    "training",
    "validation",
    "val",
    "valid",
    "eval",
    "evaluation",
    "test",
];

/// The row a run belongs to and the metric group of its tags there.
fn row_of(run: &str) -> (String, String) {
    let (parent, last) = match run.rfind('/') {
        Some(i) => (&run[..i], &run[i + 1..]),
        None => (".", run),
    };
    if run != "." && SPLITS.contains(&last.to_ascii_lowercase().as_str()) {
        (parent.to_string(), last.to_string())
    } else {
        (run.to_string(), String::new())
    }
}

/// A run's directory: where its event files are.
fn run_dir(run: &RunData) -> Option<PathBuf> {
    run.files.first()?.parent().map(Path::to_path_buf)
}

/// The hparams a row's trainer recorded and where, first found wins.
fn hparams_of(
    dir: Option<&Path>,
    members: &[&RunData],
    warnings: &mut Vec<Warning>,
) -> Option<(Flat, &'static str)> {
    type Parser = fn(&str) -> Result<Flat, String>;
    let files: [(&'static str, Parser); 2] = [
        ("hparams.yaml", sidecar::parse_yaml),
        ("params.json", sidecar::parse_json),
    ];
    if let Some(dir) = dir {
        for (name, parse) in files {
            let path = dir.join(name);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            match parse(&text) {
                Ok(flat) => return Some((flat, name)),
                Err(e) => warnings.push(Warning::file(path, format!("not read as hparams: {e}"))),
            }
        }
    }
    for run in members {
        let Some(text) = &run.hparams.args_text else {
            continue;
        };
        match sidecar::parse_json(text) {
            Ok(flat) => return Some((flat, ARGS_TEXT_TAG)),
            Err(e) => warnings.push(Warning::file(
                run.files.first().cloned().unwrap_or_default(),
                format!("text summary {ARGS_TEXT_TAG} not read as hparams: {e}"),
            )),
        }
    }
    None
}

/// One session per run (or per run with its split sub-runs), for a logdir
/// without hparams sessions. Empty when no run has scalars.
pub(crate) fn build(
    runs: &BTreeMap<String, RunData>,
) -> (ExperimentView, Vec<Session>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let mut rows: BTreeMap<String, Vec<(String, &RunData)>> = BTreeMap::new();
    for (name, run) in runs.iter().filter(|(_, r)| !r.scalars.is_empty()) {
        let (row, group) = row_of(name);
        rows.entry(row).or_default().push((group, run));
    }
    let mut info = RunsInfo::default();
    let mut sessions = Vec::new();
    let mut names = model::Names::default();
    for (row, members) in rows {
        let mut scalars = ScalarMap::new();
        for (group, run) in &members {
            for (tag, series) in run.scalars.iter_shared() {
                scalars.insert_shared(names.key(group, tag), series.clone());
            }
        }
        let dir = members.iter().find_map(|(g, r)| {
            let d = run_dir(r)?;
            if g.is_empty() {
                Some(d)
            } else {
                d.parent().map(Path::to_path_buf)
            }
        });
        let runs_of_row: Vec<&RunData> = members.iter().map(|(_, r)| *r).collect();
        let hparams = match hparams_of(dir.as_deref(), &runs_of_row, &mut warnings) {
            Some((flat, from)) => {
                info.hparams_from.insert(row.clone(), from.to_string());
                flat.into_iter().collect()
            }
            None => Default::default(),
        };
        let start = runs_of_row
            .iter()
            .filter_map(|r| r.start_time)
            .fold(f64::INFINITY, f64::min);
        sessions.push(Session {
            name: row.clone(),
            group: row,
            hparams,
            status: Status::Unknown,
            start_time_secs: if start.is_finite() { start } else { 0.0 },
            end_time_secs: 0.0,
            model_uri: String::new(),
            monitor_url: String::new(),
            scalars,
        });
    }
    let mut experiment = model::inferred_experiment(&sessions, BTreeSet::new());
    experiment.metrics = metrics_of(&sessions);
    experiment.runs = Some(info);
    (experiment, sessions, warnings)
}

/// Every scalar of the rows, as inferred metrics, by (group, tag).
fn metrics_of(sessions: &[Session]) -> Vec<MetricInfoView> {
    let keys: BTreeSet<&MetricKey> = sessions.iter().flat_map(|s| s.scalars.keys()).collect();
    keys.into_iter()
        .map(|k| MetricInfoView {
            key: k.clone(),
            display_name: String::new(),
            description: String::new(),
            dataset_type: "DATASET_UNKNOWN",
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_sub_runs_join_their_parent() {
        let r = |s: &str| row_of(s);
        assert_eq!(r("a/train"), ("a".into(), "train".into()));
        assert_eq!(r("a/b/Validation"), ("a/b".into(), "Validation".into()));
        assert_eq!(r("eval"), (".".into(), "eval".into()));
        assert_eq!(r("version_0"), ("version_0".into(), String::new()));
        assert_eq!(r("."), (".".into(), String::new()));
        assert_eq!(r("train_lr0.1"), ("train_lr0.1".into(), String::new()));
    }
}
