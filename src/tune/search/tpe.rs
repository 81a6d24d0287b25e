//! TPE (tree-structured Parzen estimators, Bergstra et al. 2011), with
//! Optuna 5's `TPESampler` as the reference for every choice:
//!
//! * the first `n_startup_trials` (10) trials form a Latin hypercube (each
//!   parameter's range cut into 10 strata, each stratum used once; Optuna
//!   draws them independently at random, which covers the space less
//!   evenly; `latin_start: false` gives Optuna's draws); later trials
//!   proposed before 10 trials have a value are uniform draws;
//! * the finished trials are split by objective: the best
//!   `min(ceil(0.1·n), 25)` are "below" (good), the rest "above";
//! * each group becomes a Parzen estimator: one kernel per trial, a product
//!   over the parameters of truncated normals around its coordinates, plus
//!   a prior kernel (centre of the range, σ = the range, weight 1); σ of a
//!   kernel on a parameter is the larger gap to its neighbours among the
//!   group's coordinates (the bounds outermost), clipped to
//!   [range / min(100, 1 + kernels), range] ("magic clip"); trials older
//!   than the newest 25 of a group weigh less (a linear ramp);
//! * grids (`int`, `range`, `quniform`) are a real with step 1 whose kernel
//!   mass is integrated over each step; log scales are searched in ln space;
//!   a categorical kernel puts 1 + prior/(kernels) on its choice and
//!   prior/(kernels) on every other;
//! * 24 candidates are drawn from "below" and the one with the highest
//!   l(x)/g(x) wins;
//! * running trials join "above" (Optuna 5's default `constant_liar`), so
//!   parallel proposals spread out; failed trials join "above" too (Optuna
//!   ignores them), which steers away from regions that crash.
//!
//! Multivariate by default (one joint estimator, which is what Optuna 5
//! does for a single objective); `multivariate: false` gives each parameter
//! its own estimator (Optuna's `multivariate=False`).

use super::dims::{Coord, Dim, Dims};
use super::math::{ln_norm_mass, log_sum_exp, trunc_normal, weighted_index, LN_SQRT_2PI};
use super::{avoid_running, completed, loss, rng_for, start_design, Observation, Sampler};
use crate::rng::SplitMix64;
use crate::trainer::Trial;
use crate::tune::space::Space;

/// The TPE sampler and its settings (Optuna's defaults).
#[derive(Clone, Debug)]
pub struct Tpe {
    /// Uniform draws before the model is used (Optuna: 10).
    pub n_startup_trials: usize,
    /// Candidates drawn from the good group per proposal (Optuna: 24).
    pub n_ei_candidates: usize,
    /// Weight of the prior kernel (Optuna: 1.0).
    pub prior_weight: f64,
    /// One joint estimator (Optuna 5's default for one objective) instead of
    /// one per parameter.
    pub multivariate: bool,
    /// The start trials form a Latin hypercube (ours); `false`: independent
    /// uniform draws, as Optuna's.
    pub latin_start: bool,
}

impl Default for Tpe {
    fn default() -> Self {
        Tpe {
            n_startup_trials: 10,
            n_ei_candidates: 24,
            prior_weight: 1.0,
            multivariate: true,
            latin_start: true,
        }
    }
}

/// The history split into the good and the other trials, oldest first.
struct Split {
    below: Vec<Vec<Option<Coord>>>,
    above: Vec<Vec<Option<Coord>>>,
}

impl Sampler for Tpe {
    fn suggest(
        &self,
        space: &Space,
        seed: u64,
        index: u64,
        done: &[Observation],
        running: &[Trial],
        minimize: bool,
    ) -> Trial {
        let dims = Dims::new(space);
        let mut rng = rng_for(seed, index, 1);
        let complete = completed(done, minimize);
        if complete < self.n_startup_trials.max(1) || dims.len() == 0 {
            let n = if self.latin_start {
                self.n_startup_trials as u64
            } else {
                0
            };
            return start_design(&dims, seed, index, n, running, &mut rng);
        }
        let split = split(&dims, done, running, minimize);
        let first = self.propose(&dims, &split, &mut rng);
        avoid_running(&dims, running, &mut rng, first, |r| {
            self.propose(&dims, &split, r)
        })
    }
}

/// Optuna's split: the best `min(ceil(n/10), 25)` finished trials below, the
/// other finished, failed and running trials above; each group by trial
/// order.
fn split(dims: &Dims, done: &[Observation], running: &[Trial], minimize: bool) -> Split {
    let mut complete: Vec<(usize, f64)> = Vec::new();
    let mut rest: Vec<usize> = Vec::new();
    for (i, o) in done.iter().enumerate() {
        match loss(o.value, minimize) {
            Some(l) => complete.push((i, l)),
            None => rest.push(i),
        }
    }
    let n = complete.len();
    let n_below = n.div_ceil(10).min(25).min(complete.len());
    complete.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut below: Vec<usize> = complete[..n_below].iter().map(|c| c.0).collect();
    rest.extend(complete[n_below..].iter().map(|c| c.0));
    below.sort_unstable();
    rest.sort_unstable();
    let coords = |i: &usize| dims.coords(&done[*i].trial);
    Split {
        below: below.iter().map(coords).collect(),
        above: rest
            .iter()
            .map(coords)
            .chain(running.iter().map(|t| dims.coords(t)))
            .collect(),
    }
}

impl Tpe {
    /// One proposal: per parameter (or jointly), the best of the candidates
    /// by l(x) − g(x) in log density.
    fn propose(&self, dims: &Dims, split: &Split, rng: &mut SplitMix64) -> Vec<Coord> {
        if self.multivariate {
            let all: Vec<usize> = (0..dims.len()).collect();
            return self.propose_dims(dims, &all, split, rng);
        }
        (0..dims.len())
            .map(|d| self.propose_dims(dims, &[d], split, rng)[0])
            .collect()
    }

    /// The best candidate over the dims `which`, from the trials that have
    /// a coordinate on each of them.
    fn propose_dims(
        &self,
        dims: &Dims,
        which: &[usize],
        split: &Split,
        rng: &mut SplitMix64,
    ) -> Vec<Coord> {
        let pick = |group: &[Vec<Option<Coord>>]| -> Vec<Vec<f64>> {
            group
                .iter()
                .filter_map(|c| which.iter().map(|&d| c[d]).collect::<Option<Vec<f64>>>())
                .collect()
        };
        let ds: Vec<&Dim> = which.iter().map(|&d| &dims.dims[d].1).collect();
        let l = Parzen::new(&ds, &pick(&split.below), self.prior_weight);
        let g = Parzen::new(&ds, &pick(&split.above), self.prior_weight);
        let mut best: Option<(f64, Vec<f64>)> = None;
        for _ in 0..self.n_ei_candidates.max(1) {
            let x = l.sample(rng);
            let score = l.log_pdf(&x) - g.log_pdf(&x);
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((score, x));
            }
        }
        best.map(|b| b.1).unwrap_or_else(|| l.sample(rng))
    }
}

/// Kernels of one coordinate: a truncated normal per kernel, or a
/// probability per choice per kernel.
enum Kernels {
    Num(Normals),
    Cat(Vec<Vec<f64>>),
}

/// Truncated normals on [lo, hi] (widened by half a step on a grid).
struct Normals {
    mus: Vec<f64>,
    sigmas: Vec<f64>,
    lo: f64,
    hi: f64,
    step: f64,
}

impl Normals {
    /// A draw from kernel `k`, rounded onto the grid if there is one.
    fn sample(&self, k: usize, rng: &mut SplitMix64) -> f64 {
        let (lo, hi, step) = (self.lo, self.hi, self.step);
        let x = trunc_normal(
            rng,
            self.mus[k],
            self.sigmas[k],
            lo - step / 2.0,
            hi + step / 2.0,
        );
        if step > 0.0 {
            (lo + ((x - lo) / step).round() * step).clamp(lo, hi)
        } else {
            x
        }
    }

    /// ln density (ln mass of the step on a grid) of kernel `k` at `x`.
    fn ln_pdf(&self, k: usize, x: f64) -> f64 {
        let (mu, s, lo, hi) = (self.mus[k], self.sigmas[k], self.lo, self.hi);
        if self.step > 0.0 {
            let h = self.step / 2.0;
            ln_norm_mass((x - h - mu) / s, (x + h - mu) / s)
                - ln_norm_mass((lo - h - mu) / s, (hi + h - mu) / s)
        } else {
            let z = (x - mu) / s;
            -0.5 * z * z - LN_SQRT_2PI - s.ln() - ln_norm_mass((lo - mu) / s, (hi - mu) / s)
        }
    }
}

/// A Parzen estimator: a weighted mixture of product kernels, the last
/// one the prior.
struct Parzen {
    weights: Vec<f64>,
    ln_weights: Vec<f64>,
    dims: Vec<Kernels>,
}

/// Optuna's default weights: 1 for the newest 25, a ramp from 1/n up to 1
/// for older ones.
fn default_weights(n: usize) -> Vec<f64> {
    if n < 25 {
        return vec![1.0; n];
    }
    let m = n - 25;
    let ramp = (0..m).map(|i| {
        if m == 1 {
            1.0 / n as f64
        } else {
            1.0 / n as f64 + i as f64 * (1.0 - 1.0 / n as f64) / (m - 1) as f64
        }
    });
    ramp.chain(std::iter::repeat_n(1.0, 25)).collect()
}

impl Parzen {
    fn new(dims: &[&Dim], obs: &[Vec<f64>], prior_weight: f64) -> Self {
        let n = obs.len();
        let mut weights = default_weights(n);
        weights.push(prior_weight);
        let total: f64 = weights.iter().sum();
        weights.iter_mut().for_each(|w| *w /= total);
        let ln_weights = weights.iter().map(|w| w.ln()).collect();
        let kernels = dims
            .iter()
            .enumerate()
            .map(|(j, d)| {
                let xs: Vec<f64> = obs.iter().map(|o| o[j]).collect();
                match d {
                    Dim::Cat(c) => cat_kernels(&xs, c.len(), prior_weight),
                    _ => num_kernels(d, &xs),
                }
            })
            .collect();
        Parzen {
            weights,
            ln_weights,
            dims: kernels,
        }
    }

    fn sample(&self, rng: &mut SplitMix64) -> Vec<f64> {
        let k = weighted_index(rng, &self.weights);
        self.dims
            .iter()
            .map(|d| match d {
                Kernels::Num(n) => n.sample(k, rng),
                Kernels::Cat(p) => weighted_index(rng, &p[k]) as f64,
            })
            .collect()
    }

    fn log_pdf(&self, x: &[f64]) -> f64 {
        let terms: Vec<f64> = (0..self.weights.len())
            .map(|k| {
                self.ln_weights[k]
                    + self
                        .dims
                        .iter()
                        .zip(x)
                        .map(|(d, &xi)| kernel_ln_pdf(d, k, xi))
                        .sum::<f64>()
            })
            .collect();
        log_sum_exp(&terms)
    }
}

/// ln probability of kernel `k` at `x`.
fn kernel_ln_pdf(d: &Kernels, k: usize, x: f64) -> f64 {
    match d {
        Kernels::Num(n) => n.ln_pdf(k, x),
        Kernels::Cat(p) => p[k].get(x as usize).map_or(f64::NEG_INFINITY, |p| p.ln()),
    }
}

/// Categorical kernels: each observation puts 1 + prior/kernels on its
/// choice and prior/kernels elsewhere; the prior kernel is uniform.
fn cat_kernels(xs: &[f64], n_choices: usize, prior_weight: f64) -> Kernels {
    let n_kernels = xs.len() + 1;
    let base = prior_weight / n_kernels as f64;
    let mut rows: Vec<Vec<f64>> = xs
        .iter()
        .map(|&x| {
            let mut row = vec![base; n_choices];
            if let Some(p) = row.get_mut(x as usize) {
                *p += 1.0;
            }
            row
        })
        .collect();
    rows.push(vec![base; n_choices]);
    for row in &mut rows {
        let s: f64 = row.iter().sum();
        row.iter_mut().for_each(|p| *p /= s);
    }
    Kernels::Cat(rows)
}

/// Numeric kernels with Optuna's bandwidths, plus the prior kernel.
fn num_kernels(d: &Dim, xs: &[f64]) -> Kernels {
    let (lo, hi, step) = d.bounds();
    let range = (hi - lo + step).max(1e-12);
    let n = xs.len();
    let mut sigmas = neighbour_gaps(xs, lo - step / 2.0, hi + step / 2.0);
    let min_sigma = range / (100f64).min(1.0 + (n + 1) as f64);
    sigmas
        .iter_mut()
        .for_each(|s| *s = s.clamp(min_sigma, range));
    let mut mus = xs.to_vec();
    mus.push(0.5 * (lo + hi));
    sigmas.push(range);
    Kernels::Num(Normals {
        mus,
        sigmas,
        lo,
        hi,
        step,
    })
}

/// Each point's bandwidth: the larger gap to its sorted neighbours, the
/// bounds being the outer neighbours, except that the outermost points take
/// their inner gap (Optuna's `consider_endpoints=False`).
fn neighbour_gaps(xs: &[f64], lo: f64, hi: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|a, b| xs[*a].total_cmp(&xs[*b]));
    let mut ends = Vec::with_capacity(xs.len() + 2);
    ends.push(lo);
    ends.extend(order.iter().map(|&i| xs[i]));
    ends.push(hi);
    let m = xs.len();
    let mut sorted_sigmas: Vec<f64> = (1..=m)
        .map(|i| (ends[i] - ends[i - 1]).max(ends[i + 1] - ends[i]))
        .collect();
    if ends.len() >= 4 {
        sorted_sigmas[0] = ends[2] - ends[1];
        sorted_sigmas[m - 1] = ends[m] - ends[m - 1];
    }
    let mut out = vec![0.0; m];
    for (s, &i) in sorted_sigmas.iter().zip(&order) {
        out[i] = *s;
    }
    out
}
