//! The query: from a loaded logdir and the CLI's table options ([`Query`]) to
//! a [`Table`]. Names are resolved here (`Names`), each session's curves
//! reduced, sessions grouped ([`group`](super::group)), and the rows
//! filtered and ranked (`rank`).

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::agg::Agg;
use crate::analysis::error::QueryError;
use crate::analysis::filter::Condition;
use crate::analysis::goal::Goal;
use crate::analysis::group::aggregate;
use crate::analysis::rank::{rank, Target};
use crate::analysis::reduce::Reduction;
use crate::analysis::table::{label_in, HParamColumn, MetricColumn, Row, Table};
use crate::hparams::Status;
use crate::logdir::{
    ExperimentView, HParamType, LabelledMetrics, LoadOptions, Logdir, MetricKey, Session,
};
use crate::sorted_map::SortedMap;

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

/// Every hparam and metric name a query can ask for in one logdir.
pub(crate) struct Names {
    /// Every hparam: the experiment's, then other session hparams by name.
    pub hparams: Vec<String>,
    /// Every metric, with its label (unique: see [`metric_labels`](crate::logdir::metric_labels)).
    pub metrics: Vec<(MetricKey, String)>,
    /// The same labels by key.
    pub labels: BTreeMap<MetricKey, String>,
    display: BTreeMap<String, MetricKey>,
}

impl Names {
    /// The names of `logdir`.
    pub fn of(logdir: &Logdir) -> Names {
        let exp = &logdir.experiment;
        let mut hparams: Vec<String> = exp.hparams.iter().map(|h| h.name.clone()).collect();
        let declared: BTreeSet<&String> = exp.hparams.iter().map(|h| &h.name).collect();
        let extra: BTreeSet<&String> = logdir
            .sessions
            .iter()
            .flat_map(|s| s.hparams.keys())
            .filter(|k| !declared.contains(*k))
            .collect();
        hparams.extend(extra.into_iter().cloned());
        let LabelledMetrics { keys, labels, .. } = LabelledMetrics::of(exp, &logdir.sessions);
        let metrics: Vec<(MetricKey, String)> = keys.into_iter().zip(labels).collect();
        Names {
            hparams,
            labels: metrics.iter().cloned().collect(),
            metrics,
            display: exp
                .metrics
                .iter()
                .filter(|m| !m.display_name.is_empty())
                .map(|m| (m.display_name.clone(), m.key.clone()))
                .collect(),
        }
    }

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
        let by_tag: Vec<_> = self
            .metrics
            .iter()
            .filter(|(k, _)| &*k.tag == name)
            .collect();
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

    fn resolve_hparam(&self, name: &str) -> Result<String, QueryError> {
        if self.hparams.iter().any(|h| h == name) {
            Ok(name.to_string())
        } else {
            Err(QueryError::UnknownHParam {
                name: name.to_string(),
                known: self.hparams.clone(),
            })
        }
    }

    /// The column a `--where` condition reads.
    fn target(&self, c: &Condition) -> Result<Target, QueryError> {
        Ok(if c.name == "session" {
            Target::Name
        } else if c.name == "group" {
            Target::Group
        } else if self.hparams.contains(&c.name) {
            Target::HParam(c.name.clone())
        } else if let Some(k) = self.metric(&c.name)? {
            Target::Metric(k)
        } else {
            return Err(QueryError::UnknownColumn {
                cond: c.to_string(),
                name: c.name.clone(),
                hparams: self.hparams.clone(),
                metrics: self.metric_names(),
            });
        })
    }
}

/// The resolved query: shown columns, sort metric, filter targets.
struct Plan {
    hparams: Vec<String>,
    metrics: Vec<MetricKey>,
    sort: Option<(MetricKey, Goal)>,
    sort_note: Option<String>,
    targets: Vec<Target>,
}

/// Words of a metric name that say it is a result, not a schedule.
const RESULT_WORDS: [&str; 6] = ["loss", "error", "err", "accuracy", "acc", "auc"];
/// Words of a group or tag that say the data is held out.
const VALIDATION_WORDS: [&str; 6] = ["validation", "val", "valid", "eval", "test", "dev"];

/// Whether a word (split at `/`, `_`, `-`, `.`, space) of `s` is one of
/// `words`.
fn has_word(s: &str, words: &[&str]) -> bool {
    s.to_lowercase()
        .split(['/', '_', '-', '.', ' '])
        .any(|w| words.contains(&w))
}

/// The default sort metric of an inferred experiment, whose metric order
/// means nothing: a validation metric that says loss/error/accuracy, else
/// any validation metric, else the first; with why, when not the first.
fn default_sort(metrics: &[MetricKey]) -> (Option<MetricKey>, Option<String>) {
    let validation = |k: &MetricKey| {
        has_word(&k.group, &VALIDATION_WORDS) || has_word(&k.tag, &VALIDATION_WORDS)
    };
    let result = |k: &MetricKey| has_word(&k.tag, &RESULT_WORDS);
    if let Some(k) = metrics.iter().find(|k| validation(k) && result(k)) {
        let why = "a validation loss/error/accuracy";
        return (Some(k.clone()), Some(why.to_string()));
    }
    if let Some(k) = metrics.iter().find(|k| validation(k)) {
        let why = "the first validation metric";
        return (Some(k.clone()), Some(why.to_string()));
    }
    (metrics.first().cloned(), None)
}

impl Plan {
    /// Resolves every name in `query`.
    fn new(query: &Query, names: &Names, exp: &ExperimentView) -> Result<Plan, QueryError> {
        let hparams = match &query.hparams {
            Some(list)
                if list.len() == 1 && list[0] == "all" && !names.hparams.contains(&list[0]) =>
            {
                names.hparams.clone()
            }
            Some(list) => list
                .iter()
                .map(|n| names.resolve_hparam(n))
                .collect::<Result<_, _>>()?,
            None => names.hparams.clone(),
        };
        let metrics: Vec<MetricKey> = match &query.metrics {
            Some(list) => list
                .iter()
                .map(|n| names.resolve_metric(n))
                .collect::<Result<_, _>>()?,
            None if query.all_metrics => names.metrics.iter().map(|(k, _)| k.clone()).collect(),
            None => exp.metrics.iter().map(|m| m.key.clone()).collect(),
        };
        // Sort metric: as asked; else, in a declared experiment, the first
        // shown; in an inferred one, a validation result (`default_sort`).
        let mut sort_note = None;
        let sort_key = match &query.sort {
            Some(name) => Some(names.resolve_metric(name)?),
            None if exp.explicit || query.metrics.is_some() => metrics
                .first()
                .or_else(|| names.metrics.first().map(|(k, _)| k))
                .cloned(),
            None => {
                let (k, note) = default_sort(&metrics);
                sort_note = note;
                k.or_else(|| names.metrics.first().map(|(k, _)| k.clone()))
            }
        };
        let sort = sort_key.map(|k| {
            let goal = query.goal.unwrap_or_else(|| Goal::infer(&k.tag));
            (k, goal)
        });
        let targets = query
            .filters
            .iter()
            .map(|c| names.target(c))
            .collect::<Result<_, _>>()?;
        Ok(Plan {
            hparams,
            metrics,
            sort,
            sort_note,
            targets,
        })
    }

    /// The sort metric's goal for it, else the goal its name implies.
    fn goal_of(&self, k: &MetricKey) -> Goal {
        match &self.sort {
            Some((s, g)) if s == k => *g,
            _ => Goal::infer(&k.tag),
        }
    }

    /// Metrics whose values the rows need: shown, sorted on, filtered on.
    fn working_metrics(&self) -> Vec<MetricKey> {
        let mut working = self.metrics.clone();
        let filtered = self.targets.iter().filter_map(|t| match t {
            Target::Metric(k) => Some(k),
            _ => None,
        });
        for k in self.sort.iter().map(|(k, _)| k).chain(filtered) {
            if !working.contains(k) {
                working.push(k.clone());
            }
        }
        working
    }

    /// One row per session, each curve in `working` reduced.
    fn session_rows(&self, sessions: &[&Session], reduce: Reduction) -> Vec<Row> {
        let working = self.working_metrics();
        sessions
            .iter()
            .map(|s| Row {
                rank: 0,
                name: s.name.clone(),
                group: s.group.clone(),
                status: Some(s.status),
                sessions: vec![s.name.clone()],
                hparams: s
                    .hparams
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                metrics: working
                    .iter()
                    .filter_map(|k| {
                        let v = reduce.apply(s.metric(k)?, self.goal_of(k))?;
                        Some((k.clone(), v))
                    })
                    .collect(),
                std: SortedMap::new(),
                counts: SortedMap::new(),
            })
            .collect()
    }

    /// The shown hparam columns; a column's type comes from its values in
    /// `rows`, else from the experiment.
    fn hparam_columns(&self, exp: &ExperimentView, rows: &[Row]) -> Vec<HParamColumn> {
        self.hparams
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
            .collect()
    }

    /// The shown metric columns.
    fn metric_columns(&self, exp: &ExperimentView, names: &Names) -> Vec<MetricColumn> {
        self.metrics
            .iter()
            .map(|k| MetricColumn {
                key: k.clone(),
                label: label_in(&names.labels, k),
                display_name: exp
                    .metrics
                    .iter()
                    .find(|m| &m.key == k)
                    .map(|m| m.display_name.clone())
                    .unwrap_or_default(),
                goal: self.goal_of(k),
            })
            .collect()
    }
}

/// Builds the table for `query` over `logdir`.
pub fn build(logdir: &Logdir, query: &Query) -> Result<Table, QueryError> {
    let exp = &logdir.experiment;
    let names = Names::of(logdir);
    let plan = Plan::new(query, &names, exp)?;
    let sessions: Vec<&Session> = logdir
        .sessions
        .iter()
        .filter(|s| query.statuses.is_empty() || query.statuses.contains(&s.status))
        .collect();
    let session_rows = plan.session_rows(&sessions, query.reduce);
    let mut rows = if query.groups {
        aggregate(&session_rows, &plan.working_metrics(), query.agg)
    } else {
        session_rows
    };
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let total = rows.len();
    let hparams = plan.hparam_columns(exp, &rows);
    let metrics = plan.metric_columns(exp, &names);

    let ranked = rank(
        rows,
        &query.filters,
        &plan.targets,
        plan.sort.as_ref(),
        query.top,
    )?;
    let mut rows = ranked.rows;
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
        // Values fetched only for sorting/filtering are not shown.
        r.metrics.retain(|k, _| plan.metrics.contains(k));
        r.std.retain(|k, _| plan.metrics.contains(k));
        r.counts.retain(|k, _| plan.metrics.contains(k));
    }
    Ok(Table {
        groups: query.groups,
        agg: query.agg,
        reduce: query.reduce,
        hparams,
        metrics,
        sort: plan.sort,
        labels: names.labels,
        rows,
        matched: ranked.matched,
        total,
        hparams_named: query.hparams.is_some(),
        sort_note: plan.sort_note,
    })
}
