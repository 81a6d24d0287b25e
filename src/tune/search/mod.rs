//! Model-based search and early stopping, as a library the runner calls.
//!
//! Every search is a [`Sampler`]: a pure function from (space, seed, trial
//! index, finished trials, running trials, direction) to the next trial. It
//! keeps no state between calls, so a runner that persists its own journal
//! and resumes gets the same proposals from the same history. Every method
//! proposes only points inside the space and never a copy of a running
//! trial (when the space has a point left that is not running).
//!
//! * [`Tpe`]: tree-structured Parzen estimators, Optuna's algorithm
//!   (`--method tpe`).
//! * [`CmaEs`]: CMA-ES whose state is replayed from the history
//!   (`--method cmaes`).
//! * [`Gp`]: Gaussian-process Bayesian optimisation with expected
//!   improvement (`--method gp`).
//! * [`RandomSearch`]: uniform draws, the baseline the benchmark compares
//!   with.
//! * [`warm`]: earlier results from hparams logdirs as prior observations
//!   (`--warm-start`).
//! * [`stopping`]: ASHA, Hyperband and median early-stopping rules as pure
//!   functions over the values trials reported so far ([`Rule`]).
//!
//! How each parameter kind becomes a coordinate a model can use (log scale,
//! grids, categoricals) is described in the `dims` module source; the
//! benchmark problems are in [`problems`].

mod cmaes;
pub(crate) mod dims;
mod gp;
mod math;
pub mod problems;
pub mod stopping;
mod tpe;
pub mod warm;

pub use cmaes::CmaEs;
pub use gp::Gp;
pub use stopping::{Decision, EarlyStopError, Evidence, Reports, Rule};
pub use tpe::Tpe;
pub use warm::WarmStart;

use crate::rng::SplitMix64;
use crate::trainer::Trial;
use crate::tune::space::Space;
use dims::{Coord, Dims};

/// A trial that ended, as a search sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// The values the trial ran with.
    pub trial: Trial,
    /// Its objective; `None` when it failed or reported none. A NaN counts
    /// as `None`.
    pub value: Option<f64>,
}

/// A search method: proposes the next trial from the history alone.
///
/// Deterministic: the same `(space, seed, index, done, running, minimize)`
/// gives the same trial. `done` should be in the order the trials were
/// started (trial index order), so a resumed run sees the same history in
/// the same order.
pub trait Sampler {
    /// The trial to run as trial number `index` of the experiment with this
    /// `seed`, given the trials that ended (`done`) and those still running.
    fn suggest(
        &self,
        space: &Space,
        seed: u64,
        index: u64,
        done: &[Observation],
        running: &[Trial],
        minimize: bool,
    ) -> Trial;
}

/// The sampler for a `--method` name (`tpe`, `gp`, `cmaes`, `random`), `None` for
/// any other name.
pub fn sampler(method: &str) -> Option<Box<dyn Sampler + Send + Sync>> {
    match method {
        "tpe" => Some(Box::new(Tpe::default())),
        "cmaes" => Some(Box::new(CmaEs::default())),
        "gp" => Some(Box::new(Gp::default())),
        "random" => Some(Box::new(RandomSearch)),
        _ => None,
    }
}

/// Uniform random search over the coordinates (log scale for `loguniform`),
/// the baseline the benchmark compares against. The runner's `--method
/// random` uses the space's own sampler.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomSearch;

impl Sampler for RandomSearch {
    fn suggest(
        &self,
        space: &Space,
        seed: u64,
        index: u64,
        _done: &[Observation],
        running: &[Trial],
        _minimize: bool,
    ) -> Trial {
        let dims = Dims::new(space);
        let mut rng = rng_for(seed, index, 0);
        let first = dims.random(&mut rng);
        avoid_running(&dims, running, &mut rng, first, |r| dims.random(r))
    }
}

/// The generator for trial `index` of `seed`, `salt` separating methods.
pub(crate) fn rng_for(seed: u64, index: u64, salt: u64) -> SplitMix64 {
    let a = SplitMix64::new(seed).next_u64();
    let b = SplitMix64::new(index ^ 0x5bd1_e995_d192_ed03).next_u64();
    SplitMix64::new(a ^ b ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// Trial `index` of a Latin hypercube of `n` points for `seed`: each
/// coordinate's range is cut into `n` strata and every stratum is used by
/// exactly one of the `n` trials (a per-dim permutation derived from the
/// seed), the point uniform inside its stratum. A start design that covers
/// the space more evenly than `n` independent draws.
pub(crate) fn latin_hypercube(dims: &Dims, seed: u64, index: u64, n: u64) -> Vec<Coord> {
    let mut jitter = rng_for(seed, index, 3);
    dims.dims
        .iter()
        .enumerate()
        .map(|(d, (_, dim))| {
            let mut perm_rng = rng_for(seed, d as u64, 4);
            let mut perm: Vec<u64> = (0..n).collect();
            for i in (1..perm.len()).rev() {
                let j = perm_rng.below(i as u64 + 1) as usize;
                perm.swap(i, j);
            }
            let stratum = perm.get(index as usize).copied().unwrap_or(0);
            let u = (stratum as f64 + jitter.next_f64()) / n as f64;
            match dim.cardinality() {
                Some(c) => ((u * c as f64).floor()).min(c.saturating_sub(1) as f64),
                None => {
                    let (lo, hi, _) = dim.bounds();
                    lo + u * (hi - lo)
                }
            }
        })
        .collect()
}

/// A trial of the start design, before a model has data: trial `index`
/// of the Latin hypercube of the first `n`, a uniform draw after them; never
/// a copy of a running trial.
pub(crate) fn start_design(
    dims: &Dims,
    seed: u64,
    index: u64,
    n: u64,
    running: &[Trial],
    rng: &mut SplitMix64,
) -> Trial {
    let first = if index < n {
        latin_hypercube(dims, seed, index, n)
    } else {
        dims.random(rng)
    };
    avoid_running(dims, running, rng, first, |r| dims.random(r))
}

/// How many of `done` have a finite objective.
pub(crate) fn completed(done: &[Observation], minimize: bool) -> usize {
    done.iter()
        .filter(|o| loss(o.value, minimize).is_some())
        .count()
}

/// A finite objective in "smaller is better" form, `None` for a failure.
pub(crate) fn loss(value: Option<f64>, minimize: bool) -> Option<f64> {
    let v = value.filter(|v| !v.is_nan())?;
    Some(if minimize { v } else { -v })
}

/// The trial at `first`, unless it equals a running trial: then `again`
/// draws replacements (16 tries), then uniform draws (64 tries), then, in a
/// finite space, the first point that is not running. Only a finite space
/// whose every point is running gets a duplicate.
pub(crate) fn avoid_running(
    dims: &Dims,
    running: &[Trial],
    rng: &mut SplitMix64,
    first: Vec<Coord>,
    mut again: impl FnMut(&mut SplitMix64) -> Vec<Coord>,
) -> Trial {
    let taken: Vec<Vec<Option<Coord>>> = running.iter().map(|t| dims.coords(t)).collect();
    let snap = |x: Vec<Coord>| -> Vec<Coord> {
        x.iter()
            .zip(&dims.dims)
            .map(|(u, (_, d))| d.snap(*u))
            .collect()
    };
    let is_taken = |x: &[Coord]| {
        taken
            .iter()
            .any(|t| t.iter().zip(x).all(|(a, b)| *a == Some(*b)))
    };
    let mut x = snap(first);
    for attempt in 0..80 {
        if !is_taken(&x) {
            return dims.trial(&x);
        }
        x = snap(if attempt < 16 {
            again(rng)
        } else {
            dims.random(rng)
        });
    }
    if let Some(n) = dims.finite_size() {
        if let Some(free) = (0..n.min(1 << 20))
            .map(|i| dims.nth_point(i))
            .find(|p| !is_taken(p))
        {
            return dims.trial(&free);
        }
    }
    dims.trial(&x)
}

#[cfg(test)]
mod tests;
