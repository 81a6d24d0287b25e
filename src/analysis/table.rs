//! The ranked table: one row per session (or per group of repeated sessions),
//! hparam and metric columns, built from a loaded logdir by a [`Query`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::analysis::filter::Condition;
use crate::analysis::frame;
use crate::analysis::goal::Goal;
use crate::analysis::group::{aggregate, Agg};
use crate::analysis::reduce::Reduction;
use crate::hparams::{HParamValue, Status};
use crate::logdir::{HParamType, LabelledMetrics, LoadOptions, Logdir, MetricKey};

/// What to show and how: the CLI's table options as a library value.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// Metric to rank by (`group/tag`, a unique tag, or a display name);
    /// default: the experiment's first metric.
    pub sort: Option<String>,
    /// Direction for the sort metric; default inferred from its name.
    pub goal: Option<Goal>,
    /// Keep only the first N rows.
    pub top: Option<usize>,
    /// Row conditions (all must hold).
    pub filters: Vec<Condition>,
    /// Keep only sessions with these statuses (empty: all).
    pub statuses: Vec<Status>,
    /// Per-session reduction of each curve.
    pub reduce: Reduction,
    /// One row per session group.
    pub groups: bool,
    /// How group values combine.
    pub agg: Agg,
    /// Every scalar tag under the sessions as a column, not only the
    /// experiment's metrics.
    pub all_metrics: bool,
    /// Only these hparam columns.
    pub hparams: Option<Vec<String>>,
    /// Only these metric columns.
    pub metrics: Option<Vec<String>>,
}

impl Query {
    /// What the loader must keep for this query.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            series: self.reduce.series_options(),
        }
    }
}

/// Why a query cannot be answered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    /// A metric name that matches no metric.
    #[error("no metric {name:?} in this logdir; metrics: {}", known.join(", "))]
    UnknownMetric {
        /// As given.
        name: String,
        /// What exists.
        known: Vec<String>,
    },
    /// A name that means several metrics: a tag in several groups, or a
    /// `group/tag` that two metrics print as.
    #[error("metric {name:?} is ambiguous: it names {}; write one of them", candidates.join(", "))]
    AmbiguousMetric {
        /// As given.
        name: String,
        /// The metrics it could mean.
        candidates: Vec<String>,
    },
    /// An hparam name that matches no hparam.
    #[error("no hparam {name:?} in this logdir; hparams: {}", known.join(", "))]
    UnknownHParam {
        /// As given.
        name: String,
        /// What exists.
        known: Vec<String>,
    },
    /// A `--where` column that is neither.
    #[error("--where {cond}: no hparam or metric {name:?}; hparams: {}; metrics: {}", hparams.join(", "), metrics.join(", "))]
    UnknownColumn {
        /// The condition.
        cond: String,
        /// The name in it.
        name: String,
        /// Hparams that exist.
        hparams: Vec<String>,
        /// Metrics that exist.
        metrics: Vec<String>,
    },
    /// A condition that cannot apply to its column.
    #[error("--where {cond}: {why}")]
    BadCondition {
        /// The condition.
        cond: String,
        /// Why.
        why: String,
    },
    /// An internal table error (polars).
    #[error("table: {0}")]
    Frame(String),
}

/// An hparam column.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HParamColumn {
    /// Key.
    pub name: String,
    /// Header to show.
    pub label: String,
    /// Value type of the column (mixed kinds make it STRING).
    #[serde(rename = "type")]
    pub kind: HParamType,
    /// Declared in the experiment (TensorBoard shows only those).
    pub declared: bool,
}

/// A metric column.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricColumn {
    /// Group and tag.
    pub key: MetricKey,
    /// Header to show and JSON key: `group/tag`, unique in the table (see
    /// [`metric_labels`](crate::logdir::metric_labels)).
    pub label: String,
    /// Display name from the experiment ("" for none).
    pub display_name: String,
    /// Direction of better.
    pub goal: Goal,
}

/// One row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 1-based rank after sorting and filtering.
    pub rank: usize,
    /// Session name, or group name for group rows.
    pub name: String,
    /// Group key of the session (group rows: same as `name`).
    pub group: String,
    /// Session status (group rows: `None`).
    pub status: Option<Status>,
    /// Member sessions (group rows; a session row lists itself).
    pub sessions: Vec<String>,
    /// hparam values.
    pub hparams: BTreeMap<String, HParamValue>,
    /// Reduced (and, for groups, aggregated) metric values; absent = no data.
    pub metrics: BTreeMap<MetricKey, f64>,
    /// Group rows: sample standard deviation over member sessions (absent
    /// with fewer than two values).
    pub std: BTreeMap<MetricKey, f64>,
    /// Sessions per metric that had a value (group rows).
    pub counts: BTreeMap<MetricKey, usize>,
}

/// The answer to a query.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Rows are groups.
    pub groups: bool,
    /// Aggregation used for group rows.
    pub agg: Agg,
    /// Reduction used per session.
    pub reduce: Reduction,
    /// hparam columns, in display order.
    pub hparams: Vec<HParamColumn>,
    /// metric columns, in display order.
    pub metrics: Vec<MetricColumn>,
    /// Sort metric and direction.
    pub sort: Option<(MetricKey, Goal)>,
    /// The label of every metric in the logdir, shown or not (see
    /// [`metric_labels`](crate::logdir::metric_labels); [`Table::label`] looks one up).
    pub labels: BTreeMap<MetricKey, String>,
    /// Ranked rows.
    pub rows: Vec<Row>,
    /// Rows that passed the filters, before `top`.
    pub matched: usize,
    /// Rows before filtering.
    pub total: usize,
}

impl Table {
    /// The unique label of metric `key` (`group/tag` unless that is
    /// ambiguous in this logdir; see [`metric_labels`](crate::logdir::metric_labels)).
    pub fn label(&self, key: &MetricKey) -> String {
        label_in(&self.labels, key)
    }
}

/// `key`'s label in `labels`, or `group/tag` for a key not in the logdir.
fn label_in(labels: &BTreeMap<MetricKey, String>, key: &MetricKey) -> String {
    labels.get(key).cloned().unwrap_or_else(|| key.to_string())
}

/// Name lookup for columns.
pub(crate) struct Names {
    /// Every metric, with its label (unique: see [`metric_labels`](crate::logdir::metric_labels)).
    pub metrics: Vec<(MetricKey, String)>,
    display: BTreeMap<String, MetricKey>,
}

impl Names {
    /// The metric `name` means: a label (`group/tag`), a tag in one group
    /// only, or a display name. `Ok(None)` if none; an error if the name is
    /// the tag of (or prints as) several metrics.
    fn metric(&self, name: &str) -> Result<Option<MetricKey>, QueryError> {
        if let Some((k, _)) = self.metrics.iter().find(|(_, l)| l == name) {
            return Ok(Some(k.clone()));
        }
        let ambiguous = |hits: Vec<&(MetricKey, String)>| QueryError::AmbiguousMetric {
            name: name.to_string(),
            candidates: hits.iter().map(|(_, l)| l.clone()).collect(),
        };
        // `group/tag` of two metrics that print alike (their labels differ).
        let printed: Vec<_> = self
            .metrics
            .iter()
            .filter(|(k, _)| k.to_string() == name)
            .collect();
        if printed.len() > 1 {
            return Err(ambiguous(printed));
        }
        let by_tag: Vec<_> = self.metrics.iter().filter(|(k, _)| k.tag == name).collect();
        match by_tag.len() {
            0 => Ok(self.display.get(name).cloned()),
            1 => Ok(Some(by_tag[0].0.clone())),
            _ => Err(ambiguous(by_tag)),
        }
    }

    fn metric_names(&self) -> Vec<String> {
        self.metrics.iter().map(|(_, l)| l.clone()).collect()
    }

    fn resolve_metric(&self, name: &str) -> Result<MetricKey, QueryError> {
        self.metric(name)?.ok_or_else(|| QueryError::UnknownMetric {
            name: name.to_string(),
            known: self.metric_names(),
        })
    }
}

/// A filter's resolved column.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Target {
    HParam(String),
    Metric(MetricKey),
    Name,
    Group,
}

/// Builds the table for `query` over `logdir`.
pub fn build(logdir: &Logdir, query: &Query) -> Result<Table, QueryError> {
    let exp = &logdir.experiment;
    let sessions: Vec<_> = logdir
        .sessions
        .iter()
        .filter(|s| query.statuses.is_empty() || query.statuses.contains(&s.status))
        .collect();

    // Every name that can be asked for.
    let mut all_hparams: Vec<String> = exp.hparams.iter().map(|h| h.name.clone()).collect();
    let declared: BTreeSet<String> = all_hparams.iter().cloned().collect();
    let extra: BTreeSet<&String> = logdir
        .sessions
        .iter()
        .flat_map(|s| s.hparams.keys())
        .filter(|k| !declared.contains(*k))
        .collect();
    all_hparams.extend(extra.into_iter().cloned());
    let LabelledMetrics {
        keys: all_metrics,
        labels,
        ..
    } = LabelledMetrics::of(exp, &logdir.sessions);
    let label_of: BTreeMap<MetricKey, String> = all_metrics
        .iter()
        .cloned()
        .zip(labels.iter().cloned())
        .collect();
    let names = Names {
        metrics: all_metrics.iter().cloned().zip(labels).collect(),
        display: exp
            .metrics
            .iter()
            .filter(|m| !m.display_name.is_empty())
            .map(|m| (m.display_name.clone(), m.key.clone()))
            .collect(),
    };

    // Displayed columns.
    let hparam_names: Vec<String> = match &query.hparams {
        Some(list) => list
            .iter()
            .map(|n| {
                if all_hparams.contains(n) {
                    Ok(n.clone())
                } else {
                    Err(QueryError::UnknownHParam {
                        name: n.clone(),
                        known: all_hparams.clone(),
                    })
                }
            })
            .collect::<Result<_, _>>()?,
        None => all_hparams.clone(),
    };
    let metric_keys: Vec<MetricKey> = match &query.metrics {
        Some(list) => list
            .iter()
            .map(|n| names.resolve_metric(n))
            .collect::<Result<_, _>>()?,
        None if query.all_metrics => all_metrics.clone(),
        None => exp.metrics.iter().map(|m| m.key.clone()).collect(),
    };

    // Sort metric and goal.
    let sort_key = match &query.sort {
        Some(name) => Some(names.resolve_metric(name)?),
        None => metric_keys
            .first()
            .cloned()
            .or_else(|| all_metrics.first().cloned()),
    };
    let sort_goal = sort_key
        .as_ref()
        .map(|k| query.goal.unwrap_or_else(|| Goal::infer(&k.tag)));
    let goal_of = |k: &MetricKey| -> Goal {
        match (&sort_key, sort_goal) {
            (Some(s), Some(g)) if s == k => g,
            _ => Goal::infer(&k.tag),
        }
    };

    // Filters' columns.
    let mut targets = Vec::new();
    for c in &query.filters {
        let t = if c.name == "session" {
            Target::Name
        } else if c.name == "group" {
            Target::Group
        } else if all_hparams.contains(&c.name) {
            Target::HParam(c.name.clone())
        } else if let Some(k) = names.metric(&c.name)? {
            Target::Metric(k)
        } else {
            return Err(QueryError::UnknownColumn {
                cond: c.to_string(),
                name: c.name.clone(),
                hparams: all_hparams.clone(),
                metrics: names.metric_names(),
            });
        };
        targets.push(t);
    }

    // Metric values needed: shown, sorted on, filtered on.
    let mut working: Vec<MetricKey> = metric_keys.clone();
    for k in sort_key
        .iter()
        .chain(targets.iter().filter_map(|t| match t {
            Target::Metric(k) => Some(k),
            _ => None,
        }))
    {
        if !working.contains(k) {
            working.push(k.clone());
        }
    }

    let session_rows: Vec<Row> = sessions
        .iter()
        .map(|s| Row {
            rank: 0,
            name: s.name.clone(),
            group: s.group.clone(),
            status: Some(s.status),
            sessions: vec![s.name.clone()],
            hparams: s.hparams.clone(),
            metrics: working
                .iter()
                .filter_map(|k| {
                    let v = query.reduce.apply(s.metric(k)?, goal_of(k))?;
                    Some((k.clone(), v))
                })
                .collect(),
            std: BTreeMap::new(),
            counts: BTreeMap::new(),
        })
        .collect();
    let mut rows = if query.groups {
        aggregate(&session_rows, &working, query.agg)
    } else {
        session_rows
    };
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let total = rows.len();

    let hparams: Vec<HParamColumn> = hparam_names
        .iter()
        .map(|n| {
            let info = exp.hparams.iter().find(|h| &h.name == n);
            HParamColumn {
                name: n.clone(),
                label: info
                    .map(|h| h.display_name.clone())
                    .filter(|d| !d.is_empty())
                    .unwrap_or_else(|| n.clone()),
                kind: HParamType::of(rows.iter().filter_map(|r| r.hparams.get(n)))
                    .or(info.map(|h| h.kind))
                    .unwrap_or(HParamType::Unset),
                declared: info.is_some(),
            }
        })
        .collect();
    let metrics: Vec<MetricColumn> = metric_keys
        .iter()
        .map(|k| MetricColumn {
            key: k.clone(),
            label: label_in(&label_of, k),
            display_name: exp
                .metrics
                .iter()
                .find(|m| &m.key == k)
                .map(|m| m.display_name.clone())
                .unwrap_or_default(),
            goal: goal_of(k),
        })
        .collect();
    let sort = sort_key.clone().zip(sort_goal);

    let order = frame::rank(&rows, &query.filters, &targets, sort.as_ref(), query.top)?;
    let matched = order.matched;
    let mut ranked: Vec<Row> = order
        .indices
        .iter()
        .filter_map(|&i| rows.get(i).cloned())
        .collect();
    for (i, r) in ranked.iter_mut().enumerate() {
        r.rank = i + 1;
        // Values fetched only for sorting/filtering are not shown.
        r.metrics.retain(|k, _| metric_keys.contains(k));
        r.std.retain(|k, _| metric_keys.contains(k));
        r.counts.retain(|k, _| metric_keys.contains(k));
    }
    Ok(Table {
        groups: query.groups,
        agg: query.agg,
        reduce: query.reduce,
        hparams,
        metrics,
        sort,
        labels: label_of,
        rows: ranked,
        matched,
        total,
    })
}
