//! How the searches see a [`Space`]: every parameter as one internal
//! coordinate, where distances mean something to a model.
//!
//! * `uniform(lo,hi)`: the value itself, on [lo, hi].
//! * `loguniform(lo,hi)`: ln(value), on [ln lo, ln hi] (Optuna's `log=True`).
//! * `int`, `range`, `quniform`: the index k of the value on its grid
//!   (0 ≤ k < n), a number with step 1: `int(lo,hi)` is lo + k,
//!   `range(start,stop,step)` is start + k·step, `quniform(lo,hi,q)` is
//!   (round(lo/q) + k)·q. Models treat k as a real number with step 1
//!   (Optuna's `step=`) and round.
//! * `choice(…)`: the index of the choice, unordered (categorical).
//! * `steps(lo,hi,step)` (Katib's step): a grid like `range`, hi included;
//!   `qloguniform(lo,hi,q)`: the grid of multiples of q in [lo, hi].
//! * `normal`/`lognormal` (unbounded): a real on μ ± 3σ (of ln x for the
//!   log-normal), unquantised.
//! * a constant: no coordinate; it is copied into every trial.
//!
//! A `range` whose start and step are whole numbers gives integers, every
//! other grid gives floats.

use crate::hparams::HParamValue;
use crate::rng::SplitMix64;
use crate::trainer::Trial;
use crate::tune::space::{ParamKind, Space};

/// One parameter's coordinate.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Dim {
    /// A real number u on [lo, hi]; the value is u, or e^u when `log`.
    Real { lo: f64, hi: f64, log: bool },
    /// Index k in 0..n of a grid value `first + k·step`, an integer when `int`.
    Grid {
        n: u64,
        first: f64,
        step: f64,
        int: bool,
    },
    /// Index into the choices.
    Cat(Vec<HParamValue>),
}

/// A coordinate's value: a real (for `Real`, and an integral real for `Grid`)
/// or a choice index.
pub(crate) type Coord = f64;

/// The space as coordinates: the searched dims with their names, and the
/// constants.
#[derive(Clone, Debug)]
pub(crate) struct Dims {
    /// Searched parameters, in the space's order.
    pub dims: Vec<(String, Dim)>,
    /// Constant parameters.
    pub consts: Vec<(String, HParamValue)>,
}

impl Dim {
    /// The coordinate's bounds for a model: [lo, hi] and the step (0 for
    /// a real). A categorical has none (it is never called for one).
    pub fn bounds(&self) -> (f64, f64, f64) {
        match self {
            Dim::Real { lo, hi, log: false } => (*lo, *hi, 0.0),
            Dim::Real { lo, hi, log: true } => (lo.ln(), hi.ln(), 0.0),
            Dim::Grid { n, .. } => (0.0, n.saturating_sub(1) as f64, 1.0),
            Dim::Cat(c) => (0.0, c.len().saturating_sub(1) as f64, 1.0),
        }
    }

    /// Number of distinct values; `None` for a real.
    pub fn cardinality(&self) -> Option<u64> {
        match self {
            Dim::Real { .. } => None,
            Dim::Grid { n, .. } => Some(*n),
            Dim::Cat(c) => Some(c.len() as u64),
        }
    }

    /// A uniform draw of the coordinate.
    pub fn random(&self, rng: &mut SplitMix64) -> Coord {
        match self.cardinality() {
            Some(n) => rng.below(n) as f64,
            None => {
                let (lo, hi, _) = self.bounds();
                lo + (hi - lo) * rng.next_f64()
            }
        }
    }

    /// Snaps a model's coordinate into the dim: clamps to the bounds and,
    /// for a grid or choice, rounds to the nearest index.
    pub fn snap(&self, u: f64) -> Coord {
        let (lo, hi, step) = self.bounds();
        let u = if u.is_nan() { lo } else { u.clamp(lo, hi) };
        if step > 0.0 {
            u.round()
        } else {
            u
        }
    }

    /// The hparam value at a coordinate (snapped first).
    pub fn value(&self, u: Coord) -> HParamValue {
        let u = self.snap(u);
        match self {
            Dim::Real { lo, hi, log } => {
                let x = if *log { u.exp() } else { u };
                HParamValue::Float(x.clamp(*lo, *hi))
            }
            Dim::Grid {
                first, step, int, ..
            } => {
                let k = u as i64;
                if *int {
                    HParamValue::Int((*first as i64).saturating_add(k.saturating_mul(*step as i64)))
                } else {
                    HParamValue::Float(first + k as f64 * step)
                }
            }
            Dim::Cat(choices) => choices
                .get(u as usize)
                .cloned()
                .unwrap_or(HParamValue::Float(f64::NAN)),
        }
    }

    /// The coordinate of a value, `None` if the value is not in the dim
    /// (another space, a warm start from elsewhere, a missing number).
    pub fn coord(&self, v: &HParamValue) -> Option<Coord> {
        match self {
            Dim::Real { lo, hi, log } => {
                let x = v.as_f64()?;
                let tol = 1e-9 * (hi - lo).abs().max(1e-300);
                if !(x >= lo - tol && x <= hi + tol) {
                    return None;
                }
                let x = x.clamp(*lo, *hi);
                Some(if *log { x.ln() } else { x })
            }
            Dim::Grid { n, first, step, .. } => {
                let x = v.as_f64()?;
                let k = (x - first) / step;
                let r = k.round();
                ((k - r).abs() < 1e-6 && r >= 0.0 && r < *n as f64).then_some(r)
            }
            Dim::Cat(choices) => choices
                .iter()
                .position(|c| same_value(c, v))
                .map(|i| i as f64),
        }
    }
}

/// Equal hparam values, numbers compared as numbers (`8` and `8.0` match:
/// values read back from logs are always floats).
pub(crate) fn same_value(a: &HParamValue, b: &HParamValue) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

impl Dims {
    /// The coordinates of a space.
    pub fn new(space: &Space) -> Self {
        let mut dims = Vec::new();
        let mut consts = Vec::new();
        for p in &space.params {
            match dim_of(&p.kind) {
                Ok(d) => dims.push((p.name.clone(), d)),
                Err(v) => consts.push((p.name.clone(), v)),
            }
        }
        Dims { dims, consts }
    }

    /// Number of searched coordinates.
    pub fn len(&self) -> usize {
        self.dims.len()
    }

    /// A trial's coordinates, `None` for a parameter it lacks or whose value
    /// is outside the space.
    pub fn coords(&self, t: &Trial) -> Vec<Option<Coord>> {
        self.dims
            .iter()
            .map(|(name, d)| t.get(name).and_then(|v| d.coord(v)))
            .collect()
    }

    /// The trial at full coordinates (snapped into the space), constants
    /// included.
    pub fn trial(&self, x: &[Coord]) -> Trial {
        let mut t = Trial::new();
        for ((name, d), u) in self.dims.iter().zip(x) {
            t.insert(name.clone(), d.value(*u));
        }
        for (name, v) in &self.consts {
            t.insert(name.clone(), v.clone());
        }
        t
    }

    /// A uniform draw of every coordinate.
    pub fn random(&self, rng: &mut SplitMix64) -> Vec<Coord> {
        self.dims.iter().map(|(_, d)| d.random(rng)).collect()
    }

    /// Number of points when every dim is discrete, `None` otherwise (or
    /// beyond u64).
    pub fn finite_size(&self) -> Option<u64> {
        self.dims.iter().try_fold(1u64, |acc, (_, d)| {
            d.cardinality().and_then(|n| acc.checked_mul(n))
        })
    }

    /// Point number `i` of a finite space (mixed radix, last dim fastest).
    pub fn nth_point(&self, mut i: u64) -> Vec<Coord> {
        let mut x = vec![0.0; self.dims.len()];
        for (slot, (_, d)) in x.iter_mut().zip(&self.dims).rev() {
            let n = d.cardinality().unwrap_or(1).max(1);
            *slot = (i % n) as f64;
            i /= n;
        }
        x
    }
}

/// The dim of a parameter, or the constant it always takes.
fn dim_of(kind: &ParamKind) -> Result<Dim, HParamValue> {
    match kind {
        ParamKind::Const(v) => Err(v.clone()),
        ParamKind::Choice(c) if c.len() == 1 => Err(c[0].clone()),
        ParamKind::Choice(c) => Ok(Dim::Cat(c.clone())),
        // An empty interval is the constant lo (a space parser rejects it).
        ParamKind::Uniform { lo, hi } | ParamKind::LogUniform { lo, hi }
            if hi <= lo || hi.is_nan() || lo.is_nan() =>
        {
            Err(HParamValue::Float(*lo))
        }
        ParamKind::Uniform { lo, hi } => Ok(Dim::Real {
            lo: *lo,
            hi: *hi,
            log: false,
        }),
        ParamKind::LogUniform { lo, hi } => Ok(Dim::Real {
            lo: *lo,
            hi: *hi,
            // A space parser rejects lo ≤ 0; never take ln of it here.
            log: *lo > 0.0,
        }),
        ParamKind::Int { lo, hi } => Ok(Dim::Grid {
            n: (hi.saturating_sub(*lo)).max(0) as u64 + 1,
            first: *lo as f64,
            step: 1.0,
            int: true,
        }),
        ParamKind::Range { start, stop, step } => {
            let ratio = (stop - start) / step;
            let n = if ratio.is_finite() && ratio > 0.0 {
                (ratio - 1e-9).ceil() as u64
            } else {
                0
            };
            let int = start.fract() == 0.0 && step.fract() == 0.0;
            if n <= 1 {
                return Err(grid_value(*start, int));
            }
            Ok(Dim::Grid {
                n,
                first: *start,
                step: *step,
                int,
            })
        }
        ParamKind::QUniform { lo, hi, q } => {
            let (a, b) = ((lo / q).round(), (hi / q).round());
            if b <= a || b.is_nan() || a.is_nan() {
                return Err(HParamValue::Float(a * q));
            }
            Ok(Dim::Grid {
                n: (b - a) as u64 + 1,
                first: a * q,
                step: *q,
                int: false,
            })
        }
        ParamKind::Stepped { lo, hi, step } => {
            let ratio = (hi - lo) / step;
            let n = if ratio.is_finite() && ratio >= 0.0 {
                (ratio + 1e-9).floor() as u64 + 1
            } else {
                1
            };
            let int = lo.fract() == 0.0 && step.fract() == 0.0;
            if n <= 1 {
                return Err(grid_value(*lo, int));
            }
            Ok(Dim::Grid {
                n,
                first: *lo,
                step: *step,
                int,
            })
        }
        // The multiples of q in [lo, hi], searched as a grid (the log
        // density of the draw is random search's, not the models').
        ParamKind::QLogUniform { lo, hi, q } => dim_of(&ParamKind::Stepped {
            lo: (lo / q).ceil() * q,
            hi: (hi / q).floor() * q,
            step: *q,
        }),
        // Unbounded draws: the models search μ ± 3σ (of ln x for the
        // log-normal), unquantised.
        ParamKind::Normal { mu, sigma, .. } => dim_of(&ParamKind::Uniform {
            lo: mu - 3.0 * sigma,
            hi: mu + 3.0 * sigma,
        }),
        ParamKind::LogNormal { mu, sigma, .. } => dim_of(&ParamKind::LogUniform {
            lo: (mu - 3.0 * sigma).exp(),
            hi: (mu + 3.0 * sigma).exp(),
        }),
    }
}

fn grid_value(x: f64, int: bool) -> HParamValue {
    if int {
        HParamValue::Int(x as i64)
    } else {
        HParamValue::Float(x)
    }
}
