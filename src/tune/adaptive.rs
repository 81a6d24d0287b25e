//! What the runner needs from [`crate::tune::search`]: the values of each
//! new trial from a model-based [`Sampler`] (`--method tpe|gp|cmaes`), and the
//! `--early-stop` rule's decisions on the objective as trials report it.
//!
//! Everything here is rebuilt from the journal on `--resume`: a trial that
//! was launched keeps the values journaled at its launch, the history the
//! sampler sees is the journaled ends in trial-index order, and the rule's
//! table is the journaled `report` lines. A model-based search is therefore
//! reproducible given the seed *and the order in which results arrived*
//! (with `-j 1` that order is fixed; with `-j N` it follows the trials'
//! running times).

use std::collections::BTreeMap;

use crate::hparams::HParamValue;
use crate::trainer::Trial;
use crate::tune::journal::{History, State};
use crate::tune::search::{self, Decision, Observation, Reports, Rule, Sampler};
use crate::tune::space::Space;

/// The search and stopping state of one run.
pub struct Adaptive {
    sampler: Option<Box<dyn Sampler + Send + Sync>>,
    /// Values of every trial launched so far, by index.
    values: BTreeMap<u64, Trial>,
    /// Objective of every trial that ended (None: failed or no value).
    done: BTreeMap<u64, Option<f64>>,
    rule: Option<Rule>,
    /// Every trial's objective reports (the latest attempt's).
    reports: BTreeMap<u64, Reports>,
    /// Observations from `--warm-start`, seen before the run's own.
    prior: Vec<Observation>,
}

/// What the rule decided about a report, for the runner to act on.
pub struct Verdict {
    /// `continue`, `stop`, or `end` (the trial reached the rule's maximum
    /// resource), when the rule decided with evidence.
    pub decision: Option<&'static str>,
    /// The evidence as JSON, for the journal.
    pub evidence: Option<serde_json::Value>,
    /// The state to stop the trial as: early-stopped, or succeeded when it
    /// reached the rule's maximum resource.
    pub stop_as: Option<State>,
}

impl Adaptive {
    /// The state for `method` (a sampler for `tpe`/`cmaes`) and `rule`,
    /// with what the journal `h` says earlier runners did.
    pub fn new(method: &str, rule: Option<Rule>, h: &History) -> Self {
        let sampler = match method {
            "grid" | "random" => None,
            m => search::sampler(m),
        };
        let mut a = Adaptive {
            sampler,
            values: BTreeMap::new(),
            done: BTreeMap::new(),
            rule,
            reports: BTreeMap::new(),
            prior: Vec::new(),
        };
        for (index, at) in h.latest() {
            a.values.insert(index, trial_from_json(&at.params));
            if let Some(end) = &at.end {
                if end.state != State::Interrupted {
                    a.ended(index, end.state, end.objective);
                }
            }
            let finished = at.end.as_ref().is_some_and(|e| e.state == State::Succeeded);
            a.reports.insert(
                index,
                Reports {
                    trial: index,
                    points: at.reports.clone(),
                    finished,
                },
            );
        }
        a
    }

    /// The values of trial `index`: journaled ones if it ran before, else
    /// `planned` (grid, random), else the sampler's proposal from the
    /// `--warm-start` observations, then the finished trials in index
    /// order, and the `running` ones.
    pub fn values(
        &mut self,
        index: u64,
        planned: Option<Trial>,
        space: &Space,
        seed: u64,
        running: &[Trial],
        minimize: bool,
    ) -> Option<Trial> {
        if let Some(v) = self.values.get(&index) {
            return Some(v.clone());
        }
        let t = match (&self.sampler, planned) {
            (Some(s), _) => {
                let own = self.done.iter().filter_map(|(i, value)| {
                    let trial = self.values.get(i)?.clone();
                    Some(Observation {
                        trial,
                        value: *value,
                    })
                });
                let done: Vec<Observation> = self.prior.iter().cloned().chain(own).collect();
                s.suggest(space, seed, index, &done, running, minimize)
            }
            (None, p) => p?,
        };
        self.values.insert(index, t.clone());
        Some(t)
    }

    /// Adds `--warm-start` observations: the sampler sees them first,
    /// before the run's own finished trials.
    pub fn with_prior(mut self, prior: Option<Vec<Observation>>) -> Self {
        self.prior = prior.unwrap_or_default();
        self
    }

    /// An attempt of trial `index` starts: its reports start afresh.
    pub fn launched(&mut self, index: u64) {
        self.reports.insert(
            index,
            Reports {
                trial: index,
                points: Vec::new(),
                finished: false,
            },
        );
    }

    /// Trial `index` ended in `state` with `objective`: the sampler's
    /// history (killed and interrupted trials are not results; early-stopped
    /// ones count with the value they reached).
    pub fn ended(&mut self, index: u64, state: State, objective: Option<f64>) {
        let value = match state {
            State::Succeeded | State::EarlyStopped => objective,
            State::Killed | State::Interrupted => return,
            _ => None,
        };
        self.done.insert(index, value);
        if let Some(r) = self.reports.get_mut(&index) {
            r.finished = state == State::Succeeded;
        }
    }

    /// Trial `index` reported its objective `value` at `step`: the rule's
    /// verdict on it (None without a rule).
    pub fn report(&mut self, index: u64, step: u64, value: f64, minimize: bool) -> Option<Verdict> {
        let rule = self.rule.as_ref()?;
        self.reports
            .entry(index)
            .or_insert_with(|| Reports {
                trial: index,
                ..Reports::default()
            })
            .points
            .push((step, value));
        let table: Vec<Reports> = self.reports.values().cloned().collect();
        let (decision, evidence, stop_as) = match rule.decide(&table, index, minimize) {
            Decision::Continue(None) => (None, None, None),
            Decision::Continue(Some(e)) => (Some("continue"), Some(e), None),
            Decision::Stop(e) => {
                if max_resource(rule).is_some_and(|m| e.step >= m) {
                    (Some("end"), Some(e), Some(State::Succeeded))
                } else {
                    (Some("stop"), Some(e), Some(State::EarlyStopped))
                }
            }
        };
        Some(Verdict {
            decision,
            evidence: evidence.and_then(|e| serde_json::to_value(e).ok()),
            stop_as,
        })
    }
}

/// The step at which a rule ends every trial (it ran its whole budget).
fn max_resource(rule: &Rule) -> Option<u64> {
    match rule {
        Rule::Asha { max, .. } => *max,
        Rule::Hyperband { max, .. } => Some(*max),
        Rule::Median { max, .. } => *max,
        _ => None,
    }
}

/// A journaled parameter object back as a trial (JSON integers stay
/// integers, other numbers are floats).
pub fn trial_from_json(params: &BTreeMap<String, serde_json::Value>) -> Trial {
    let mut t = Trial::new();
    for (k, v) in params {
        let value = match v {
            serde_json::Value::Bool(b) => HParamValue::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) if !n.is_f64() => HParamValue::Int(i),
                _ => HParamValue::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => HParamValue::Str(s.clone()),
            other => HParamValue::Str(other.to_string()),
        };
        t.insert(k.clone(), value);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journaled_values_round_trip() {
        let t = Trial::new()
            .with("lr", 0.5)
            .with("units", 32)
            .with("opt", "adam")
            .with("w", 1.0);
        let json = crate::tune::journal::trial_to_json(&t);
        assert_eq!(trial_from_json(&json), t);
    }
}
