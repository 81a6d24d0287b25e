//! Why a query cannot be answered: names that match nothing or too much,
//! conditions that cannot apply to their column.

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
}
