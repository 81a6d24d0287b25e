//! Benchmark problems for the searches (the quality benchmark and the
//! tests): each a search space, an objective to minimise, and its known
//! minimum.
//!
//! * Branin (2-d, minimum 0.397887 at three points).
//! * Hartmann-6 (6-d on the unit cube, minimum −3.32237).
//! * A mixed space: a log-scale learning rate, an integer depth, a stepped
//!   width (`range`), a quantised dropout (`quniform`) and a categorical
//!   activation; a smooth bowl with its minimum 0 at lr = 10^−2.5,
//!   depth = 3, units = 96, dropout = 0.2, activation = relu. The same
//!   formula is in `bench/search_quality.py` for Optuna.

use crate::hparams::HParamValue;
use crate::trainer::Trial;
use crate::tune::space::{Param, ParamKind, Space};

/// A benchmark problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Branin on x1 ∈ [−5, 10], x2 ∈ [0, 15].
    Branin,
    /// Hartmann-6 on [0, 1]⁶.
    Hartmann6,
    /// The mixed space.
    Mixed,
}

impl Problem {
    /// Every problem, in the benchmark's order.
    pub const ALL: [Problem; 3] = [Problem::Branin, Problem::Hartmann6, Problem::Mixed];

    /// Its short name (`branin`, `hartmann6`, `mixed`).
    pub fn name(self) -> &'static str {
        match self {
            Problem::Branin => "branin",
            Problem::Hartmann6 => "hartmann6",
            Problem::Mixed => "mixed",
        }
    }

    /// The trials the benchmark gives each search.
    pub fn budget(self) -> usize {
        match self {
            Problem::Branin => 30,
            Problem::Hartmann6 => 60,
            Problem::Mixed => 40,
        }
    }

    /// The known minimum.
    pub fn optimum(self) -> f64 {
        match self {
            Problem::Branin => 0.397_887,
            Problem::Hartmann6 => -3.322_37,
            Problem::Mixed => 0.0,
        }
    }

    /// The search space.
    pub fn space(self) -> Space {
        let p = |name: &str, kind| Param {
            name: name.to_string(),
            kind,
        };
        let params = match self {
            Problem::Branin => vec![
                p("x1", ParamKind::Uniform { lo: -5.0, hi: 10.0 }),
                p("x2", ParamKind::Uniform { lo: 0.0, hi: 15.0 }),
            ],
            Problem::Hartmann6 => (1..=6)
                .map(|i| p(&format!("x{i}"), ParamKind::Uniform { lo: 0.0, hi: 1.0 }))
                .collect(),
            Problem::Mixed => vec![
                p("lr", ParamKind::LogUniform { lo: 1e-5, hi: 1.0 }),
                p("depth", ParamKind::Int { lo: 1, hi: 8 }),
                p(
                    "units",
                    ParamKind::Range {
                        start: 16.0,
                        stop: 272.0,
                        step: 16.0,
                    },
                ),
                p(
                    "dropout",
                    ParamKind::QUniform {
                        lo: 0.0,
                        hi: 0.5,
                        q: 0.05,
                    },
                ),
                p(
                    "activation",
                    ParamKind::Choice(vec![
                        HParamValue::Str("relu".into()),
                        HParamValue::Str("tanh".into()),
                        HParamValue::Str("sigmoid".into()),
                    ]),
                ),
            ],
        };
        Space { params }
    }

    /// The objective at a trial; NaN if a parameter is missing.
    pub fn eval(self, t: &Trial) -> f64 {
        let f = |n: &str| t.get_f64(n).unwrap_or(f64::NAN);
        match self {
            Problem::Branin => branin(f("x1"), f("x2")),
            Problem::Hartmann6 => {
                let x: Vec<f64> = (1..=6).map(|i| f(&format!("x{i}"))).collect();
                hartmann6(&x)
            }
            Problem::Mixed => {
                let act = match t.get_str("activation") {
                    Some("relu") => 0.0,
                    Some("tanh") => 0.25,
                    Some("sigmoid") => 0.8,
                    _ => f64::NAN,
                };
                (f("lr").log10() + 2.5).powi(2)
                    + 0.2 * (f("depth") - 3.0).powi(2)
                    + ((f("units") - 96.0) / 80.0).powi(2)
                    + 4.0 * (f("dropout") - 0.2).powi(2)
                    + act
            }
        }
    }
}

/// Branin-Hoo.
pub fn branin(x1: f64, x2: f64) -> f64 {
    let pi = std::f64::consts::PI;
    let b = 5.1 / (4.0 * pi * pi);
    let c = 5.0 / pi;
    let t = 1.0 / (8.0 * pi);
    (x2 - b * x1 * x1 + c * x1 - 6.0).powi(2) + 10.0 * (1.0 - t) * x1.cos() + 10.0
}

/// Hartmann-6 (the usual constants).
pub fn hartmann6(x: &[f64]) -> f64 {
    const ALPHA: [f64; 4] = [1.0, 1.2, 3.0, 3.2];
    const A: [[f64; 6]; 4] = [
        [10.0, 3.0, 17.0, 3.5, 1.7, 8.0],
        [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
        [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
        [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
    ];
    const P: [[f64; 6]; 4] = [
        [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
        [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
        [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
        [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
    ];
    -(0..4)
        .map(|i| {
            let inner: f64 = (0..6).map(|j| A[i][j] * (x[j] - P[i][j]).powi(2)).sum();
            ALPHA[i] * (-inner).exp()
        })
        .sum::<f64>()
}

/// Runs `sampler` for `n` trials on `problem` (one at a time, `seed`),
/// returning the best value after each trial.
pub fn run(sampler: &dyn super::Sampler, problem: Problem, seed: u64, n: usize) -> Vec<f64> {
    let space = problem.space();
    let mut done: Vec<super::Observation> = Vec::with_capacity(n);
    let mut best = f64::INFINITY;
    let mut trace = Vec::with_capacity(n);
    for i in 0..n {
        let trial = sampler.suggest(&space, seed, i as u64, &done, &[], true);
        let value = problem.eval(&trial);
        best = best.min(value);
        trace.push(best);
        done.push(super::Observation {
            trial,
            value: Some(value),
        });
    }
    trace
}
