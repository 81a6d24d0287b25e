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
    stand_in_parse(line) // stand-in until tune-space merges
}

// ---------------------------------------------------------------------------
// stand-in until tune-space merges: `name=value` / `name: value` pairs only,
// with the agreed signatures. The tune-space versions replace all of this.
// ---------------------------------------------------------------------------

/// The points of one line, stand-in grammar. // stand-in until tune-space merges
fn stand_in_parse(line: &str) -> Vec<MetricPoint> {
    let mut pairs = Vec::new();
    for word in line.split(|c: char| c.is_whitespace() || c == ',') {
        if let Some((k, v)) = word.split_once('=') {
            pairs.push((k.to_string(), v.to_string()));
        }
    }
    let mut words = line.split_whitespace().peekable();
    while let Some(w) = words.next() {
        if let Some(k) = w.strip_suffix(':') {
            if let Some(v) = words.peek() {
                pairs.push((k.to_string(), v.to_string()));
            }
        }
    }
    let step = pairs
        .iter()
        .find(|(k, _)| matches!(k.as_str(), "step" | "epoch" | "iteration"))
        .and_then(|(_, v)| v.parse::<i64>().ok());
    pairs
        .into_iter()
        .filter(|(k, _)| !matches!(k.as_str(), "step" | "epoch" | "iteration"))
        .filter(|(k, _)| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '/' | '.'))
        })
        .filter_map(|(name, v)| {
            let value = match v.to_ascii_lowercase().as_str() {
                "nan" => f64::NAN,
                "inf" | "infinity" => f64::INFINITY,
                "-inf" | "-infinity" => f64::NEG_INFINITY,
                _ => v.parse::<f64>().ok()?,
            };
            Some(MetricPoint { name, value, step })
        })
        .collect()
}

/// Steps for points without one: a counter per name. // stand-in until tune-space merges
#[derive(Debug, Default)]
pub struct MetricTracker {
    next: std::collections::HashMap<String, i64>,
}

impl MetricTracker {
    /// A tracker with no names seen. // stand-in until tune-space merges
    pub fn new() -> Self {
        Self::default()
    }

    /// The (name, step, value) points of `line`. // stand-in until tune-space merges
    pub fn observe_line(&mut self, line: &str) -> Vec<(String, i64, f64)> {
        parse_line(line)
            .into_iter()
            .map(|p| {
                let next = self.next.entry(p.name.clone()).or_insert(0);
                let step = p.step.unwrap_or(*next);
                *next = step + 1;
                (p.name, step, p.value)
            })
            .collect()
    }
}

impl Strategy {
    /// The objective among `values` (NaN ignored by min/max). // stand-in until tune-space merges
    pub fn pick(self, values: impl IntoIterator<Item = f64>) -> Option<f64> {
        let it = values.into_iter();
        match self {
            Strategy::Last => it.last(),
            Strategy::Min => it.filter(|x| !x.is_nan()).reduce(f64::min),
            Strategy::Max => it.filter(|x| !x.is_nan()).reduce(f64::max),
        }
    }
}

impl std::str::FromStr for Strategy {
    type Err = String;
    /// `last`, `min` or `max`. // stand-in until tune-space merges
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "last" => Ok(Strategy::Last),
            "min" => Ok(Strategy::Min),
            "max" => Ok(Strategy::Max),
            _ => Err(format!("strategy {s:?}: use last, min or max")),
        }
    }
}

/// What the grammar finds in a log. // stand-in until tune-space merges
pub fn test_metrics_report(input: impl std::io::BufRead) -> String {
    let mut out = String::new();
    for (n, line) in input.lines().map_while(Result::ok).enumerate() {
        for p in parse_line(&line) {
            out.push_str(&format!(
                "line {}: {} = {} (step {:?})\n",
                n + 1,
                p.name,
                p.value,
                p.step
            ));
        }
    }
    out
}
