//! Session groups: repeated runs of one configuration, combined into one row.
//!
//! Sessions are grouped by their group key (the start info's `group_name`,
//! else the session name) exactly as TensorBoard groups them; a group's
//! hparams are its first session's. Each metric combines the values of the
//! member sessions that have it: `mean` is TensorBoard's default; `median`,
//! `min` and `max` are per metric (TensorBoard's own MEDIAN/MIN/MAX instead
//! copy all metrics of one representative session).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::analysis::table::Row;
use crate::logdir::model::{by_group, group_hparams};
use crate::logdir::MetricKey;

/// How the values of a group's sessions combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Agg {
    /// Arithmetic mean (TensorBoard's AVG).
    #[default]
    Mean,
    /// Median (mean of the two middle values for an even count).
    Median,
    /// Smallest.
    Min,
    /// Largest.
    Max,
}

impl FromStr for Agg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "mean" | "avg" => Ok(Agg::Mean),
            "median" => Ok(Agg::Median),
            "min" => Ok(Agg::Min),
            "max" => Ok(Agg::Max),
            _ => Err(format!(
                "unknown aggregation {s:?}: use mean, median, min or max"
            )),
        }
    }
}

impl fmt::Display for Agg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Agg::Mean => "mean",
            Agg::Median => "median",
            Agg::Min => "min",
            Agg::Max => "max",
        })
    }
}

impl Agg {
    /// Combines `values` (not empty).
    pub fn apply(self, values: &mut [f64]) -> f64 {
        match self {
            Agg::Mean => values.iter().sum::<f64>() / values.len() as f64,
            Agg::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
            Agg::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Agg::Median => {
                values.sort_by(f64::total_cmp);
                let n = values.len();
                if n % 2 == 1 {
                    values[n / 2]
                } else {
                    (values[n / 2 - 1] + values[n / 2]) / 2.0
                }
            }
        }
    }
}

/// Sample standard deviation (n − 1); `None` for fewer than two values.
pub fn sample_std(values: &[f64]) -> Option<f64> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    Some(var.sqrt())
}

/// Groups session rows (in the order given, which decides each group's
/// first session) into group rows.
pub fn aggregate(sessions: &[Row], metrics: &[MetricKey], agg: Agg) -> Vec<Row> {
    by_group(sessions, |r| r.group.as_str())
        .into_iter()
        .map(|(g, rs)| {
            let mut names: Vec<String> = rs.iter().map(|r| r.name.clone()).collect();
            names.sort();
            let hparams = group_hparams(rs.first().map(|r| &r.hparams));
            let mut values = BTreeMap::new();
            let mut std = BTreeMap::new();
            let mut counts = BTreeMap::new();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregations() {
        let v = [3.0, 1.0, 4.0, 2.0];
        assert_eq!(Agg::Mean.apply(&mut v.clone()), 2.5);
        assert_eq!(Agg::Median.apply(&mut v.clone()), 2.5);
        assert_eq!(Agg::Median.apply(&mut [5.0, 1.0, 3.0]), 3.0);
        assert_eq!(Agg::Min.apply(&mut v.clone()), 1.0);
        assert_eq!(Agg::Max.apply(&mut v.clone()), 4.0);
        assert!((sample_std(&v).unwrap() - 1.2909944487358056).abs() < 1e-12);
        assert_eq!(sample_std(&[1.0]), None);
    }
}
