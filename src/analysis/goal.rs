//! Whether a metric is better high or low.

use crate::error::ParseError;
use std::fmt;
use std::str::FromStr;

/// Direction of "better" for a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Goal {
    /// Larger is better (accuracy, AUC, reward).
    Max,
    /// Smaller is better (loss, error).
    Min,
}

impl Goal {
    /// Guesses from a metric name, split into words at every character that
    /// is not an ASCII letter or digit (`validation/epoch_loss` → `validation`,
    /// `epoch`, `loss`): if a word is `err`, `mse`, `rmse`, `mae` or `ppl`, or
    /// starts with `loss`, `error` or `perplexity`, the metric is minimised;
    /// otherwise maximised.
    pub fn infer(name: &str) -> Goal {
        const LOWER: &[&str] = &[
            "loss",
            "error",
            "err",
            "mse",
            "rmse",
            "mae",
            "perplexity",
            "ppl",
        ];
        let lower = name.to_ascii_lowercase();
        let is_lower = lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
            LOWER
                .iter()
                .any(|l| w == *l || (w.starts_with(l) && l.len() >= 4))
        });
        if is_lower {
            Goal::Min
        } else {
            Goal::Max
        }
    }

    /// Whether `a` is strictly better than `b`.
    pub fn better(self, a: f64, b: f64) -> bool {
        match self {
            Goal::Max => a > b,
            Goal::Min => a < b,
        }
    }
}

impl FromStr for Goal {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "max" | "maximize" | "maximise" => Ok(Goal::Max),
            "min" | "minimize" | "minimise" => Ok(Goal::Min),
            _ => Err(format!("unknown goal {s:?}: use max or min").into()),
        }
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Goal::Max => "max",
            Goal::Min => "min",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infers_from_names() {
        assert_eq!(Goal::infer("validation/epoch_loss"), Goal::Min);
        assert_eq!(Goal::infer("val_MSE"), Goal::Min);
        assert_eq!(Goal::infer("test/perplexity"), Goal::Min);
        assert_eq!(Goal::infer("epoch_accuracy"), Goal::Max);
        assert_eq!(Goal::infer("hparam/auc"), Goal::Max);
        assert_eq!(Goal::infer("train/batch_losses"), Goal::Min);
        assert_eq!(Goal::infer("top1_err"), Goal::Min);
        assert_eq!(Goal::infer("val-ppl"), Goal::Min);
        // Words that merely contain a marker are not losses.
        assert_eq!(Goal::infer("interrupted_frac"), Goal::Max);
        assert_eq!(Goal::infer("referral_rate"), Goal::Max);
        assert_eq!(Goal::infer("supplied"), Goal::Max);
    }
}
