//! Search spaces: one [`Param`] per hparam, parsed from `-p NAME=SPEC` or a
//! space file, sampled at random (trial `i` of a seed always gets the same
//! values) or enumerated as a grid.
//!
//! The SPEC grammar (`choice(a,b)`, `uniform(lo,hi)`, `int(lo,hi)`, …) is
//! in [`spec`](self) and documented in `docs/tune.md`; the space-file
//! dialects (W&B sweeps, NNI search spaces, Katib Experiments) are read by
//! [`SpaceFile::load`], each keeping its own bound and log conventions.
//!
//! Bounds, in one place: `uniform`, `loguniform`, `int`, `quniform`,
//! `qloguniform` and `steps` include both ends; `range` excludes its stop.
//!
//! ```
//! use hp_report::tune::space::{format_value, Space};
//!
//! let args = ["batch=choice(16, 32)".to_string(), "units=int(1, 3)".to_string()];
//! let space = Space::from_args(&args).unwrap();
//! let grid = space.grid().unwrap(); // 2 × 3 trials, `batch` varying slowest
//! assert_eq!(grid.len(), 6);
//! assert_eq!(format_value(grid[0].get("batch").unwrap()), "16");
//! // Trial 7 of seed 42 is the same whenever it is drawn.
//! assert_eq!(space.sample(42, 7), space.sample(42, 7));
//! ```

mod doc;
mod draw;
mod file;
mod katib;
mod nni;
mod spec;
mod wandb;

use std::fmt::Write as _;
use std::path::Path;

use crate::hparams::{ExperimentConfig, HParam, HParamValue, Metric};
use crate::trainer::{Trial, MAX_TRIALS};

use super::metrics::Strategy;

/// What values one hparam may take.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamKind {
    /// `choice(a,b,…)`: one of the listed values (numbers, strings or bools).
    Choice(Vec<HParamValue>),
    /// `uniform(lo,hi)`: a real number, uniform on [lo, hi].
    Uniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// `loguniform(lo,hi)`: a real number, uniform in log space on [lo, hi], 0 < lo.
    LogUniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// `int(lo,hi)`: an integer, both ends included.
    Int {
        /// Lower end.
        lo: i64,
        /// Upper end.
        hi: i64,
    },
    /// `range(start,stop[,step])`: start, start+step, … below stop (stop excluded).
    Range {
        /// First value.
        start: f64,
        /// End, excluded.
        stop: f64,
        /// Distance between values.
        step: f64,
    },
    /// `quniform(lo,hi,q)`: round(uniform(lo,hi)/q)*q.
    QUniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
        /// Quantum: values are rounded to a multiple of it.
        q: f64,
    },
    /// A constant.
    Const(HParamValue),
    /// `qloguniform(lo,hi,q)`: clip(round(loguniform(lo,hi)/q)*q, lo, hi)
    /// (NNI `qloguniform`, W&B `q_log_uniform_values`).
    QLogUniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
        /// Quantum: values are rounded to a multiple of it.
        q: f64,
    },
    /// `steps(lo,hi,step)`: lo, lo+step, … up to hi, both ends included
    /// when hi is on the grid (Katib's `feasibleSpace.step`).
    Stepped {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
        /// Distance between values.
        step: f64,
    },
    /// `normal(mu,sigma)` / `qnormal(mu,sigma,q)`: a normal draw, rounded
    /// to a multiple of `q` if given. Unbounded: random search only.
    Normal {
        /// Mean (of the log, for `LogNormal`).
        mu: f64,
        /// Standard deviation (of the log, for `LogNormal`).
        sigma: f64,
        /// Quantum: rounded to a multiple of it when given.
        q: Option<f64>,
    },
    /// `lognormal(mu,sigma)` / `qlognormal(mu,sigma,q)`: exp of a normal
    /// draw, rounded to a multiple of `q` if given. Random search only.
    LogNormal {
        /// Mean (of the log, for `LogNormal`).
        mu: f64,
        /// Standard deviation (of the log, for `LogNormal`).
        sigma: f64,
        /// Quantum: rounded to a multiple of it when given.
        q: Option<f64>,
    },
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

/// Which kind of space file [`SpaceFile::load`] recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// A W&B sweep (YAML or JSON), our native format.
    Wandb,
    /// An NNI search-space JSON (`{"lr": {"_type": …, "_value": …}}`).
    Nni,
    /// An NNI experiment config with `searchSpace` or `searchSpaceFile`.
    NniConfig,
    /// A Katib `Experiment` resource.
    Katib,
}

impl Dialect {
    /// A short name for messages and `--print-space`.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Wandb => "W&B sweep",
            Dialect::Nni => "NNI search space",
            Dialect::NniConfig => "NNI experiment config",
            Dialect::Katib => "Katib Experiment",
        }
    }
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
    /// The dialect recognised (`None` only for a default-built value).
    pub dialect: Option<Dialect>,
    /// W&B `program` (what W&B's `${program}` macro stands for).
    pub program: Option<String>,
    /// Katib `additionalMetricNames`: metrics to declare beside the objective.
    pub other_metrics: Vec<String>,
    /// How the objective is reduced over a trial's values, when the file
    /// says or implies it (Katib `metricStrategies`; Katib's default is
    /// `min` for minimize and `max` for maximize).
    pub strategy: Option<Strategy>,
    /// Things understood differently or ignored, one line each (e.g. W&B
    /// `log_uniform` bounds taken as natural logarithms).
    pub warnings: Vec<String>,
}

/// A malformed SPEC or space file: which parameter, where, and what is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct SpaceError {
    /// The whole message, naming the parameter and the position.
    pub message: String,
}

impl SpaceError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        SpaceError {
            message: message.into(),
        }
    }
}

/// The most trials [`Space::grid`] enumerates; a larger grid is an error.
pub const MAX_GRID: usize = MAX_TRIALS;

/// A value as it is substituted into `{name}` placeholders and `HP_<NAME>`
/// variables: integers without a fraction (`32`), other numbers in their
/// shortest exact decimal form without an exponent (`0.001`, `0.00001`),
/// bools as `true`/`false`, strings as they are.
pub fn format_value(v: &HParamValue) -> String {
    match v {
        HParamValue::Bool(b) => b.to_string(),
        HParamValue::Int(i) => i.to_string(),
        HParamValue::Float(x) => x.to_string(),
        HParamValue::Str(s) => s.clone(),
    }
}

/// The TensorBoard metric a reported name stands for: `group/tag` splits at
/// the last `/` (`validation/epoch_loss` is tag `epoch_loss` of the
/// session's `validation` sub-run, as Keras writes it); a name without `/`
/// is a tag of the session's own run (group "").
///
/// The runner writes a stdout metric under the same split, so a declared
/// metric and the scalars written for it always meet.
pub fn metric_group_tag(name: &str) -> (&str, &str) {
    match name.rsplit_once('/') {
        Some((g, t)) if !g.is_empty() && !t.is_empty() => (g, t),
        _ => ("", name),
    }
}

/// The environment variable of hparam `name`: `HP_` + the name in upper
/// case, characters other than ASCII letters and digits as `_`.
pub fn env_var_of(name: &str) -> String {
    let upper: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("HP_{upper}")
}

impl Param {
    /// Parses `NAME=SPEC` (the `-p` argument).
    ///
    /// NAME is letters, digits, `_`, `-` and `.`; SPEC is
    /// `choice(a,b,…)`, `uniform(lo,hi)`, `loguniform(lo,hi)`, `int(lo,hi)`,
    /// `range(start,stop[,step])`, `quniform(lo,hi,q)`, `qloguniform(lo,hi,q)`,
    /// `steps(lo,hi,step)`, `normal(mu,sigma)`, `qnormal(mu,sigma,q)`,
    /// `lognormal(mu,sigma)`, `qlognormal(mu,sigma,q)`, or a constant.
    pub fn parse_arg(arg: &str) -> Result<Param, SpaceError> {
        let Some((name, spec)) = arg.split_once('=') else {
            return Err(SpaceError::new(format!(
                "-p {arg:?}: expected NAME=SPEC, e.g. lr='loguniform(1e-5,1e-1)'"
            )));
        };
        check_name(name).map_err(|why| SpaceError::new(format!("-p {arg:?}: {why}")))?;
        Ok(Param {
            name: name.to_string(),
            kind: spec::parse_spec(name, spec)?,
        })
    }

    /// The environment variable that carries the value: `HP_` and the
    /// name in upper case, other characters than letters and digits as `_`
    /// (`batch-size` → `HP_BATCH_SIZE`).
    pub fn env_var(&self) -> String {
        env_var_of(&self.name)
    }

    /// The parameter as a SPEC that [`Param::parse_arg`] reads back to the
    /// same parameter (numbers in shortest round-trip form).
    pub fn spec(&self) -> String {
        spec::to_spec(&self.kind)
    }
}

/// Checks a parameter name: non-empty, letters, digits, `_`, `-`, `.`.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the parameter name is empty".into());
    }
    if let Some((i, c)) = name
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Err(format!(
            "parameter name {name:?} has {c:?} at character {}; names use letters, digits, '_', '-' and '.'",
            i + 1
        ));
    }
    Ok(())
}

impl Space {
    /// The space of the `-p NAME=SPEC` arguments, in order; a name given
    /// twice is an error.
    pub fn from_args(args: &[String]) -> Result<Space, SpaceError> {
        let mut space = Space::default();
        for arg in args {
            space.push(Param::parse_arg(arg)?)?;
        }
        Ok(space)
    }

    /// Adds a parameter; an error if its name is taken.
    pub fn push(&mut self, p: Param) -> Result<(), SpaceError> {
        if self.get(&p.name).is_some() {
            return Err(SpaceError::new(format!(
                "parameter {:?} is given twice",
                p.name
            )));
        }
        self.params.push(p);
        Ok(())
    }

    /// Sets a parameter: replaces the one with its name in place, or adds
    /// it at the end (a `-p` given beside `--space` wins over the file).
    pub fn set(&mut self, p: Param) {
        match self.params.iter_mut().find(|q| q.name == p.name) {
            Some(q) => *q = p,
            None => self.params.push(p),
        }
    }

    /// The parameter called `name`.
    pub fn get(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// What `--print-space` shows: one line per parameter with its kind,
    /// bounds, scale and the number of grid points (or `continuous`), then
    /// the grid's size when every parameter is finite.
    pub fn describe(&self) -> String {
        let rows: Vec<[String; 5]> = self.params.iter().map(draw::describe_row).collect();
        let mut widths = [0usize; 5];
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let mut out = String::new();
        for r in &rows {
            let mut line = String::new();
            for (i, (c, w)) in r.iter().zip(widths).enumerate() {
                if i + 1 == r.len() {
                    line.push_str(c);
                } else {
                    let _ = write!(line, "{c:<w$}  ");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        match self.grid_size() {
            Some(n) => {
                let _ = writeln!(out, "grid: {n} trials");
            }
            None if self.params.is_empty() => out.push_str("no parameters\n"),
            None => out.push_str("grid: not finite (continuous parameters): random search\n"),
        }
        out
    }

    /// The number of grid trials, `None` when a parameter is continuous.
    pub fn grid_size(&self) -> Option<u128> {
        self.params.iter().try_fold(1u128, |n, p| {
            draw::grid_len(&p.kind).map(|k| n.saturating_mul(k))
        })
    }

    /// Trial `index` of a random search with `seed`: each value depends
    /// only on (seed, index, the parameter's name and kind), never on how
    /// many trials were drawn before or on the order of the parameters.
    pub fn sample(&self, seed: u64, index: u64) -> Trial {
        let mut t = Trial::new();
        for p in &self.params {
            let mut rng = draw::rng_for(seed, index, &p.name);
            t.insert(p.name.clone(), draw::sample(&p.kind, &mut rng));
        }
        t
    }

    /// Every combination of the parameters' values, the first parameter
    /// varying slowest. A continuous parameter is an error naming it, and so
    /// is a grid of more than [`MAX_GRID`] trials.
    pub fn grid(&self) -> Result<Vec<Trial>, SpaceError> {
        let mut total: u128 = 1;
        for p in &self.params {
            let Some(n) = draw::grid_len(&p.kind) else {
                return Err(SpaceError::new(format!(
                    "grid: parameter {:?} is continuous ({}); give it choice(…), int(…), range(…), \
                     steps(…) or quniform(…), or use --method random",
                    p.name,
                    p.spec()
                )));
            };
            total = total.saturating_mul(n);
            if total > MAX_GRID as u128 {
                return Err(SpaceError::new(format!(
                    "grid: more than {MAX_GRID} trials (at parameter {:?}, {} values); \
                     use fewer values or --method random",
                    p.name, n
                )));
            }
        }
        let mut trials = vec![Trial::new()];
        for p in &self.params {
            let values = draw::grid_values(&p.kind);
            let mut next = Vec::with_capacity(trials.len() * values.len());
            for t in &trials {
                for v in &values {
                    let mut t = t.clone();
                    t.insert(p.name.clone(), v.clone());
                    next.push(t);
                }
            }
            trials = next;
        }
        Ok(trials)
    }

    /// The experiment config for `_hparams_/experiment`: one hparam per
    /// parameter with its domain, then the objective and `other_metrics`
    /// (duplicates dropped) as metrics.
    ///
    /// Domains: `choice` and constants → discrete; `uniform`/`loguniform` →
    /// real interval; `int` → integer interval; `range`, `steps`,
    /// `quniform`, `qloguniform` → the discrete list of their grid points
    /// (an interval over their extremes when there are more than
    /// [`MAX_DISCRETE`]); `normal`/`lognormal` → no domain (TensorBoard
    /// shows the values seen). Metric names split by [`metric_group_tag`].
    pub fn experiment_config(
        &self,
        objective: &Objective,
        other_metrics: &[String],
    ) -> ExperimentConfig {
        let mut cfg = ExperimentConfig::new();
        for p in &self.params {
            let domain = draw::domain(&p.kind);
            cfg = cfg.hparam(match domain {
                Some(d) => HParam::new(p.name.clone(), d),
                None => HParam::free(p.name.clone()),
            });
        }
        let mut seen: Vec<&str> = Vec::new();
        for name in std::iter::once(&objective.name).chain(other_metrics) {
            if seen.contains(&name.as_str()) {
                continue;
            }
            seen.push(name);
            let (group, tag) = metric_group_tag(name);
            cfg = cfg.metric(Metric::new(tag).group(group));
        }
        cfg
    }

    /// A stable canonical text of the space, one `name=SPEC` line per
    /// parameter in order, behind a version line. `--resume` compares it
    /// with the one stored in the experiment to refuse a changed space.
    pub fn fingerprint(&self) -> String {
        let mut s = String::from("hp-report tune space v1\n");
        for p in &self.params {
            let _ = writeln!(s, "{}={}", p.name, p.spec());
        }
        s
    }
}

/// The most points a stepped parameter (`range`, `steps`, `quniform`, …)
/// declares as a discrete domain; more are declared as an interval.
pub const MAX_DISCRETE: u128 = 1000;

impl SpaceFile {
    /// Reads a space file, detecting its dialect by content: a Katib
    /// `Experiment` (`spec.parameters`), an NNI experiment config
    /// (`searchSpace`/`searchSpaceFile`), a W&B sweep (`parameters`), or an
    /// NNI search space (every entry has `_type` and `_value`). YAML or JSON.
    pub fn load(path: &Path) -> Result<SpaceFile, SpaceError> {
        file::load(path)
    }
}

#[cfg(test)]
mod tests;
