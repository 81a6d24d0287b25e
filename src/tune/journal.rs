//! The experiment's own state beside its TensorBoard files: `DIR/tune.json`
//! (what was asked: space, seed, command, objective; written once) and the
//! append-only journal `DIR/trials.jsonl` (one JSON object per line: runner
//! starts, trial launches, pids, ends with state, exit, objective and
//! timings, interruptions found on resume, and the end reason).
//!
//! # Durability
//!
//! Each record is one `write(2)` of a whole line to a file opened with
//! `O_APPEND`, so a runner killed at any point (even by SIGKILL) leaves every
//! record it wrote complete: the kernel has it. The file is `fdatasync`ed
//! after the runner's start record, after a stop request and after the end
//! reason, not per trial (an fsync per trial would cost more than the whole
//! runner's work on a no-op trial). After a power loss the last records may
//! be missing or the last line torn: a torn last line is ignored on reading,
//! and a missing journal is rebuilt from the trial sessions
//! (rebuilt by the runner's `rebuild` module).

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::hparams::HParamValue;
use crate::trainer::Trial;

/// The journal's file name in the experiment directory.
pub const JOURNAL_FILE: &str = "trials.jsonl";
/// The frozen experiment spec's file name in the experiment directory.
pub const SPEC_FILE: &str = "tune.json";

/// What a trial attempt came to. The first four TensorBoard can say
/// (success/failure); the others are ours, see `docs/tune.md` for the mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Exit status 0 and an objective value.
    Succeeded,
    /// A non-zero exit, a signal, or a command that could not start.
    Failed,
    /// Killed at `--trial-timeout`.
    Timeout,
    /// Stopped by the runner: Ctrl-C, target reached, budget spent.
    Killed,
    /// Exit status 0 but no objective value reported.
    MetricsUnavailable,
    /// Stopped by the `--early-stop` rule (SIGTERM) before its end.
    EarlyStopped,
    /// The runner died while the attempt ran (found on `--resume`).
    Interrupted,
}

impl State {
    /// The journal's spelling (`metrics_unavailable`).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Succeeded => "succeeded",
            State::Failed => "failed",
            State::Timeout => "timeout",
            State::Killed => "killed",
            State::MetricsUnavailable => "metrics_unavailable",
            State::EarlyStopped => "early_stopped",
            State::Interrupted => "interrupted",
        }
    }

    /// Whether the attempt counts against `--max-failures` (Katib: Failed
    /// and MetricsUnavailable; a timeout is a failure too).
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            State::Failed | State::Timeout | State::MetricsUnavailable
        )
    }
}

impl std::str::FromStr for State {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let all = [
            State::Succeeded,
            State::Failed,
            State::Timeout,
            State::Killed,
            State::MetricsUnavailable,
            State::EarlyStopped,
            State::Interrupted,
        ];
        let s = s.trim().replace('-', "_");
        all.into_iter()
            .find(|x| x.as_str() == s || (s == "unavailable" && *x == State::MetricsUnavailable))
            .ok_or_else(|| {
                format!(
                    "unknown status {s:?}: use succeeded, failed, timeout, killed, \
                     metrics_unavailable, early_stopped, interrupted"
                )
            })
    }
}

/// `tune.json`: what the experiment is, fixed at its creation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// The `-p NAME=SPEC` arguments as given.
    pub params: Vec<String>,
    /// The `--space` file, if any.
    #[serde(default)]
    pub space_file: Option<PathBuf>,
    /// [`crate::tune::Space::fingerprint`] of the space.
    pub fingerprint: String,
    /// `grid`, `random`, `tpe`, `gp` or `cmaes`.
    pub method: String,
    /// The `--warm-start` logdirs, if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warm_start: Vec<PathBuf>,
    /// The `--early-stop` rule as given, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_stop: Option<String>,
    /// `--population` of `--method pbt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// The random seed.
    pub seed: u64,
    /// Number of trials planned.
    pub max_trials: u64,
    /// Objective metric name.
    pub objective: String,
    /// Whether lower is better.
    pub minimize: bool,
    /// `last`, `min` or `max`.
    pub strategy: String,
    /// The command template (placeholders unexpanded).
    pub command: Vec<String>,
    /// Creation time (seconds since the epoch).
    pub created: f64,
}

/// One journal line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Record {
    /// A runner started (fresh, `--resume` or `retry`).
    Start {
        /// Its pid.
        pid: u32,
        /// `run`, `resume` or `retry`.
        mode: String,
        /// When.
        time: f64,
    },
    /// An attempt is about to start in `dir`.
    Launch {
        /// Trial index.
        trial: u64,
        /// Attempt number, 1 for the first.
        attempt: u32,
        /// Session directory, relative to the experiment.
        dir: String,
        /// The hparam values.
        params: BTreeMap<String, serde_json::Value>,
        /// The command as run.
        argv: Vec<String>,
        /// `CUDA_VISIBLE_DEVICES`, if set.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gpus: Option<String>,
        /// When.
        time: f64,
    },
    /// The attempt's process started.
    Pid {
        /// Trial index.
        trial: u64,
        /// Attempt number.
        attempt: u32,
        /// Process id (and process group id).
        pid: u32,
    },
    /// A remote engine took the attempt as job `id` (`--backend`).
    Job {
        /// Trial index.
        trial: u64,
        /// Attempt number.
        attempt: u32,
        /// `slurm`, `ray` or `k8s`.
        backend: String,
        /// The engine's job id (Slurm job id, Ray submission id, Job name).
        id: String,
    },
    /// The attempt ended.
    End {
        /// Trial index.
        trial: u64,
        /// Attempt number.
        attempt: u32,
        /// What it came to.
        state: State,
        /// Exit status, if it exited.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exit_code: Option<i32>,
        /// The signal that ended it, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signal: Option<i32>,
        /// The objective value (`"NaN"`, `"Infinity"` spelled as strings).
        #[serde(default, with = "json_f64")]
        objective: Option<f64>,
        /// Why it could not start, or what went wrong writing its session.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// Seconds it ran.
        secs: f64,
        /// When.
        time: f64,
    },
    /// A running attempt reported its objective at `step` (journaled with
    /// `--early-stop`: the rule's table is rebuilt from these on resume),
    /// with the rule's decision and evidence when it compared.
    Report {
        /// Trial index.
        trial: u64,
        /// Attempt number.
        attempt: u32,
        /// The step (the resource).
        step: u64,
        /// The objective value.
        #[serde(with = "json_f64")]
        value: Option<f64>,
        /// `continue`, `stop`, or `end` (reached the rule's `max`), when the
        /// rule decided with evidence.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decision: Option<String>,
        /// The rule's evidence (rung, values compared, cut, why).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evidence: Option<serde_json::Value>,
    },
    /// Where a `--method pbt` member comes from, journaled before its first
    /// launch.
    Lineage {
        /// Trial index.
        trial: u64,
        /// Its place in the population.
        #[serde(flatten)]
        lineage: Lineage,
    },
    /// The experiment ended (or this runner stopped).
    Finish {
        /// The end reason, as printed.
        reason: String,
        /// CPU seconds (user + system) this runner used, its trials not
        /// included.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cpu_secs: Option<f64>,
        /// When.
        time: f64,
    },
}

/// `Option<f64>` with NaN and infinities as strings (JSON has no such numbers).
mod json_f64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(x) if x.is_finite() => s.serialize_f64(*x),
            Some(x) if x.is_nan() => s.serialize_str("NaN"),
            Some(x) if *x > 0.0 => s.serialize_str("Infinity"),
            Some(_) => s.serialize_str("-Infinity"),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        let v = Option::<serde_json::Value>::deserialize(d)?;
        Ok(match v {
            Some(serde_json::Value::Number(n)) => n.as_f64(),
            Some(serde_json::Value::String(s)) => match s.as_str() {
                "NaN" => Some(f64::NAN),
                "Infinity" => Some(f64::INFINITY),
                "-Infinity" => Some(f64::NEG_INFINITY),
                _ => None,
            },
            _ => None,
        })
    }
}

/// Seconds since the epoch.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// A hparam value as JSON (ints stay ints).
pub fn value_to_json(v: &HParamValue) -> serde_json::Value {
    match v {
        HParamValue::Bool(b) => serde_json::Value::Bool(*b),
        HParamValue::Int(i) => serde_json::Value::from(*i),
        HParamValue::Float(x) => serde_json::Number::from_f64(*x)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        HParamValue::Str(s) => serde_json::Value::String(s.clone()),
    }
}

/// A trial's values as a JSON object.
pub fn trial_to_json(t: &Trial) -> BTreeMap<String, serde_json::Value> {
    t.iter()
        .map(|(k, v)| (k.to_string(), value_to_json(v)))
        .collect()
}

/// The journal file, open for appending.
#[derive(Debug)]
pub struct JournalWriter {
    file: File,
    path: PathBuf,
}

impl JournalWriter {
    /// Opens (creating) `DIR/trials.jsonl` for appending. A torn last line
    /// (no newline: the writer died mid-line after a power loss) is ended
    /// first, so the next record starts on a line of its own.
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        let path = dir.join(JOURNAL_FILE);
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(&path)?;
        let len = file.metadata()?.len();
        if len > 0 {
            use std::io::{Read, Seek, SeekFrom};
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(len - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                file.write_all(b"\n")?;
            }
        }
        Ok(JournalWriter { file, path })
    }

    /// Appends one record as one line, in one write.
    pub fn append(&mut self, rec: &Record) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(rec).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)
    }

    /// Appends and syncs the data to disk.
    pub fn append_synced(&mut self, rec: &Record) -> std::io::Result<()> {
        self.append(rec)?;
        self.file.sync_data()
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Reads every record of `DIR/trials.jsonl`. A line that does not parse is
/// skipped and counted (a torn last line after a power loss, or damage).
pub fn read(dir: &Path) -> std::io::Result<(Vec<Record>, usize)> {
    let text = std::fs::read(dir.join(JOURNAL_FILE))?;
    let mut records = Vec::new();
    let mut bad = 0;
    for line in text.split(|&b| b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Record>(line) {
            Ok(r) => records.push(r),
            Err(_) => bad += 1,
        }
    }
    Ok((records, bad))
}

/// Reads `DIR/tune.json`.
pub fn read_spec(dir: &Path) -> Result<Spec, String> {
    let path = dir.join(SPEC_FILE);
    let text = std::fs::read(&path).map_err(|e| {
        format!(
            "{}: {e} (is {} a `hp-report tune` experiment?)",
            path.display(),
            dir.display()
        )
    })?;
    serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes `DIR/tune.json` (to a temporary file, synced, then renamed).
pub fn write_spec(dir: &Path, spec: &Spec) -> std::io::Result<()> {
    let tmp = dir.join(format!("{SPEC_FILE}.tmp"));
    let text = serde_json::to_vec_pretty(spec).map_err(std::io::Error::other)?;
    {
        let mut f = File::create(&tmp)?;
        f.write_all(&text)?;
        f.write_all(b"\n")?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, dir.join(SPEC_FILE))
}

/// A population-based-training member's place: its generation and member
/// slot, the trial whose checkpoint it continues from, and whether it
/// copied a better member (exploit) with perturbed hparams (explore).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lineage {
    /// Generation, from 0.
    pub generation: u64,
    /// Member slot in the population, from 0.
    pub member: u64,
    /// The trial whose checkpoint it continues from (none in generation 0,
    /// or when no member of the previous generation succeeded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u64>,
    /// It was in the bottom quantile and copied a top member.
    #[serde(default)]
    pub exploit: bool,
    /// What exploring changed, one `name old→new` each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub explore: Vec<String>,
}

/// One attempt of a trial, as the journal tells it.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    /// Attempt number (1 for the first).
    pub attempt: u32,
    /// Session directory relative to the experiment.
    pub dir: String,
    /// Hparam values.
    pub params: BTreeMap<String, serde_json::Value>,
    /// The command as run.
    pub argv: Vec<String>,
    /// Process id, once started.
    pub pid: Option<u32>,
    /// The remote engine and its job id, once submitted (`--backend`).
    pub job: Option<(String, String)>,
    /// The pid of the runner that launched it.
    pub runner: Option<u32>,
    /// Launch time.
    pub launched: f64,
    /// The end: state, exit code, signal, objective, seconds, error.
    pub end: Option<AttemptEnd>,
    /// (step, value) of the objective as journaled by `--early-stop`.
    pub reports: Vec<(u64, f64)>,
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq)]
pub struct AttemptEnd {
    /// What it came to.
    pub state: State,
    /// Exit status.
    pub exit_code: Option<i32>,
    /// Signal.
    pub signal: Option<i32>,
    /// Objective value.
    pub objective: Option<f64>,
    /// Seconds it ran.
    pub secs: f64,
    /// Start error, if any.
    pub error: Option<String>,
}

/// The journal folded: every trial's attempts, and how the runners went.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Attempts by trial index, in launch order.
    pub trials: BTreeMap<u64, Vec<Attempt>>,
    /// The last runner's pid.
    pub runner_pid: Option<u32>,
    /// The end reason of the last runner, if it got that far after its start.
    pub finished: Option<String>,
    /// Lines that did not parse.
    pub bad_lines: usize,
    /// The early-stopping decisions that compared, in journal order.
    pub decisions: Vec<JournaledDecision>,
    /// `--method pbt`: each member's lineage, by trial index.
    pub lineage: BTreeMap<u64, Lineage>,
}

/// One `--early-stop` decision, as journaled.
#[derive(Clone, Debug, PartialEq)]
pub struct JournaledDecision {
    /// Trial index.
    pub trial: u64,
    /// Attempt number.
    pub attempt: u32,
    /// `continue`, `stop` or `end`.
    pub decision: String,
    /// The evidence's one-line reason (`rank 2/3 > 1/3`).
    pub why: String,
    /// The step decided on.
    pub step: u64,
}

impl History {
    /// Folds `records` in order.
    pub fn from_records(records: Vec<Record>, bad_lines: usize) -> Self {
        let mut h = History {
            bad_lines,
            ..History::default()
        };
        for r in records {
            h.apply(r);
        }
        h
    }

    fn attempt_mut(&mut self, trial: u64, attempt: u32) -> Option<&mut Attempt> {
        self.trials
            .get_mut(&trial)?
            .iter_mut()
            .find(|a| a.attempt == attempt)
    }

    fn apply(&mut self, r: Record) {
        match r {
            Record::Start { pid, .. } => {
                self.runner_pid = Some(pid);
                self.finished = None;
            }
            Record::Launch {
                trial,
                attempt,
                dir,
                params,
                argv,
                time,
                ..
            } => self.trials.entry(trial).or_default().push(Attempt {
                attempt,
                dir,
                params,
                argv,
                pid: None,
                job: None,
                runner: self.runner_pid,
                launched: time,
                end: None,
                reports: Vec::new(),
            }),
            Record::Pid {
                trial,
                attempt,
                pid,
            } => {
                if let Some(a) = self.attempt_mut(trial, attempt) {
                    a.pid = Some(pid);
                }
            }
            Record::Job {
                trial,
                attempt,
                backend,
                id,
            } => {
                if let Some(a) = self.attempt_mut(trial, attempt) {
                    a.job = Some((backend, id));
                }
            }
            Record::End {
                trial,
                attempt,
                state,
                exit_code,
                signal,
                objective,
                error,
                secs,
                ..
            } => {
                if let Some(a) = self.attempt_mut(trial, attempt) {
                    a.end = Some(AttemptEnd {
                        state,
                        exit_code,
                        signal,
                        objective,
                        secs,
                        error,
                    });
                }
            }
            Record::Report {
                trial,
                attempt,
                step,
                value,
                decision,
                evidence,
            } => {
                if let Some(a) = self.attempt_mut(trial, attempt) {
                    a.reports.push((step, value.unwrap_or(f64::NAN)));
                }
                if let Some(decision) = decision {
                    let why = evidence
                        .as_ref()
                        .and_then(|e| e.get("why"))
                        .and_then(|w| w.as_str())
                        .unwrap_or_default()
                        .to_string();
                    self.decisions.push(JournaledDecision {
                        trial,
                        attempt,
                        decision,
                        why,
                        step,
                    });
                }
            }
            Record::Lineage { trial, lineage } => {
                self.lineage.insert(trial, lineage);
            }
            Record::Finish { reason, .. } => self.finished = Some(reason),
        }
    }

    /// The latest attempt of each trial.
    pub fn latest(&self) -> impl Iterator<Item = (u64, &Attempt)> {
        self.trials
            .iter()
            .filter_map(|(&i, v)| v.last().map(|a| (i, a)))
    }

    /// Attempts launched whose end is not journaled.
    pub fn unfinished(&self) -> Vec<(u64, &Attempt)> {
        self.trials
            .iter()
            .flat_map(|(&i, v)| v.iter().map(move |a| (i, a)))
            .filter(|(_, a)| a.end.is_none())
            .collect()
    }
}

/// Reads and folds `DIR/trials.jsonl`.
pub fn history(dir: &Path) -> std::io::Result<History> {
    let (records, bad) = read(dir)?;
    Ok(History::from_records(records, bad))
}

/// The session directory name of `attempt` of trial `index`.
pub fn attempt_dir(index: u64, attempt: u32) -> String {
    if attempt <= 1 {
        format!("trial-{index:04}")
    } else {
        format!("trial-{index:04}-a{attempt}")
    }
}

/// Parses `trial-0007` / `trial-0007-a2` back into (index, attempt).
pub fn parse_attempt_dir(name: &str) -> Option<(u64, u32)> {
    let rest = name.strip_prefix("trial-")?;
    let (idx, att) = match rest.split_once("-a") {
        Some((i, a)) => (i, a.parse().ok()?),
        None => (rest, 1),
    };
    if idx.is_empty() || !idx.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((idx.parse().ok()?, att))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_with_non_finite_objectives() {
        for obj in [Some(0.5), Some(f64::INFINITY), None] {
            let r = Record::End {
                trial: 3,
                attempt: 2,
                state: State::Succeeded,
                exit_code: Some(0),
                signal: None,
                objective: obj,
                error: None,
                secs: 1.5,
                time: 10.0,
            };
            let line = serde_json::to_string(&r).unwrap();
            assert_eq!(serde_json::from_str::<Record>(&line).unwrap(), r, "{line}");
        }
        let nan = Record::End {
            trial: 0,
            attempt: 1,
            state: State::Failed,
            exit_code: None,
            signal: Some(9),
            objective: Some(f64::NAN),
            error: None,
            secs: 0.0,
            time: 0.0,
        };
        let line = serde_json::to_string(&nan).unwrap();
        assert!(line.contains("\"NaN\""), "{line}");
    }

    #[test]
    fn journaled_values_read_back_to_the_same_f64() {
        // serde_json's default float parser reads this one 1 ulp off
        // (…375); a retried or resumed trial must get the value it had.
        let lr = 0.020995329832300378_f64;
        let r = Record::Launch {
            trial: 5,
            attempt: 1,
            dir: attempt_dir(5, 1),
            params: BTreeMap::from([("lr".to_string(), serde_json::json!(lr))]),
            argv: vec!["x".into()],
            gpus: None,
            time: 1.0,
        };
        let line = serde_json::to_string(&r).unwrap();
        assert!(line.contains("0.020995329832300378"), "{line}");
        assert_eq!(serde_json::from_str::<Record>(&line).unwrap(), r, "{line}");
    }

    #[test]
    fn torn_lines_are_skipped_and_history_folds() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = JournalWriter::open(dir.path()).unwrap();
        w.append(&Record::Launch {
            trial: 0,
            attempt: 1,
            dir: attempt_dir(0, 1),
            params: BTreeMap::new(),
            argv: vec!["x".into()],
            gpus: None,
            time: 1.0,
        })
        .unwrap();
        drop(w);
        let path = dir.path().join(JOURNAL_FILE);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"event\":\"end\",\"tri").unwrap();
        let mut w = JournalWriter::open(dir.path()).unwrap();
        w.append(&Record::Pid {
            trial: 0,
            attempt: 1,
            pid: 42,
        })
        .unwrap();
        let h = history(dir.path()).unwrap();
        assert_eq!(h.bad_lines, 1);
        assert_eq!(h.trials[&0][0].pid, Some(42));
        assert_eq!(h.unfinished().len(), 1);
    }

    #[test]
    fn attempt_dirs_parse_back() {
        assert_eq!(attempt_dir(7, 1), "trial-0007");
        assert_eq!(attempt_dir(12345, 3), "trial-12345-a3");
        assert_eq!(parse_attempt_dir("trial-0007"), Some((7, 1)));
        assert_eq!(parse_attempt_dir("trial-0007-a3"), Some((7, 3)));
        assert_eq!(parse_attempt_dir("trial-x"), None);
        assert_eq!(
            "metrics-unavailable".parse::<State>(),
            Ok(State::MetricsUnavailable)
        );
    }
}
