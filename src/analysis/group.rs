//! Session groups: repeated runs of one configuration, combined into one row.
//!
//! Sessions are grouped by their group key (the start info's `group_name`,
//! else the session name) exactly as TensorBoard groups them; a group's
//! hparams are its first session's. Each metric combines the values of the
//! member sessions that have it: `mean` is TensorBoard's default; `median`,
//! `min` and `max` are per metric (TensorBoard's own MEDIAN/MIN/MAX instead
//! copy all metrics of one representative session).

use crate::analysis::agg::{sample_std, Agg};
use crate::analysis::table::Row;
use crate::logdir::model::{by_group, group_hparams};
use crate::logdir::MetricKey;
use crate::sorted_map::SortedMap;

/// Groups session rows (in the order given, which decides each group's
/// first session) into group rows.
pub fn aggregate(sessions: &[Row], metrics: &[MetricKey], agg: Agg) -> Vec<Row> {
    by_group(sessions, |r| r.group.as_str())
        .into_iter()
        .map(|(g, rs)| {
            let mut names: Vec<String> = rs.iter().map(|r| r.name.clone()).collect();
            names.sort();
            let hparams = group_hparams(rs.first().map(|r| &r.hparams));
            let mut values = SortedMap::new();
            let mut std = SortedMap::new();
            let mut counts = SortedMap::new();
            for k in metrics {
                let mut vs: Vec<f64> = rs
                    .iter()
                    .filter_map(|r| r.metrics.get(k).copied())
                    .collect();
                if vs.is_empty() {
                    continue;
                }
                counts.insert(k.clone(), vs.len());
                if let Some(s) = sample_std(&vs) {
                    std.insert(k.clone(), s);
                }
                values.insert(k.clone(), agg.apply(&mut vs));
            }
            Row {
                rank: 0,
                name: g.to_string(),
                group: g.to_string(),
                status: None,
                sessions: names,
                hparams,
                metrics: values,
                std,
                counts,
            }
        })
        .collect()
}
