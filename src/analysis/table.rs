//! The ranked table's data: rows (sessions or groups), hparam and metric
//! columns, and what the query ranked by. Plain values: the query module
//! builds them, the exporters print them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::agg::Agg;
use crate::analysis::goal::Goal;
use crate::analysis::reduce::Reduction;
use crate::hparams::{HParamValue, Status};
use crate::logdir::{HParamType, MetricKey};
use crate::sorted_map::SortedMap;

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
    pub metrics: SortedMap<MetricKey, f64>,
    /// Group rows: sample standard deviation over member sessions (absent
    /// with fewer than two values).
    pub std: SortedMap<MetricKey, f64>,
    /// Sessions per metric that had a value (group rows).
    pub counts: SortedMap<MetricKey, usize>,
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
    /// The hparam columns were named (`--hparams`): views show every one,
    /// even those equal in every row.
    pub hparams_named: bool,
    /// Why the sort metric was chosen when no `--sort` named it and the
    /// choice was not simply the experiment's first metric (for people).
    pub sort_note: Option<String>,
}

impl Table {
    /// The unique label of metric `key` (`group/tag` unless that is
    /// ambiguous in this logdir; see [`metric_labels`](crate::logdir::metric_labels)).
    pub fn label(&self, key: &MetricKey) -> String {
        label_in(&self.labels, key)
    }

    /// What a row is, in the plural: `"groups"` or `"sessions"`.
    pub fn row_noun(&self) -> &'static str {
        if self.groups {
            "groups"
        } else {
            "sessions"
        }
    }
}

/// `key`'s label in `labels`, or `group/tag` for a key not in the logdir.
pub(crate) fn label_in(labels: &BTreeMap<MetricKey, String>, key: &MetricKey) -> String {
    labels.get(key).cloned().unwrap_or_else(|| key.to_string())
}
