//! Search spaces: one [`Param`] per hparam, parsed from `-p NAME=SPEC` or a
//! space file, sampled at random (trial `i` of a seed always gets the same
//! values) or enumerated as a grid.
//!
//! INTERFACE SKELETON: the types are the contract between the space parser
//! and the runner; the bodies are filled in by the space work.

use crate::hparams::HParamValue;
use crate::trainer::Trial;

/// What values one hparam may take.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamKind {
    /// `choice(a,b,…)`: one of the listed values (numbers, strings or bools).
    Choice(Vec<HParamValue>),
    /// `uniform(lo,hi)`: a real number, uniform on [lo, hi].
    Uniform { lo: f64, hi: f64 },
    /// `loguniform(lo,hi)`: a real number, uniform in log space on [lo, hi], 0 < lo.
    LogUniform { lo: f64, hi: f64 },
    /// `int(lo,hi)`: an integer, both ends included.
    Int { lo: i64, hi: i64 },
    /// `range(start,stop[,step])`: start, start+step, … below stop (stop excluded).
    Range { start: f64, stop: f64, step: f64 },
    /// `quniform(lo,hi,q)`: round(uniform(lo,hi)/q)*q.
    QUniform { lo: f64, hi: f64, q: f64 },
    /// A constant.
    Const(HParamValue),
}

/// One hparam of the space.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The hparam's name (the `{name}` placeholder, `HP_<NAME>`).
    pub name: String,
    /// Its values.
    pub kind: ParamKind,
}

/// The search space: parameters in the order given.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Space {
    /// The parameters, in the order the user gave them.
    pub params: Vec<Param>,
}

/// The metric a search optimises.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    /// Metric name as reported (`val_loss`, `validation/epoch_loss`).
    pub name: String,
    /// `true` to minimise, `false` to maximise.
    pub minimize: bool,
}

/// What a space file (W&B sweep, NNI search space, Katib Experiment) says
/// beyond the space itself; `None` where the file is silent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpaceFile {
    /// The parameters.
    pub space: Space,
    /// The objective (W&B `metric`, Katib `spec.objective`).
    pub objective: Option<Objective>,
    /// Stop when the best trial reaches this (W&B `metric.target`, Katib `goal`).
    pub target: Option<f64>,
    /// `grid`, `random`, … as the file names it.
    pub method: Option<String>,
    /// W&B `run_cap`, Katib `maxTrialCount`.
    pub max_trials: Option<u64>,
    /// Katib `parallelTrialCount`.
    pub parallel: Option<usize>,
    /// Katib `maxFailedTrialCount`.
    pub max_failures: Option<u64>,
    /// W&B `command`, when given as a list of words.
    pub command: Option<Vec<String>>,
}

/// A malformed SPEC or space file: which parameter, where, and what is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct SpaceError {
    /// The whole message, naming the parameter and the position.
    pub message: String,
}
