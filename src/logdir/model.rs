//! TensorBoard's hparams model: the experiment, sessions, metric values and
//! session groups, built from the runs exactly as TensorBoard's hparams
//! backend builds them (see `docs/tb-format.md`, §5 "How the hparams backend builds the table").
//!
//! * **Experiment**: the first `_hparams_/experiment` found (runs in name
//!   order) is used as written; with none, hparams are inferred from the
//!   sessions' values and metrics from the scalar series under sessions.
//!   Either way hparams are ordered "differs" first, then by name.
//! * **Session**: every run with a `_hparams_/session_start_info`. A metric
//!   `(group, tag)` of a session is the series `tag` in run
//!   `session/group` (the session run itself for an empty group); its value
//!   is the last point read. Status comes from the end info, else UNKNOWN.
//! * **Group**: sessions sharing a `group_name` (or alone, without one); its
//!   hparams are its first session's, its metrics the mean over the sessions
//!   that have them.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::hparams::group_name::python_float_repr;
use crate::hparams::{HParamValue, Status};
use crate::logdir::run::RunData;
use crate::logdir::series::{ScalarMap, Series};
use crate::logdir::Warning;
use crate::proto::tensorboard::hparams::{h_param_info, DataType, Experiment};
use crate::sorted_map::SortedMap;

/// A metric's name: scalar `tag` in sub-run `group` of a session.
///
/// The names are shared strings: a logdir of 10,000 sessions has a few
/// distinct metric names but one key per session and metric (and per table
/// row), so keys built by the loader share one copy of each name, and
/// cloning a key copies two pointers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MetricKey {
    /// Sub-run relative to the session ("" for the session run).
    pub group: Arc<str>,
    /// Scalar tag.
    pub tag: Arc<str>,
}

impl MetricKey {
    /// A key.
    pub fn new(group: impl Into<Arc<str>>, tag: impl Into<Arc<str>>) -> Self {
        MetricKey {
            group: group.into(),
            tag: tag.into(),
        }
    }
}

impl Serialize for MetricKey {
    /// `{"group": …, "tag": …}`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("MetricKey", 2)?;
        st.serialize_field("group", &*self.group)?;
        st.serialize_field("tag", &*self.tag)?;
        st.end()
    }
}

/// One shared copy of each name (see [`MetricKey`]).
#[derive(Default)]
pub(crate) struct Names {
    seen: HashSet<Arc<str>>,
}

impl Names {
    /// The shared copy of `s`.
    pub(crate) fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.seen.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.seen.insert(a.clone());
        a
    }

    /// The key (`group`, `tag`) made of shared names.
    pub(crate) fn key(&mut self, group: &str, tag: &str) -> MetricKey {
        MetricKey {
            group: self.get(group),
            tag: self.get(tag),
        }
    }
}

impl fmt::Display for MetricKey {
    /// `group/tag`, or `tag` when the group is empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            f.write_str(&self.tag)
        } else {
            write!(f, "{}/{}", self.group, self.tag)
        }
    }
}

/// Column labels for metrics: `group/tag` (`tag` for the session's own
/// run), unless two metrics print alike, as `a` + `b/c` and `a/b` + `c` do,
/// or the session run's tag `validation/loss` and the `validation` run's
/// `loss`. Those are labelled `run:tag` instead (`.` for the session's own
/// run), so that no JSON key, CSV header or `--where` name stands for two
/// metrics; `#2`, `#3` … make even pathological names (a `:` in them) unique.
///
/// The `declared` metrics (the experiment's: what TensorBoard shows) are
/// labelled among themselves first, so an undeclared tag never renames a
/// declared column; the `extra` ones (other scalar tags under sessions) then
/// keep `group/tag` only where that is still free. Within each set, labels
/// are assigned in (group, tag) order, so a key gets the same label whatever
/// the order or repeats it comes in (and the same as `peers/tb_view.py`
/// gives TensorBoard's metrics). Returns the labels of `declared`, then of
/// `extra`.
pub fn metric_labels(declared: &[MetricKey], extra: &[MetricKey]) -> Vec<String> {
    let mut used = BTreeSet::new();
    let mut label_of: BTreeMap<&MetricKey, String> = BTreeMap::new();
    assign_labels(declared.iter(), &mut used, &mut label_of);
    let rest: Vec<&MetricKey> = extra.iter().filter(|k| !label_of.contains_key(k)).collect();
    assign_labels(rest, &mut used, &mut label_of);
    declared
        .iter()
        .chain(extra)
        .map(|k| label_of.get(k).cloned().unwrap_or_else(|| k.to_string()))
        .collect()
}

/// Every metric a logdir's sessions can show, with its label (see
/// [`metric_labels`]): the experiment's metrics (declared or inferred) in
/// their order, then every other scalar tag under a session, sorted; the
/// first `declared` are the experiment's.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledMetrics {
    /// The metrics.
    pub keys: Vec<MetricKey>,
    /// Their labels, in the same order.
    pub labels: Vec<String>,
    /// How many of them, at the front, the experiment has.
    pub declared: usize,
}

impl LabelledMetrics {
    /// The metrics of `exp` and of `sessions`' scalars.
    pub fn of(exp: &ExperimentView, sessions: &[Session]) -> Self {
        let mut keys: Vec<MetricKey> = exp.metrics.iter().map(|m| m.key.clone()).collect();
        let known: BTreeSet<&MetricKey> = keys.iter().collect();
        let extra: Vec<MetricKey> = sessions
            .iter()
            .flat_map(|s| s.scalars.keys())
            .filter(|k| !known.contains(k))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .cloned()
            .collect();
        let labels = metric_labels(&keys, &extra);
        let declared = keys.len();
        keys.extend(extra);
        LabelledMetrics {
            keys,
            labels,
            declared,
        }
    }
}

/// Labels `keys` (see [`metric_labels`]), none of them in `used`.
fn assign_labels<'a>(
    keys: impl IntoIterator<Item = &'a MetricKey>,
    used: &mut BTreeSet<String>,
    label_of: &mut BTreeMap<&'a MetricKey, String>,
) {
    let unique: BTreeSet<&MetricKey> = keys.into_iter().collect();
    let mut printed: BTreeMap<String, usize> = BTreeMap::new();
    for k in &unique {
        *printed.entry(k.to_string()).or_default() += 1;
    }
    // Plain labels first, so a `run:tag` never takes one.
    for k in &unique {
        let plain = k.to_string();
        if printed.get(&plain) == Some(&1) && !used.contains(&plain) {
            used.insert(plain.clone());
            label_of.insert(k, plain);
        }
    }
    for k in unique {
        if label_of.contains_key(k) {
            continue;
        }
        let run = if k.group.is_empty() { "." } else { &k.group };
        let base = format!("{run}:{}", k.tag);
        let mut label = base.clone();
        let mut n = 1;
        while !used.insert(label.clone()) {
            n += 1;
            label = format!("{base} #{n}");
        }
        label_of.insert(k, label);
    }
}

/// The value type of an hparam column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum HParamType {
    /// No type (no domain given).
    #[serde(rename = "DATA_TYPE_UNSET")]
    Unset,
    /// Strings.
    #[serde(rename = "DATA_TYPE_STRING")]
    String,
    /// Booleans.
    #[serde(rename = "DATA_TYPE_BOOL")]
    Bool,
    /// Numbers.
    #[serde(rename = "DATA_TYPE_FLOAT64")]
    Float64,
}

impl HParamType {
    /// The type of a column holding `values`, as TensorBoard infers it:
    /// FLOAT64 if every value is a number, BOOL if every value is a bool,
    /// STRING for any mix; `None` without values.
    pub fn of<'a>(values: impl IntoIterator<Item = &'a HParamValue>) -> Option<HParamType> {
        let mut kind = None;
        for v in values {
            let k = match v {
                HParamValue::Bool(_) => HParamType::Bool,
                HParamValue::Int(_) | HParamValue::Float(_) => HParamType::Float64,
                HParamValue::Str(_) => HParamType::String,
            };
            kind = match kind {
                Some(prev) if prev != k => Some(HParamType::String),
                _ => Some(k),
            };
        }
        kind
    }

    fn from_i32(v: i32) -> Self {
        match DataType::try_from(v) {
            Ok(DataType::String) => HParamType::String,
            Ok(DataType::Bool) => HParamType::Bool,
            Ok(DataType::Float64) => HParamType::Float64,
            _ => HParamType::Unset,
        }
    }
}

/// An hparam's domain as stored or inferred.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum HParamDomain {
    /// None given.
    None,
    /// Closed interval.
    Interval {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Listed values.
    Discrete {
        /// The values.
        values: Vec<HParamValue>,
    },
}

/// One hparam column.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HParamInfoView {
    /// Name (the key in session values).
    pub name: String,
    /// Display name ("" for none).
    pub display_name: String,
    /// Description.
    pub description: String,
    /// Value type.
    #[serde(rename = "type")]
    pub kind: HParamType,
    /// Domain.
    pub domain: HParamDomain,
    /// Whether sessions differ in it (inferred experiments only).
    pub differs: bool,
}

/// One metric column.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricInfoView {
    /// Group and tag.
    #[serde(flatten)]
    pub key: MetricKey,
    /// Display name ("" for none).
    pub display_name: String,
    /// Description.
    pub description: String,
    /// `DATASET_UNKNOWN`, `DATASET_TRAINING` or `DATASET_VALIDATION`.
    pub dataset_type: &'static str,
}

/// The experiment: the table's columns.
#[derive(Clone, Debug, PartialEq, Default, Serialize)]
pub struct ExperimentView {
    /// True if read from an `_hparams_/experiment` summary, false if inferred.
    pub explicit: bool,
    /// The run the explicit experiment came from.
    pub source_run: Option<String>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// User.
    pub user: String,
    /// Creation time (0 if not written).
    pub time_created_secs: f64,
    /// hparam columns, "differs" first, then by name.
    pub hparams: Vec<HParamInfoView>,
    /// metric columns.
    pub metrics: Vec<MetricInfoView>,
    /// Set when the logdir has no hparams sessions and its runs are the rows
    /// (see [`RunsInfo`]); absent from the JSON otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs: Option<RunsInfo>,
}

/// Set on an experiment whose rows are runs, not TensorBoard hparams
/// sessions (the logdir has no `_hparams_/session_start_info`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunsInfo {
    /// Where each row's hparams were read from, by row name:
    /// `hparams.yaml`, `params.json` or `args/text_summary`. Rows without
    /// hparams are not listed.
    pub hparams_from: BTreeMap<String, String>,
}

impl RunsInfo {
    /// One sentence for a header: the rows are runs, and where their
    /// hparams came from.
    pub fn note(&self) -> String {
        let mut from: BTreeMap<&str, usize> = BTreeMap::new();
        for source in self.hparams_from.values() {
            *from.entry(source).or_default() += 1;
        }
        let mut note = "rows are runs, not TensorBoard hparams sessions (this logdir has none; \
                        `hp-report diagnose` says why)"
            .to_string();
        if !from.is_empty() {
            let list: Vec<String> = from
                .iter()
                .map(|(s, n)| format!("{s} ({n} {})", if *n == 1 { "run" } else { "runs" }))
                .collect();
            note.push_str(&format!("; hparams read from {}", list.join(", ")));
        }
        note
    }
}

/// One session (trial).
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// Run name of the session.
    pub name: String,
    /// Group key: the start info's `group_name`, or the session name.
    pub group: String,
    /// hparam values.
    pub hparams: SortedMap<String, HParamValue>,
    /// How it ended.
    pub status: Status,
    /// From the start info (0 if not written).
    pub start_time_secs: f64,
    /// From the end info (0 if none).
    pub end_time_secs: f64,
    /// From the start info.
    pub model_uri: String,
    /// From the start info.
    pub monitor_url: String,
    /// Every scalar series in the session run and the runs below it, keyed
    /// by (path relative to the session, tag).
    pub scalars: ScalarMap<MetricKey>,
}

impl Session {
    /// The series TensorBoard uses for metric `key`.
    pub fn metric(&self, key: &MetricKey) -> Option<&Series> {
        self.scalars.get(key)
    }
}

fn dataset_type_name(v: i32) -> &'static str {
    match v {
        1 => "DATASET_TRAINING",
        2 => "DATASET_VALIDATION",
        _ => "DATASET_UNKNOWN",
    }
}

/// The run's ancestors by path, nearest first (`a/b/c` → `a/b`, `a`).
fn ancestors(run: &str) -> impl Iterator<Item = &str> {
    let mut cur = run;
    std::iter::from_fn(move || {
        let i = cur.rfind('/')?;
        cur = &cur[..i];
        Some(cur)
    })
}

/// Builds the experiment and sessions from runs (sorted by name); None
/// when the runs hold no hparams sessions.
pub(crate) fn build(
    runs: &BTreeMap<String, RunData>,
) -> Option<(ExperimentView, Vec<Session>, Vec<Warning>)> {
    let (mut sessions, notes) = sessions_of(runs);
    if sessions.is_empty() {
        return None;
    }
    let inferred_metrics = attach_scalars(runs, &mut sessions);
    let explicit = runs
        .iter()
        .find_map(|(name, r)| r.hparams.experiment.as_ref().map(|e| (name, e)));
    let mut experiment = match explicit {
        Some((run, e)) => explicit_experiment(run, e),
        None => inferred_experiment(&sessions, inferred_metrics),
    };
    experiment
        .hparams
        .sort_by(|a, b| b.differs.cmp(&a.differs).then_with(|| a.name.cmp(&b.name)));
    Some((experiment, sessions, notes))
}

/// A session for every run with a session start info (scalars not yet
/// attached), in run-name order as `runs` is sorted (so found by binary
/// search); a note for a session at the logdir root.
fn sessions_of(runs: &BTreeMap<String, RunData>) -> (Vec<Session>, Vec<Warning>) {
    let mut notes = Vec::new();
    let mut sessions: Vec<Session> = Vec::new();
    for (name, run) in runs {
        let Some(start) = &run.hparams.session_start else {
            continue;
        };
        // In key order already (the proto's map is sorted).
        let hparams: SortedMap<String, HParamValue> = start
            .hparams
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), HParamValue::from_proto(v)?)))
            .collect();
        let end = run.hparams.session_end.as_ref();
        sessions.push(Session {
            name: name.clone(),
            group: if start.group_name.is_empty() {
                name.clone()
            } else {
                start.group_name.clone()
            },
            hparams,
            status: end.map(|e| Status::from_i32(e.status)).unwrap_or_default(),
            start_time_secs: start.start_time_secs,
            end_time_secs: end.map(|e| e.end_time_secs).unwrap_or(0.0),
            model_uri: start.model_uri.clone(),
            monitor_url: start.monitor_url.clone(),
            scalars: ScalarMap::new(),
        });
        if name == "." {
            notes.push(Warning::file(
                run.files.first().cloned().unwrap_or_default(),
                "a session at the logdir root: TensorBoard shows it without metrics from its sub-runs; \
                 point it at the parent directory"
                    .to_string(),
            ));
        }
    }
    (sessions, notes)
}

/// Attaches every scalar series to the session runs it lies under (shared,
/// not copied) and returns the inferred metric names (longest enclosing
/// session).
fn attach_scalars(
    runs: &BTreeMap<String, RunData>,
    sessions: &mut [Session],
) -> BTreeSet<(String, String)> {
    let mut inferred_metrics: BTreeSet<(String, String)> = BTreeSet::new();
    let mut names = Names::default();
    for (name, run) in runs {
        if run.scalars.is_empty() {
            continue;
        }
        let mut longest = true;
        for s in std::iter::once(name.as_str()).chain(ancestors(name)) {
            let Ok(i) = sessions.binary_search_by(|x| x.name.as_str().cmp(s)) else {
                continue;
            };
            let session = &mut sessions[i];
            let group = if s == name {
                String::new()
            } else {
                name[s.len() + 1..].to_string()
            };
            // TensorBoard names the group with os.path.relpath, which
            // gives "." for the session's own run; it maps that to "" unless
            // the run's name itself ends with "." (so the root session "."
            // lists its own tags under group ".", which it then never finds).
            let inferred_group = if s == name && name.ends_with('.') {
                ".".to_string()
            } else {
                group.clone()
            };
            for (tag, series) in run.scalars.iter_shared() {
                if longest {
                    inferred_metrics.insert((tag.clone(), inferred_group.clone()));
                }
                session
                    .scalars
                    .insert_shared(names.key(&group, tag), series.clone());
            }
            longest = false;
        }
    }
    for s in sessions.iter_mut() {
        s.scalars.shrink_to_fit();
    }
    inferred_metrics
}

fn explicit_experiment(run: &str, e: &Experiment) -> ExperimentView {
    let hparams = e
        .hparam_infos
        .iter()
        .map(|h| HParamInfoView {
            name: h.name.clone(),
            display_name: h.display_name.clone(),
            description: h.description.clone(),
            kind: HParamType::from_i32(h.r#type),
            domain: match &h.domain {
                Some(h_param_info::Domain::DomainInterval(i)) => HParamDomain::Interval {
                    min: i.min_value,
                    max: i.max_value,
                },
                Some(h_param_info::Domain::DomainDiscrete(l)) => HParamDomain::Discrete {
                    values: l
                        .values
                        .iter()
                        .filter_map(HParamValue::from_proto)
                        .collect(),
                },
                None => HParamDomain::None,
            },
            differs: h.differs,
        })
        .collect();
    let metrics = e
        .metric_infos
        .iter()
        .map(|m| {
            let name = m.name.clone().unwrap_or_default();
            MetricInfoView {
                key: MetricKey::new(name.group, name.tag),
                display_name: m.display_name.clone(),
                description: m.description.clone(),
                dataset_type: dataset_type_name(m.dataset_type),
            }
        })
        .collect();
    ExperimentView {
        explicit: true,
        source_run: Some(run.to_string()),
        name: e.name.clone(),
        description: e.description.clone(),
        user: e.user.clone(),
        time_created_secs: e.time_created_secs,
        hparams,
        metrics,
        runs: None,
    }
}

/// A number as protobuf's JSON prints it in TensorBoard (Python repr).
fn render(v: &HParamValue) -> Option<String> {
    match v {
        HParamValue::Str(s) => Some(s.clone()),
        HParamValue::Bool(b) => Some(b.to_string()),
        HParamValue::Float(x) if !x.is_finite() => None,
        HParamValue::Float(x) => Some(python_float_repr(*x)),
        HParamValue::Int(i) => Some(python_float_repr(*i as f64)),
    }
}

pub(crate) fn inferred_experiment(
    sessions: &[Session],
    metrics: BTreeSet<(String, String)>,
) -> ExperimentView {
    // All values per hparam name, in session order.
    let mut values: BTreeMap<&str, Vec<&HParamValue>> = BTreeMap::new();
    for s in sessions {
        for (k, v) in &s.hparams {
            values.entry(k).or_default().push(v);
        }
    }
    let mut hparams = Vec::new();
    for (name, vals) in values {
        let kind = HParamType::of(vals.iter().copied()).unwrap_or(HParamType::String);
        let (domain, differs) = match kind {
            HParamType::Float64 => {
                let xs: Vec<f64> = vals.iter().filter_map(|v| v.as_f64()).collect();
                let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
                let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let distinct: BTreeSet<u64> = xs.iter().map(|x| x.to_bits()).collect();
                (HParamDomain::Interval { min, max }, distinct.len() > 1)
            }
            HParamType::Bool => {
                let distinct: BTreeSet<bool> = vals
                    .iter()
                    .filter_map(|v| match v {
                        HParamValue::Bool(b) => Some(*b),
                        _ => None,
                    })
                    .collect();
                let n = distinct.len();
                (
                    HParamDomain::Discrete {
                        values: distinct.into_iter().map(HParamValue::Bool).collect(),
                    },
                    n > 1,
                )
            }
            _ => {
                // TensorBoard lists a set (in arbitrary order); we sort it.
                let distinct: BTreeSet<String> = vals.iter().filter_map(|v| render(v)).collect();
                let out: Vec<HParamValue> = distinct.into_iter().map(HParamValue::Str).collect();
                let n = out.len();
                (HParamDomain::Discrete { values: out }, n > 1)
            }
        };
        hparams.push(HParamInfoView {
            name: name.to_string(),
            display_name: String::new(),
            description: String::new(),
            kind,
            domain,
            differs,
        });
    }
    let metrics = if hparams.is_empty() {
        Vec::new()
    } else {
        metrics
            .into_iter()
            .map(|(tag, group)| MetricInfoView {
                key: MetricKey::new(group, tag),
                display_name: String::new(),
                description: String::new(),
                dataset_type: "DATASET_UNKNOWN",
            })
            .collect()
    };
    ExperimentView {
        explicit: false,
        hparams,
        metrics,
        ..Default::default()
    }
}

/// `items` split by group key, as TensorBoard groups sessions: groups in
/// order of first appearance, members in the order given (so the first
/// member is the one whose hparams the group shows).
pub fn by_group<'a, T>(
    items: impl IntoIterator<Item = &'a T>,
    key: impl Fn(&'a T) -> &'a str,
) -> Vec<(&'a str, Vec<&'a T>)> {
    let mut order: Vec<&str> = Vec::new();
    let mut members: BTreeMap<&str, Vec<&T>> = BTreeMap::new();
    for item in items {
        let g = key(item);
        let m = members.entry(g).or_default();
        if m.is_empty() {
            order.push(g);
        }
        m.push(item);
    }
    order
        .into_iter()
        .map(|g| (g, members.remove(g).unwrap_or_default()))
        .collect()
}

/// A group's hparams: its first session's, without non-finite numbers
/// (TensorBoard's group hparams are JSON, which has no NaN or infinity).
pub fn group_hparams(
    first: Option<&BTreeMap<String, HParamValue>>,
) -> BTreeMap<String, HParamValue> {
    first
        .into_iter()
        .flatten()
        .filter(|(_, v)| v.as_f64().is_none_or(f64::is_finite))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_walk_up() {
        assert_eq!(ancestors("a/b/c").collect::<Vec<_>>(), ["a/b", "a"]);
        assert_eq!(ancestors("train").count(), 0);
    }

    #[test]
    fn metric_labels_are_unique_and_stable() {
        let k = |g: &str, t: &str| MetricKey::new(g, t);
        let keys = [
            k("validation", "loss"),
            k("", "validation/loss"),
            k("a", "b/c"),
            k("a/b", "c"),
            k("", "a:b/c"), // prints like the label a:b/c would get
            k("train", "loss"),
            k("validation", "loss"), // a repeat gets the same label
        ];
        let labels = metric_labels(&keys, &[]);
        assert_eq!(
            labels,
            [
                "validation:loss",
                ".:validation/loss",
                "a:b/c #2",
                "a/b:c",
                "a:b/c",
                "train/loss",
                "validation:loss",
            ]
        );
        let mut reversed = keys.to_vec();
        reversed.reverse();
        let mut again = metric_labels(&reversed, &[]);
        again.reverse();
        assert_eq!(again, labels, "order does not change labels");

        // An undeclared tag never renames a declared metric.
        let declared = [k("validation", "loss")];
        let extra = [k("", "validation/loss"), k("validation", "loss")];
        assert_eq!(
            metric_labels(&declared, &extra),
            ["validation/loss", ".:validation/loss", "validation/loss"]
        );
    }

    #[test]
    fn metric_keys_display() {
        let keys = [
            MetricKey::new("validation", "epoch_loss"),
            MetricKey::new("", "hparam/loss"),
        ];
        assert_eq!(keys[0].to_string(), "validation/epoch_loss");
        assert_eq!(keys[1].to_string(), "hparam/loss");
    }
}
