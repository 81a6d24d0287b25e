//! Whether a metric is better high or low.

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
    /// Guesses from a metric name: names containing `loss`, `error`, `err`,
    /// `mse`, `mae`, `perplexity` or `ppl` (any case) are minimised,
    /// everything else is maximised.
    pub fn infer(name: &str) -> Goal {
        let n = name.to_ascii_lowercase();
        const LOWER: &[&str] = &["loss", "error", "mse", "mae", "perplexity", "ppl", "err"];
        if LOWER.iter().any(|w| n.contains(w)) {
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
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "max" | "maximize" | "maximise" => Ok(Goal::Max),
            "min" | "minimize" | "minimise" => Ok(Goal::Min),
            _ => Err(format!("unknown goal {s:?}: use max or min")),
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
    }
}
