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

// ---------------------------------------------------------------------------
// stand-in until tune-space merges: a minimal parser and sampler with the
// agreed signatures, enough for the runner and its tests. The tune-space
// versions replace everything below at merge.
// ---------------------------------------------------------------------------

use crate::hparams::{Domain, ExperimentConfig, HParam, Metric};
use crate::rng::SplitMix64;
use std::path::Path;

fn space_err(message: impl Into<String>) -> SpaceError {
    SpaceError {
        message: message.into(),
    }
}

/// Splits a metric name `a/b/tag` into its group `a/b` and tag (group "" for
/// a name without `/`). // stand-in until tune-space merges
fn split_metric(name: &str) -> (&str, &str) {
    match name.rsplit_once('/') {
        Some((g, t)) if !g.is_empty() && !t.is_empty() => (g, t),
        _ => ("", name),
    }
}

/// A literal: int, float, bool or string. // stand-in until tune-space merges
fn literal(s: &str) -> HParamValue {
    let s = s.trim();
    if let Ok(i) = s.parse::<i64>() {
        return HParamValue::Int(i);
    }
    if let Ok(x) = s.parse::<f64>() {
        if x.is_finite() {
            return HParamValue::Float(x);
        }
    }
    match s {
        "true" | "True" => HParamValue::Bool(true),
        "false" | "False" => HParamValue::Bool(false),
        _ => HParamValue::Str(s.to_string()),
    }
}

fn number(name: &str, s: &str) -> Result<f64, SpaceError> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| space_err(format!("-p {name}: {s:?} is not a number")))
}

impl Param {
    /// Parses `NAME=SPEC`. // stand-in until tune-space merges
    pub fn parse_arg(arg: &str) -> Result<Param, SpaceError> {
        let (name, spec) = arg
            .split_once('=')
            .ok_or_else(|| space_err(format!("-p {arg:?}: expected NAME=SPEC")))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(space_err(format!("-p {arg:?}: empty parameter name")));
        }
        let spec = spec.trim();
        let kind = match spec.split_once('(') {
            Some((f, rest)) if rest.ends_with(')') => {
                let inner = &rest[..rest.len() - 1];
                let args: Vec<&str> = inner.split(',').map(str::trim).collect();
                let nums = |n: usize| -> Result<Vec<f64>, SpaceError> {
                    if args.len() != n {
                        return Err(space_err(format!(
                            "-p {name}: {f}(...) takes {n} arguments, got {}",
                            args.len()
                        )));
                    }
                    args.iter().map(|a| number(name, a)).collect()
                };
                match f {
                    "choice" => ParamKind::Choice(args.iter().map(|a| literal(a)).collect()),
                    "uniform" => {
                        let v = nums(2)?;
                        ParamKind::Uniform { lo: v[0], hi: v[1] }
                    }
                    "loguniform" => {
                        let v = nums(2)?;
                        ParamKind::LogUniform { lo: v[0], hi: v[1] }
                    }
                    "int" => {
                        let v = nums(2)?;
                        ParamKind::Int {
                            lo: v[0] as i64,
                            hi: v[1] as i64,
                        }
                    }
                    _ => {
                        return Err(space_err(format!(
                            "-p {name}: unknown function {f:?} at position 0"
                        )))
                    }
                }
            }
            _ if spec.contains('(') => {
                return Err(space_err(format!("-p {name}: unclosed '(' in {spec:?}")))
            }
            _ => ParamKind::Const(literal(spec)),
        };
        Ok(Param {
            name: name.to_string(),
            kind,
        })
    }

    fn domain(&self) -> Result<Domain, SpaceError> {
        let bad = |e: crate::error::Error| space_err(format!("-p {}: {e}", self.name));
        match &self.kind {
            ParamKind::Choice(v) => Domain::discrete(v.clone()).map_err(bad),
            ParamKind::Uniform { lo, hi } => Domain::real(*lo, *hi).map_err(bad),
            ParamKind::LogUniform { lo, hi } => Domain::log_real(*lo, *hi).map_err(bad),
            ParamKind::Int { lo, hi } => Domain::int(*lo, *hi).map_err(bad),
            ParamKind::Const(v) => Domain::discrete([v.clone()]).map_err(bad),
            _ => Err(space_err(format!(
                "-p {}: not supported by the stand-in",
                self.name
            ))),
        }
    }
}

impl Space {
    /// Parses every `-p NAME=SPEC`. // stand-in until tune-space merges
    pub fn from_args(args: &[String]) -> Result<Space, SpaceError> {
        let mut params: Vec<Param> = Vec::new();
        for a in args {
            let p = Param::parse_arg(a)?;
            if params.iter().any(|q| q.name == p.name) {
                return Err(space_err(format!("-p {}: given twice", p.name)));
            }
            p.domain()?;
            params.push(p);
        }
        Ok(Space { params })
    }

    /// One line per parameter. // stand-in until tune-space merges
    pub fn describe(&self) -> String {
        self.params
            .iter()
            .map(|p| format!("{}: {:?}\n", p.name, p.kind))
            .collect()
    }

    /// Trial `index` of `seed`. // stand-in until tune-space merges
    pub fn sample(&self, seed: u64, index: u64) -> Trial {
        let mut rng = SplitMix64::new(seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut t = Trial::new();
        for p in &self.params {
            if let Ok(d) = p.domain() {
                t.insert(p.name.clone(), d.sample(&mut rng));
            }
        }
        t
    }

    /// Every combination (last parameter fastest). // stand-in until tune-space merges
    pub fn grid(&self) -> Result<Vec<Trial>, SpaceError> {
        let mut out = vec![Trial::new()];
        for p in &self.params {
            let values = match &p.kind {
                ParamKind::Choice(v) => v.clone(),
                ParamKind::Const(v) => vec![v.clone()],
                ParamKind::Int { lo, hi } => (*lo..=*hi).map(HParamValue::Int).collect(),
                _ => {
                    return Err(space_err(format!(
                        "--method grid: parameter {} is continuous",
                        p.name
                    )))
                }
            };
            out = out
                .into_iter()
                .flat_map(|t| {
                    values
                        .iter()
                        .map(move |v| t.clone().with(p.name.clone(), v.clone()))
                })
                .collect();
        }
        Ok(out)
    }

    /// The experiment: one hparam per parameter, the objective first, then
    /// `other_metrics`. // stand-in until tune-space merges
    pub fn experiment_config(
        &self,
        objective: &Objective,
        other_metrics: &[String],
    ) -> ExperimentConfig {
        let mut cfg = ExperimentConfig::new();
        for p in &self.params {
            cfg = cfg.hparam(match p.domain() {
                Ok(d) => HParam::new(p.name.clone(), d),
                Err(_) => HParam::free(p.name.clone()),
            });
        }
        let mut seen = std::collections::HashSet::new();
        for m in std::iter::once(&objective.name).chain(other_metrics) {
            if seen.insert(m.clone()) {
                let (g, t) = split_metric(m);
                cfg = cfg.metric(Metric::new(t).group(g));
            }
        }
        cfg
    }

    /// A hash of the canonical space. // stand-in until tune-space merges
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("{:?}", self.params).as_bytes());
        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }
}

impl SpaceFile {
    /// Reads a space file. // stand-in until tune-space merges
    pub fn load(path: &Path) -> Result<SpaceFile, SpaceError> {
        Err(space_err(format!(
            "{}: space files are not supported yet",
            path.display()
        )))
    }
}

/// A value as a command-line word (ints as ints). // stand-in until tune-space merges
pub fn format_value(v: &HParamValue) -> String {
    match v {
        HParamValue::Bool(b) => b.to_string(),
        HParamValue::Int(i) => i.to_string(),
        HParamValue::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.1}"),
        HParamValue::Float(x) => x.to_string(),
        HParamValue::Str(s) => s.clone(),
    }
}
