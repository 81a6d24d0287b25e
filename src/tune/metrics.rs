//! The metric grammar: what a trial reports on its stdout and stderr.
//!
//! INTERFACE SKELETON: the types are the contract between the grammar and
//! the runner; the bodies are filled in by the metrics work.

/// One value found on a line.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricPoint {
    /// The metric's name as printed (`val_loss`).
    pub name: String,
    /// Its value (NaN and ±inf allowed).
    pub value: f64,
    /// `step=`/`epoch=`/`iteration=` on the same line; `None` lets the
    /// caller count per name.
    pub step: Option<i64>,
}

/// Which of a trial's reported values is its objective.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    /// The last value reported (what TensorBoard shows).
    #[default]
    Last,
    /// The smallest.
    Min,
    /// The largest.
    Max,
}

/// Every metric value on one line of output, in order.
pub fn parse_line(line: &str) -> Vec<MetricPoint> {
    let _ = line;
    Vec::new()
}
