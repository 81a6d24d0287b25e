//! Reducing a metric's curve to one number per session.
//!
//! TensorBoard's table shows the last value written (`last`, our default).
//! The others are hp-report's own and are labelled as such in every output.

use crate::error::ParseError;
use std::fmt;
use std::str::FromStr;

use crate::analysis::goal::Goal;
use crate::logdir::{Series, SeriesOptions};

/// How to turn a series into one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Reduction {
    /// The last point read (TensorBoard's choice).
    #[default]
    Last,
    /// The smallest value.
    Min,
    /// The largest value.
    Max,
    /// The best value by the metric's goal.
    Best,
    /// Mean of the last N points.
    MeanLast(usize),
    /// The value at step S (the last one written at that step).
    AtStep(i64),
}

impl Reduction {
    /// What the loader must keep for this reduction.
    pub fn series_options(self) -> SeriesOptions {
        match self {
            Reduction::MeanLast(n) => SeriesOptions {
                tail: n,
                ..Default::default()
            },
            Reduction::AtStep(s) => SeriesOptions {
                at_step: Some(s),
                ..Default::default()
            },
            _ => SeriesOptions::default(),
        }
    }

    /// The reduced value (`None` when the series has no such value, e.g. no
    /// point at the step, or only NaN for min/max).
    pub fn apply(self, s: &Series, goal: Goal) -> Option<f64> {
        match self {
            Reduction::Last => Some(s.last.value),
            Reduction::Min => s.min.map(|p| p.value),
            Reduction::Max => s.max.map(|p| p.value),
            Reduction::Best => match goal {
                Goal::Max => s.max.map(|p| p.value),
                Goal::Min => s.min.map(|p| p.value),
            },
            Reduction::MeanLast(_) => {
                let tail = s.tail();
                if tail.is_empty() {
                    return None;
                }
                Some(tail.iter().map(|p| p.value).sum::<f64>() / tail.len() as f64)
            }
            Reduction::AtStep(_) => s.at_step().map(|p| p.value),
        }
    }

    /// True for TensorBoard's own reduction.
    pub fn is_tensorboard(self) -> bool {
        self == Reduction::Last
    }
}

impl FromStr for Reduction {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let num = |v: &str, what: &str| -> Result<i64, String> {
            v.trim()
                .parse::<i64>()
                .map_err(|_| format!("{what} needs a whole number, got {v:?}"))
        };
        match s {
            "last" => Ok(Reduction::Last),
            "min" => Ok(Reduction::Min),
            "max" => Ok(Reduction::Max),
            "best" => Ok(Reduction::Best),
            _ => {
                if let Some(n) = s.strip_prefix("mean-last=") {
                    let n = num(n, "mean-last=N")?;
                    if n < 1 {
                        return Err("mean-last=N needs N >= 1".into());
                    }
                    Ok(Reduction::MeanLast(n.min(1 << 20) as usize))
                } else if let Some(st) = s.strip_prefix("at-step=") {
                    Ok(Reduction::AtStep(num(st, "at-step=S")?))
                } else {
                    Err(format!(
                    "unknown reduction {s:?}: use last, min, max, best, mean-last=N or at-step=S"
                )
                    .into())
                }
            }
        }
    }
}

impl fmt::Display for Reduction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reduction::Last => f.write_str("last"),
            Reduction::Min => f.write_str("min"),
            Reduction::Max => f.write_str("max"),
            Reduction::Best => f.write_str("best"),
            Reduction::MeanLast(n) => write!(f, "mean-last={n}"),
            Reduction::AtStep(s) => write!(f, "at-step={s}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logdir::Point;

    fn series(values: &[f64], opts: SeriesOptions) -> Series {
        let p = |i: usize| Point {
            step: i as i64,
            wall_time: i as f64,
            value: values[i],
        };
        let mut s = Series::new(p(0), &opts);
        for i in 1..values.len() {
            s.push(p(i), &opts);
        }
        s
    }

    #[test]
    fn each_reduction() {
        let v = [0.5, 0.2, f64::NAN, 0.9, 0.4];
        for (r, goal, want) in [
            (Reduction::Last, Goal::Max, Some(0.4)),
            (Reduction::Min, Goal::Max, Some(0.2)),
            (Reduction::Max, Goal::Min, Some(0.9)),
            (Reduction::Best, Goal::Min, Some(0.2)),
            (Reduction::Best, Goal::Max, Some(0.9)),
            (Reduction::MeanLast(2), Goal::Max, Some(0.65)),
            (Reduction::AtStep(1), Goal::Max, Some(0.2)),
            (Reduction::AtStep(7), Goal::Max, None),
        ] {
            let s = series(&v, r.series_options());
            let got = r.apply(&s, goal);
            assert!(
                got == want || got.zip(want).is_some_and(|(a, b)| (a - b).abs() < 1e-12),
                "{r}: {got:?} vs {want:?}"
            );
        }
    }

    #[test]
    fn parses() {
        assert_eq!("mean-last=5".parse(), Ok(Reduction::MeanLast(5)));
        assert_eq!("at-step=-1".parse(), Ok(Reduction::AtStep(-1)));
        assert!("mean-last=0".parse::<Reduction>().is_err());
        assert!("median".parse::<Reduction>().is_err());
        for r in ["last", "min", "max", "best", "mean-last=3", "at-step=10"] {
            assert_eq!(r.parse::<Reduction>().unwrap().to_string(), r);
        }
    }
}
