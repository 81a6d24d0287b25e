//! How the values of a group's sessions combine into one (`--agg`), and
//! their spread: plain numbers, no table types, so that both the table
//! types and the grouping can use them.

use crate::error::ParseError;
use std::fmt;
use std::str::FromStr;

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
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "mean" | "avg" => Ok(Agg::Mean),
            "median" => Ok(Agg::Median),
            "min" => Ok(Agg::Min),
            "max" => Ok(Agg::Max),
            _ => Err(format!("unknown aggregation {s:?}: use mean, median, min or max").into()),
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
