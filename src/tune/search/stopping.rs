//! Early stopping as pure functions over what the trials reported so far:
//! each call decides about one trial's latest report and returns the
//! evidence (rung, the values compared, the cut) for the journal.
//!
//! The resource is the step of the objective (tfevents step, or `step=` /
//! `epoch=` on stdout). The rules:
//!
//! * `asha[:grace=G,eta=E,max=R]`: Syne Tune 0.16's asynchronous successive
//!   halving, stopping variant. Rungs sit at steps G·Eᵏ below R. A report
//!   records its value at the highest rung at or below its step that the
//!   trial has not recorded yet; that value is compared with every value
//!   other trials recorded at the rung, and the trial stops when its rank
//!   (the number of strictly better values over the number of values, its
//!   own included) exceeds 1/E. The first trial at a rung continues. A
//!   trial that reaches step R stops (R is optional for `asha`: without it
//!   a trial runs until its command ends). Defaults G=1, E=3.
//! * `hyperband:grace=G,eta=E,max=R[,brackets=B]`: B ASHA brackets (default:
//!   all, one per rung), bracket s starting at rung G·Eˢ. A trial's bracket
//!   is fixed by its index: SplitMix64(index) modulo the total of the
//!   classic Hyperband allocation ⌈B·E^(B−1−s)/(B−s)⌉ (Optuna's
//!   `HyperbandPruner` budgets, with our hash for its crc32). Each bracket
//!   compares only its own trials.
//! * `median[:warmup=W,min_trials=M,max=R]`: Optuna's `MedianPruner`. At its
//!   latest step s ≥ W, a trial stops when its best value so far is worse
//!   than the median of the values that trials which ran to the end
//!   reported at step s, once M such trials exist (default W=0, M=5, as
//!   Optuna). This is the rule `median` means, rather than Katib's mean of
//!   per-trial averages, because it compares like with like (values at the
//!   same step), a median is not dragged by one diverged trial, and a
//!   trial's best-so-far is not fooled by one noisy epoch. With `max=R` a
//!   trial that reports step R has run its budget: it ends there as
//!   succeeded and is never stopped at its last epoch (without it, as in
//!   Optuna, a trial can be cut at its final report).
//! * `katib-median[:start_step=S,min_trials=M]`: Katib's `medianstop`, for
//!   users coming from Katib: the threshold is the *mean* over the trials
//!   that ran to the end of each one's average over its first S reports;
//!   from its S-th report on, a trial stops when its latest value is worse
//!   than the threshold (defaults S=4, M=3, as Katib).
//!
//! NaN values rank worst. The decision concerns the trial's latest report,
//! so a runner calls [`Rule::decide`] once per new report.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::rng::SplitMix64;

/// What one trial has reported so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reports {
    /// The trial's index (Hyperband's bracket comes from it).
    pub trial: u64,
    /// (step, value) of the objective, in the order reported.
    pub points: Vec<(u64, f64)>,
    /// True when the trial ran to its end (not stopped, not failed): the
    /// median rules compare with these trials only.
    pub finished: bool,
}

/// Why a rule decided as it did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evidence {
    /// The rule: `asha`, `hyperband`, `median` or `katib-median`.
    pub rule: &'static str,
    /// Hyperband's bracket of the trial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bracket: Option<usize>,
    /// The step of the report decided on.
    pub step: u64,
    /// The rung (ASHA, Hyperband) or step (median rules) compared at.
    pub rung: u64,
    /// The trial's value compared (its best so far for `median`).
    pub value: f64,
    /// The other trials' values it was compared with.
    pub compared: Vec<f64>,
    /// The threshold: values at least this good continue.
    pub cut: Option<f64>,
    /// One line for people: `rank 2/3 > 1/3`.
    pub why: String,
}

/// A rule's verdict on a trial's latest report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Decision {
    /// Keep running; the evidence when a comparison was made.
    Continue(Option<Evidence>),
    /// Stop the trial (SIGTERM), with the evidence.
    Stop(Evidence),
}

/// An early-stopping rule with its settings.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// Asynchronous successive halving (stopping variant).
    Asha {
        /// First rung (step).
        grace: u64,
        /// Reduction factor.
        eta: u64,
        /// The step at which every trial stops, if any.
        max: Option<u64>,
    },
    /// Several ASHA brackets.
    Hyperband {
        /// First rung of bracket 0 (step).
        grace: u64,
        /// Reduction factor.
        eta: u64,
        /// The step at which every trial stops.
        max: u64,
        /// Number of brackets.
        brackets: usize,
    },
    /// Optuna's median pruner.
    Median {
        /// No stopping before this step.
        warmup: u64,
        /// Trials that ran to the end needed before any stopping.
        min_trials: usize,
        /// The step at which a trial has run its budget and ends as
        /// succeeded (never stopped there as early-stopped).
        max: Option<u64>,
    },
    /// Katib's medianstop.
    KatibMedian {
        /// Reports averaged, and the first report number compared.
        start_step: usize,
        /// Trials that ran to the end needed before any stopping.
        min_trials: usize,
    },
}

/// A malformed `--early-stop` spec.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("--early-stop {spec}: {message}")]
pub struct EarlyStopError {
    /// The spec as given.
    pub spec: String,
    /// What is wrong with it.
    pub message: String,
}

impl FromStr for Rule {
    type Err = EarlyStopError;

    /// Parses `asha`, `asha:grace=1,eta=3,max=81`, `hyperband:max=81`,
    /// `median:warmup=5,min_trials=5`, `katib-median:start_step=4`.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let fail = |message: String| EarlyStopError {
            spec: spec.to_string(),
            message,
        };
        let (name, rest) = spec.split_once(':').unwrap_or((spec, ""));
        let keys: &[&str] = match name {
            "asha" => &["grace", "eta", "max"],
            "hyperband" => &["grace", "eta", "max", "brackets"],
            "median" => &["warmup", "min_trials", "max"],
            "katib-median" => &["start_step", "min_trials"],
            _ => {
                return Err(fail(format!(
                    "unknown rule `{name}` (expected asha, hyperband, median or katib-median)"
                )))
            }
        };
        let mut given: Vec<(&str, u64)> = Vec::new();
        for item in rest.split(',').filter(|s| !s.trim().is_empty()) {
            let (k, v) = item
                .split_once('=')
                .ok_or_else(|| fail(format!("`{item}` is not KEY=VALUE")))?;
            let (k, v) = (k.trim(), v.trim());
            if !keys.contains(&k) {
                return Err(fail(format!(
                    "unknown key `{k}` for {name} (expected {})",
                    keys.join(", ")
                )));
            }
            if given.iter().any(|(g, _)| *g == k) {
                return Err(fail(format!("`{k}` given twice")));
            }
            let n: u64 = v
                .parse()
                .map_err(|_| fail(format!("{k}=`{v}` is not a whole number")))?;
            given.push((k, n));
        }
        let get = |k: &str| given.iter().find(|(g, _)| *g == k).map(|(_, v)| *v);
        let rule = build(name, &get).map_err(fail)?;
        Ok(rule)
    }
}

/// The rule from its parsed keys, checking their ranges.
fn build(name: &str, get: &dyn Fn(&str) -> Option<u64>) -> Result<Rule, String> {
    let at_least = |k: &str, default: u64, min: u64| -> Result<u64, String> {
        let v = get(k).unwrap_or(default);
        if v < min {
            return Err(format!("{k} must be at least {min}, got {v}"));
        }
        Ok(v)
    };
    match name {
        "asha" | "hyperband" => {
            let grace = at_least("grace", 1, 1)?;
            let eta = at_least("eta", 3, 2)?;
            let max = get("max");
            if let Some(m) = max {
                if m < grace {
                    return Err(format!("max ({m}) must be at least grace ({grace})"));
                }
            }
            if name == "asha" {
                return Ok(Rule::Asha { grace, eta, max });
            }
            let max = max.ok_or("hyperband needs max=R, the step at which trials end")?;
            let all = rung_count(grace, eta, max);
            let brackets = get("brackets").unwrap_or(all as u64);
            if brackets < 1 || brackets > all as u64 {
                return Err(format!(
                    "brackets must be between 1 and {all} (the rungs from grace={grace} to max={max}), got {brackets}"
                ));
            }
            Ok(Rule::Hyperband {
                grace,
                eta,
                max,
                brackets: brackets as usize,
            })
        }
        "median" => Ok(Rule::Median {
            warmup: get("warmup").unwrap_or(0),
            min_trials: at_least("min_trials", 5, 1)? as usize,
            max: match get("max") {
                Some(0) => return Err("max must be at least 1, got 0".into()),
                m => m,
            },
        }),
        _ => Ok(Rule::KatibMedian {
            start_step: at_least("start_step", 4, 1)? as usize,
            min_trials: at_least("min_trials", 3, 1)? as usize,
        }),
    }
}

impl fmt::Display for Rule {
    /// The canonical spec, every setting spelled out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Asha { grace, eta, max } => {
                write!(f, "asha:grace={grace},eta={eta}")?;
                match max {
                    Some(m) => write!(f, ",max={m}"),
                    None => Ok(()),
                }
            }
            Rule::Hyperband {
                grace,
                eta,
                max,
                brackets,
            } => write!(
                f,
                "hyperband:grace={grace},eta={eta},max={max},brackets={brackets}"
            ),
            Rule::Median {
                warmup,
                min_trials,
                max,
            } => {
                write!(f, "median:warmup={warmup},min_trials={min_trials}")?;
                match max {
                    Some(m) => write!(f, ",max={m}"),
                    None => Ok(()),
                }
            }
            Rule::KatibMedian {
                start_step,
                min_trials,
            } => write!(
                f,
                "katib-median:start_step={start_step},min_trials={min_trials}"
            ),
        }
    }
}

/// Number of rungs G·Eᵏ ≤ R.
fn rung_count(grace: u64, eta: u64, max: u64) -> usize {
    let mut n = 0;
    let mut m = Some(grace);
    while let Some(r) = m.filter(|r| *r <= max) {
        n += 1;
        m = r.checked_mul(eta);
    }
    n
}

/// "Smaller is better" form of a value; NaN is the worst.
fn loss(v: f64, minimize: bool) -> f64 {
    if v.is_nan() {
        f64::INFINITY
    } else if minimize {
        v
    } else {
        -v
    }
}

impl Rule {
    /// The decision about `trial`'s latest report, given every trial's
    /// reports so far (`table`, `trial` among them).
    pub fn decide(&self, table: &[Reports], trial: u64, minimize: bool) -> Decision {
        let Some(me) = table.iter().find(|r| r.trial == trial) else {
            return Decision::Continue(None);
        };
        match self {
            Rule::Asha { grace, eta, max } => {
                let ladder = Ladder {
                    first: *grace,
                    eta: *eta,
                    max: *max,
                };
                asha(&ladder, table, me, minimize, None, |_| true)
            }
            Rule::Hyperband {
                grace,
                eta,
                max,
                brackets,
            } => {
                let s = bracket_of(trial, *eta, *brackets);
                let ladder = Ladder {
                    first: grace.saturating_mul(eta.saturating_pow(s as u32)),
                    eta: *eta,
                    max: Some(*max),
                };
                asha(&ladder, table, me, minimize, Some(s), |r| {
                    bracket_of(r.trial, *eta, *brackets) == s
                })
            }
            Rule::Median {
                warmup,
                min_trials,
                max,
            } => match reached_max("median", None, me, *max) {
                Some(e) => Decision::Stop(e),
                None => median(table, me, *warmup, *min_trials, minimize),
            },
            Rule::KatibMedian {
                start_step,
                min_trials,
            } => katib_median(table, me, *start_step, *min_trials, minimize),
        }
    }
}

/// Hyperband's bracket of a trial (0 = the most aggressive).
pub fn bracket_of(trial: u64, eta: u64, brackets: usize) -> usize {
    let b = brackets.max(1);
    let budgets: Vec<u64> = (0..b)
        .map(|s| {
            let e = (eta as f64).powi((b - 1 - s) as i32);
            (b as f64 * e / (b - s) as f64).ceil().min(1e15) as u64
        })
        .collect();
    let total: u64 = budgets.iter().sum();
    let mut u = SplitMix64::new(trial).next_u64() % total.max(1);
    for (s, budget) in budgets.iter().enumerate() {
        if u < *budget {
            return s;
        }
        u -= budget;
    }
    b - 1
}

/// The rungs of one bracket: `first`·ηᵏ, below `max`.
struct Ladder {
    first: u64,
    eta: u64,
    max: Option<u64>,
}

impl Ladder {
    /// The rungs at or below `step`, highest first.
    fn rungs_upto(&self, step: u64) -> Vec<u64> {
        let mut out = Vec::new();
        let mut m = Some(self.first);
        while let Some(r) = m.filter(|r| *r <= step && self.max.is_none_or(|x| *r < x)) {
            out.push(r);
            m = r.checked_mul(self.eta);
        }
        out.reverse();
        out
    }

    /// Syne Tune's recording: each report records its value at the highest
    /// rung at or below its step not yet recorded. (rung, value, report
    /// position) in recording order.
    fn record(&self, points: &[(u64, f64)]) -> Vec<(u64, f64, usize)> {
        let mut rec: Vec<(u64, f64, usize)> = Vec::new();
        for (pos, (step, v)) in points.iter().enumerate() {
            if let Some(r) = self
                .rungs_upto(*step)
                .into_iter()
                .find(|r| rec.iter().all(|(g, _, _)| g != r))
            {
                rec.push((r, *v, pos));
            }
        }
        rec
    }
}

fn asha(
    ladder: &Ladder,
    table: &[Reports],
    me: &Reports,
    minimize: bool,
    bracket: Option<usize>,
    same_bracket: impl Fn(&Reports) -> bool,
) -> Decision {
    let rule = if bracket.is_some() {
        "hyperband"
    } else {
        "asha"
    };
    let Some(&(step, _)) = me.points.last() else {
        return Decision::Continue(None);
    };
    if let Some(e) = reached_max(rule, bracket, me, ladder.max) {
        return Decision::Stop(e);
    }
    let mine = ladder.record(&me.points);
    let Some(&(rung, value, _)) = mine.last().filter(|r| r.2 + 1 == me.points.len()) else {
        return Decision::Continue(None);
    };
    let compared: Vec<f64> = table
        .iter()
        .filter(|r| r.trial != me.trial && same_bracket(r))
        .filter_map(|r| {
            ladder
                .record(&r.points)
                .into_iter()
                .find(|(g, _, _)| *g == rung)
                .map(|(_, v, _)| v)
        })
        .collect();
    let mut ev = Evidence {
        rule,
        bracket,
        step,
        rung,
        value,
        compared,
        cut: None,
        why: format!("first trial at rung {rung}"),
    };
    if ev.compared.is_empty() {
        return Decision::Continue(Some(ev));
    }
    let mine_loss = loss(value, minimize);
    let mut all: Vec<f64> = ev.compared.iter().map(|v| loss(*v, minimize)).collect();
    all.push(mine_loss);
    all.sort_by(f64::total_cmp);
    let n = all.len() as u64;
    let better = all.iter().filter(|l| **l < mine_loss).count() as u64;
    let cut_loss = all[(n / ladder.eta) as usize];
    ev.cut = Some(if minimize { cut_loss } else { -cut_loss });
    let stop = better * ladder.eta > n;
    ev.why = format!(
        "rank {better}/{n} {} 1/{}",
        if stop { ">" } else { "≤" },
        ladder.eta
    );
    if stop {
        Decision::Stop(ev)
    } else {
        Decision::Continue(Some(ev))
    }
}

/// The value a trial last reported at exactly `step`.
fn value_at(r: &Reports, step: u64) -> Option<f64> {
    r.points.iter().rev().find(|p| p.0 == step).map(|p| p.1)
}

/// numpy's default (linear) percentile 50 of non-empty sorted values.
fn median_of(sorted: &[f64]) -> f64 {
    let pos = 0.5 * (sorted.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos.fract());
    match sorted.get(i + 1) {
        Some(next) if frac > 0.0 => sorted[i] + frac * (next - sorted[i]),
        _ => sorted[i],
    }
}

/// The end of a trial whose latest report reached `max`: it ran its
/// budget, so it stops (the runner records it as succeeded) instead of
/// being compared.
fn reached_max(
    rule: &'static str,
    bracket: Option<usize>,
    me: &Reports,
    max: Option<u64>,
) -> Option<Evidence> {
    let max = max?;
    let &(step, value) = me.points.last()?;
    (step >= max).then(|| Evidence {
        rule,
        bracket,
        step,
        rung: max,
        value,
        compared: Vec::new(),
        cut: None,
        why: format!("reached max={max}"),
    })
}

fn median(
    table: &[Reports],
    me: &Reports,
    warmup: u64,
    min_trials: usize,
    minimize: bool,
) -> Decision {
    let finished: Vec<&Reports> = table
        .iter()
        .filter(|r| r.finished && r.trial != me.trial)
        .collect();
    let Some(step) = me.points.iter().map(|p| p.0).max() else {
        return Decision::Continue(None);
    };
    if finished.is_empty() || finished.len() < min_trials || step < warmup {
        return Decision::Continue(None);
    }
    let best = me
        .points
        .iter()
        .map(|p| p.1)
        .filter(|v| !v.is_nan())
        .min_by(|a, b| loss(*a, minimize).total_cmp(&loss(*b, minimize)));
    let compared: Vec<f64> = finished
        .iter()
        .filter_map(|r| value_at(r, step))
        .filter(|v| !v.is_nan())
        .collect();
    let mut ev = Evidence {
        rule: "median",
        bracket: None,
        step,
        rung: step,
        value: best.unwrap_or(f64::NAN),
        compared,
        cut: None,
        why: String::new(),
    };
    let Some(best) = best else {
        ev.why = "every value so far is NaN".into();
        return Decision::Stop(ev);
    };
    if ev.compared.is_empty() {
        return Decision::Continue(None);
    }
    let mut sorted = ev.compared.clone();
    sorted.sort_by(f64::total_cmp);
    let cut = median_of(&sorted);
    ev.cut = Some(cut);
    let stop = loss(best, minimize) > loss(cut, minimize);
    ev.why = format!(
        "best so far {best} {} median {cut} of {} finished trials at step {step}",
        if stop { "worse than" } else { "not worse than" },
        sorted.len()
    );
    if stop {
        Decision::Stop(ev)
    } else {
        Decision::Continue(Some(ev))
    }
}

fn katib_median(
    table: &[Reports],
    me: &Reports,
    start_step: usize,
    min_trials: usize,
    minimize: bool,
) -> Decision {
    let averages: Vec<f64> = table
        .iter()
        .filter(|r| r.finished && r.trial != me.trial && !r.points.is_empty())
        .map(|r| {
            let first = &r.points[..r.points.len().min(start_step)];
            first.iter().map(|p| p.1).sum::<f64>() / first.len() as f64
        })
        .collect();
    let Some(&(step, value)) = me.points.last() else {
        return Decision::Continue(None);
    };
    if averages.len() < min_trials || me.points.len() < start_step {
        return Decision::Continue(None);
    }
    let cut = averages.iter().sum::<f64>() / averages.len() as f64;
    let stop = loss(value, minimize) > loss(cut, minimize);
    let ev = Evidence {
        rule: "katib-median",
        bracket: None,
        step,
        rung: step,
        value,
        compared: averages,
        cut: Some(cut),
        why: format!(
            "latest {value} {} mean {cut} of finished trials' first-{start_step} averages",
            if stop { "worse than" } else { "not worse than" }
        ),
    };
    if stop {
        Decision::Stop(ev)
    } else {
        Decision::Continue(Some(ev))
    }
}

#[cfg(test)]
#[path = "stopping_tests.rs"]
mod tests;
