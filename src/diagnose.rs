//! `hp-report diagnose`: why TensorBoard shows no hparams, or hides a metric.
//!
//! Looks at a loaded logdir the way a confused user would have to: which runs
//! and sessions exist, whether the experiment is declared or inferred, which
//! declared metrics are missing from sessions or never written at all (with
//! look-alike tags), metrics of different runs whose names print alike,
//! hparams with mixed value types or undeclared ones,
//! sessions at the logdir root, and every file that could not be read.

use std::collections::{BTreeMap, BTreeSet};

use crate::hparams::{HParamValue, Status};
use crate::logdir::{LabelledMetrics, Logdir, MetricKey, RunsInfo};

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A fact about the logdir.
    Info,
    /// Something TensorBoard will show differently from what the user
    /// probably expects.
    Warn,
    /// Something that hides data.
    Problem,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// Severity.
    pub level: Level,
    /// Section it belongs to (`runs`, `sessions`, `experiment`, `metrics`,
    /// `hparams`, `files`).
    pub topic: &'static str,
    /// What was found, and what to do about it.
    pub text: String,
}

fn push(out: &mut Vec<Finding>, level: Level, topic: &'static str, text: String) {
    out.push(Finding { level, topic, text });
}

fn kind(v: &HParamValue) -> &'static str {
    match v {
        HParamValue::Bool(_) => "bool",
        HParamValue::Int(_) | HParamValue::Float(_) => "number",
        HParamValue::Str(_) => "string",
    }
}

/// Similar names: same tag in another group, or a tag that contains the
/// other (`epoch_acc` vs `epoch_accuracy`, `val_loss` vs `epoch_loss`).
fn look_alikes<'a>(want: &MetricKey, have: &'a BTreeSet<MetricKey>) -> Vec<&'a MetricKey> {
    let strip = |t: &str| {
        t.trim_start_matches("epoch_")
            .trim_start_matches("val_")
            .trim_start_matches("batch_")
            .to_ascii_lowercase()
    };
    let w = strip(&want.tag);
    have.iter()
        .filter(|k| *k != want)
        .filter(|k| {
            let t = strip(&k.tag);
            k.tag == want.tag
                || (!w.is_empty() && (t.contains(&w) || w.contains(&t)) && !t.is_empty())
        })
        .take(5)
        .collect()
}

/// Everything worth telling about `logdir`.
pub fn diagnose(ld: &Logdir) -> Vec<Finding> {
    let mut out = Vec::new();
    runs(ld, &mut out);
    if ld.runs.is_empty() {
        return out;
    }
    match &ld.experiment.runs {
        // The rows are runs: TensorBoard itself has no sessions here.
        Some(info) => no_sessions(ld, info, &mut out),
        None => {
            sessions(ld, &mut out);
            experiment(ld, &mut out);
            declared_metrics(ld, &mut out);
        }
    }
    let metrics = LabelledMetrics::of(&ld.experiment, &ld.sessions);
    undeclared_metrics(ld, &metrics, &mut out);
    metrics_alike(&metrics, &mut out);
    hparams(ld, &mut out);
    files(ld, &mut out);
    out
}

/// How many runs, files and events.
fn runs(ld: &Logdir, out: &mut Vec<Finding>) {
    let runs_with_scalars = ld.runs.values().filter(|r| !r.scalars.is_empty()).count();
    push(
        out,
        Level::Info,
        "runs",
        format!(
            "{} runs ({} with scalars), {} event files, {} events, {} bytes",
            ld.runs.len(),
            runs_with_scalars,
            ld.file_count(),
            ld.event_count(),
            ld.byte_count()
        ),
    );
    if ld.runs.is_empty() {
        push(
            out,
            Level::Problem,
            "runs",
            "no event files (names containing \"tfevents\") anywhere under this directory: \
             check the path, or that the training job has flushed its writers"
                .into(),
        );
    }
}

/// Why TensorBoard's HPARAMS tab is empty, and what hp-report shows instead.
fn no_sessions(ld: &Logdir, info: &RunsInfo, out: &mut Vec<Finding>) {
    push(out, Level::Problem, "sessions", NO_SESSIONS.into());
    push(
        out,
        Level::Info,
        "sessions",
        format!(
            "hp-report ranks the runs instead: {} rows, one per run (train/validation sub-runs \
             joined to their parent), with the last value of each scalar tag",
            ld.sessions.len()
        ),
    );
    if !info.hparams_from.is_empty() {
        let mut from: BTreeMap<&str, usize> = BTreeMap::new();
        for f in info.hparams_from.values() {
            *from.entry(f.as_str()).or_default() += 1;
        }
        let from: Vec<String> = from.iter().map(|(f, n)| format!("{f} ({n})")).collect();
        push(
            out,
            Level::Info,
            "hparams",
            format!(
                "hparams of {} runs read from {}: hp-report shows them, TensorBoard does not read \
                 these (log them with add_hparams / log_hyperparams to see them there)",
                info.hparams_from.len(),
                from.join(", ")
            ),
        );
    }
}

const NO_SESSIONS: &str = "no hparams sessions: no run has a _hparams_/session_start_info summary, \
    so TensorBoard says \"No hparams data was found\". Log the trial's hparams into each trial's \
    directory (tf: hp.hparams(...) or hp.KerasCallback; torch/tensorboardX: add_hparams; Lightning: \
    log_hyperparams; hp_report: ExperimentWriter::session)";

/// Sessions, statuses and groups.
fn sessions(ld: &Logdir, out: &mut Vec<Finding>) {
    let n = ld.sessions.len();
    if n == 0 {
        push(out, Level::Problem, "sessions", NO_SESSIONS.into());
    } else {
        let mut by_status: BTreeMap<Status, usize> = BTreeMap::new();
        for s in &ld.sessions {
            *by_status.entry(s.status).or_default() += 1;
        }
        let statuses: Vec<String> = by_status
            .iter()
            .map(|(s, c)| format!("{c} {}", s.short()))
            .collect();
        let groups: BTreeSet<&str> = ld.sessions.iter().map(|s| s.group.as_str()).collect();
        push(
            out,
            Level::Info,
            "sessions",
            format!(
                "{n} sessions in {} groups ({})",
                groups.len(),
                statuses.join(", ")
            ),
        );
        if let Some(c) = by_status.get(&Status::Unknown) {
            push(
                out,
                Level::Info,
                "sessions",
                format!(
                    "{c} sessions have no _hparams_/session_end_info (STATUS_UNKNOWN): still running, \
                     crashed, or written by hp.hparams() without an end"
                ),
            );
        }
        if ld.session(".").is_some() {
            push(
                out,
                Level::Problem,
                "sessions",
                "a session at the logdir root ('.'): TensorBoard looks its metrics up in './train' etc., \
                 which never match, so it shows none of its sub-runs' metrics. Point TensorBoard (and hp-report) at \
                 the parent directory, or write each trial into its own sub-directory"
                    .into(),
            );
        }
    }
}

/// Declared or inferred columns.
fn experiment(ld: &Logdir, out: &mut Vec<Finding>) {
    let exp = &ld.experiment;
    let n = ld.sessions.len();
    if exp.explicit {
        push(
            out,
            Level::Info,
            "experiment",
            format!(
                "declared experiment (_hparams_/experiment in run {:?}): {} hparams, {} metrics; \
                 TensorBoard shows only these columns",
                exp.source_run.as_deref().unwrap_or("?"),
                exp.hparams.len(),
                exp.metrics.len()
            ),
        );
        let others: Vec<&str> = ld
            .runs
            .iter()
            .filter(|(name, r)| {
                r.hparams.experiment.is_some() && Some(name.as_str()) != exp.source_run.as_deref()
            })
            .map(|(n, _)| n.as_str())
            .collect();
        if !others.is_empty() {
            push(
                out,
                Level::Warn,
                "experiment",
                format!(
                    "{} more runs carry an experiment (e.g. {:?}); TensorBoard uses one of them \
                     arbitrarily (tensorboardX/torch add_hparams writes one per session)",
                    others.len(),
                    others[0]
                ),
            );
        }
    } else if n > 0 {
        push(
            out,
            Level::Info,
            "experiment",
            format!(
                "no _hparams_/experiment: columns inferred from the sessions ({} hparams, {} metrics = \
                 every scalar tag under a session)",
                exp.hparams.len(),
                exp.metrics.len()
            ),
        );
    }
    if exp.explicit && exp.metrics.is_empty() && n > 0 {
        push(
            out,
            Level::Problem,
            "metrics",
            "the declared experiment has no metrics, so TensorBoard shows no metric columns \
             (nothing is inferred when an experiment is declared)"
                .into(),
        );
    }
}

/// Declared metrics that sessions lack.
fn declared_metrics(ld: &Logdir, out: &mut Vec<Finding>) {
    let exp = &ld.experiment;
    let n = ld.sessions.len();
    let written: BTreeSet<MetricKey> = ld
        .sessions
        .iter()
        .flat_map(|s| s.scalars.keys().cloned())
        .collect();
    for m in &exp.metrics {
        let missing: Vec<&str> = ld
            .sessions
            .iter()
            .filter(|s| s.metric(&m.key).is_none())
            .map(|s| s.name.as_str())
            .collect();
        if missing.len() == n && n > 0 {
            let alike = look_alikes(&m.key, &written);
            let hint = if alike.is_empty() {
                String::new()
            } else {
                format!(
                    "; written instead: {}",
                    alike
                        .iter()
                        .map(|k| k.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            push(
                out,
                Level::Problem,
                "metrics",
                format!(
                    "metric {} (tag {:?} in sub-run {:?}) is in the experiment but no session has it{hint}",
                    m.key, m.key.tag, m.key.group
                ),
            );
        } else if !missing.is_empty() {
            push(
                out,
                Level::Warn,
                "metrics",
                format!(
                    "metric {} is missing in {} of {n} sessions (e.g. {})",
                    m.key,
                    missing.len(),
                    missing[..missing.len().min(3)].join(", ")
                ),
            );
        }
    }
}

/// Scalar tags under sessions that TensorBoard hides.
fn undeclared_metrics(ld: &Logdir, metrics: &LabelledMetrics, out: &mut Vec<Finding>) {
    if ld.experiment.explicit {
        let hidden: Vec<String> = metrics.labels[metrics.declared..].to_vec();
        if !hidden.is_empty() {
            push(
                out,
                Level::Info,
                "metrics",
                format!(
                    "{} scalar tags under sessions are not declared metrics (TensorBoard hides them; \
                     hp-report --all-metrics shows them): {}{}",
                    hidden.len(),
                    hidden[..hidden.len().min(8)].join(", "),
                    if hidden.len() > 8 { ", …" } else { "" }
                ),
            );
        }
    }
}

/// Metrics in different runs whose `group/tag` print alike (the labels are
/// as the table shows them).
fn metrics_alike(metrics: &LabelledMetrics, out: &mut Vec<Finding>) {
    let mut alike: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (k, label) in metrics.keys.iter().zip(&metrics.labels) {
        alike
            .entry(k.to_string())
            .or_default()
            .insert(label.clone());
    }
    for (printed, labels) in alike.iter().filter(|(_, ls)| ls.len() > 1) {
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        push(
            out,
            Level::Warn,
            "metrics",
            format!(
                "{} metrics print as {printed:?} (tags of different runs): hp-report labels them {} \
                 (run:tag, '.' for the session's own run); use those names with --sort, --where, --metrics",
                labels.len(),
                labels.join(", ")
            ),
        );
    }
}

/// hparams: mixed types, undeclared, declared but never set.
fn hparams(ld: &Logdir, out: &mut Vec<Finding>) {
    let exp = &ld.experiment;
    let n = ld.sessions.len();
    let mut kinds: BTreeMap<&str, BTreeSet<&'static str>> = BTreeMap::new();
    for s in &ld.sessions {
        for (k, v) in &s.hparams {
            kinds.entry(k).or_default().insert(kind(v));
        }
    }
    for (name, ks) in &kinds {
        if ks.len() > 1 {
            push(
                out,
                Level::Warn,
                "hparams",
                format!(
                    "hparam {name:?} has mixed value types across sessions ({}); TensorBoard turns the \
                     column into strings",
                    ks.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
    if exp.explicit {
        let declared: BTreeSet<&str> = exp.hparams.iter().map(|h| h.name.as_str()).collect();
        let undeclared: Vec<&str> = kinds
            .keys()
            .copied()
            .filter(|k| !declared.contains(k))
            .collect();
        if !undeclared.is_empty() {
            push(
                out,
                Level::Warn,
                "hparams",
                format!(
                    "hparams in sessions but not in the experiment (TensorBoard hides them): {}",
                    undeclared.join(", ")
                ),
            );
        }
        for h in &exp.hparams {
            if !kinds.contains_key(h.name.as_str()) && n > 0 {
                push(
                    out,
                    Level::Warn,
                    "hparams",
                    format!(
                        "hparam {:?} is declared but no session has a value for it",
                        h.name
                    ),
                );
            }
        }
    }
}

/// Every file that could not be read cleanly.
fn files(ld: &Logdir, out: &mut Vec<Finding>) {
    if ld.warnings.is_empty() {
        push(
            out,
            Level::Info,
            "files",
            "every event file read cleanly".into(),
        );
    } else {
        for w in &ld.warnings {
            push(out, Level::Warn, "files", w.to_string());
        }
    }
}
