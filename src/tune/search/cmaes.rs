//! CMA-ES (Hansen's covariance matrix adaptation evolution strategy, the
//! (μ/μ_w, λ) form of "The CMA Evolution Strategy: A Tutorial", 2016) made
//! stateless: the state is replayed from the history on every call.
//!
//! * Every parameter is one coordinate of the unit cube: a real (ln of it
//!   for `loguniform`) scaled to [0, 1]; a grid value or a choice k of n
//!   is the cell [k/n, (k+1)/n), read back by flooring. Choices therefore
//!   get an arbitrary order, which CMA-ES treats as a line; this is the
//!   documented cost of one algorithm for every kind (Optuna instead hands
//!   categoricals to random search).
//! * The search starts at the centre with σ = 1/6 of the range (Optuna's
//!   `sigma0`), population λ = 4 + ⌊3 ln d⌋.
//! * Replay: the finished trials with a value, in the order given, are cut
//!   into consecutive generations of λ; each full generation updates mean,
//!   step size, paths and covariance. A trial's coordinates are what the
//!   update sees (points from an older distribution, from a parallel run or
//!   a warm start are "injected" solutions, their step clipped as Hansen
//!   recommends). Failed trials are skipped.
//! * Trial `index` draws from the replayed distribution with its own
//!   generator, resampling points outside the cube (then clipping), and
//!   draws again if it would copy a running trial.
//! * When σ collapses (σ·√λ_max < 1e-12) the state restarts at the centre.

use super::dims::{Coord, Dim, Dims};
use super::math::{std_normal, sym_eigen};
use super::{avoid_running, loss, rng_for, Observation, Sampler};
use crate::rng::SplitMix64;
use crate::trainer::Trial;
use crate::tune::space::Space;

/// The CMA-ES sampler.
#[derive(Clone, Debug)]
pub struct CmaEs {
    /// Initial step size as a fraction of each range (Optuna: 1/6).
    pub sigma0: f64,
    /// Population size; `None` for 4 + ⌊3 ln d⌋.
    pub popsize: Option<usize>,
}

impl Default for CmaEs {
    fn default() -> Self {
        CmaEs {
            sigma0: 1.0 / 6.0,
            popsize: None,
        }
    }
}

impl Sampler for CmaEs {
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
        let mut rng = rng_for(seed, index, 2);
        let d = dims.len();
        if d == 0 {
            return dims.trial(&[]);
        }
        let lambda = self
            .popsize
            .unwrap_or(4 + (3.0 * (d as f64).ln()).floor() as usize)
            .max(2);
        let mut state = State::new(d, lambda, self.sigma0);
        let points: Vec<(Vec<f64>, f64)> = done
            .iter()
            .filter_map(|o| {
                let l = loss(o.value, minimize)?;
                let x = to_unit(&dims, &dims.coords(&o.trial))?;
                Some((x, l))
            })
            .collect();
        for generation in points.chunks_exact(lambda) {
            state.tell(generation);
            if state.collapsed() {
                state = State::new(d, lambda, self.sigma0);
            }
        }
        let draw = |r: &mut SplitMix64| from_unit(&dims, &state.sample(r));
        let first = draw(&mut rng);
        avoid_running(&dims, running, &mut rng, first, draw)
    }
}

/// A trial's unit-cube point, `None` if a coordinate is missing.
fn to_unit(dims: &Dims, coords: &[Option<Coord>]) -> Option<Vec<f64>> {
    coords
        .iter()
        .zip(&dims.dims)
        .map(|(c, (_, d))| {
            let u = (*c)?;
            Some(match d.cardinality() {
                Some(n) => (u + 0.5) / n as f64,
                None => {
                    let (lo, hi, _) = d.bounds();
                    (u - lo) / (hi - lo)
                }
            })
        })
        .collect()
}

/// The coordinates of a unit-cube point.
fn from_unit(dims: &Dims, x: &[f64]) -> Vec<Coord> {
    x.iter()
        .zip(&dims.dims)
        .map(|(&u, (_, d))| unit_to_coord(d, u.clamp(0.0, 1.0)))
        .collect()
}

fn unit_to_coord(d: &Dim, u: f64) -> Coord {
    match d.cardinality() {
        Some(n) => ((u * n as f64).floor()).min(n.saturating_sub(1) as f64),
        None => {
            let (lo, hi, _) = d.bounds();
            lo + u * (hi - lo)
        }
    }
}

/// The strategy's state and constants.
struct State {
    d: usize,
    weights: Vec<f64>,
    mu_eff: f64,
    c_sigma: f64,
    d_sigma: f64,
    c_c: f64,
    c_1: f64,
    c_mu: f64,
    chi_n: f64,
    mean: Vec<f64>,
    sigma: f64,
    cov: Vec<f64>,
    p_sigma: Vec<f64>,
    p_c: Vec<f64>,
    generation: i32,
    /// Eigenvalues and eigenvectors (columns) of `cov`.
    eig: (Vec<f64>, Vec<f64>),
}

impl State {
    fn new(d: usize, lambda: usize, sigma0: f64) -> Self {
        let mu = lambda / 2;
        let raw: Vec<f64> = (1..=mu)
            .map(|i| ((lambda as f64 + 1.0) / 2.0).ln() - (i as f64).ln())
            .collect();
        let sum: f64 = raw.iter().sum();
        let weights: Vec<f64> = raw.iter().map(|w| w / sum).collect();
        let mu_eff = 1.0 / weights.iter().map(|w| w * w).sum::<f64>();
        let df = d as f64;
        let c_sigma = (mu_eff + 2.0) / (df + mu_eff + 5.0);
        let d_sigma = 1.0 + 2.0 * (((mu_eff - 1.0) / (df + 1.0)).sqrt() - 1.0).max(0.0) + c_sigma;
        let c_c = (4.0 + mu_eff / df) / (df + 4.0 + 2.0 * mu_eff / df);
        let c_1 = 2.0 / ((df + 1.3).powi(2) + mu_eff);
        let c_mu =
            (1.0 - c_1).min(2.0 * (mu_eff - 2.0 + 1.0 / mu_eff) / ((df + 2.0).powi(2) + mu_eff));
        let mut cov = vec![0.0; d * d];
        for i in 0..d {
            cov[i * d + i] = 1.0;
        }
        let eig = sym_eigen(&cov, d);
        State {
            d,
            weights,
            mu_eff,
            c_sigma,
            d_sigma,
            c_c,
            c_1,
            c_mu,
            chi_n: df.sqrt() * (1.0 - 1.0 / (4.0 * df) + 1.0 / (21.0 * df * df)),
            mean: vec![0.5; d],
            sigma: sigma0,
            cov,
            p_sigma: vec![0.0; d],
            p_c: vec![0.0; d],
            generation: 0,
            eig,
        }
    }

    /// B·D·z for a standard normal z: a draw from N(0, C).
    fn sample_y(&self, rng: &mut SplitMix64) -> Vec<f64> {
        let d = self.d;
        let z: Vec<f64> = (0..d)
            .map(|i| self.eig.0[i].max(0.0).sqrt() * std_normal(rng))
            .collect();
        (0..d)
            .map(|r| (0..d).map(|c| self.eig.1[r * d + c] * z[c]).sum())
            .collect()
    }

    /// A point of N(mean, σ²C) inside the cube (100 tries, then clipped).
    fn sample(&self, rng: &mut SplitMix64) -> Vec<f64> {
        let mut x = Vec::new();
        for _ in 0..100 {
            let y = self.sample_y(rng);
            x = self
                .mean
                .iter()
                .zip(&y)
                .map(|(m, y)| m + self.sigma * y)
                .collect();
            if x.iter().all(|v| (0.0..=1.0).contains(v)) {
                return x;
            }
        }
        x.iter().map(|v| v.clamp(0.0, 1.0)).collect()
    }

    /// C^(−1/2)·v.
    fn inv_sqrt_c(&self, v: &[f64]) -> Vec<f64> {
        let d = self.d;
        let (vals, b) = &self.eig;
        // Bᵀv, scaled by 1/√λ, then B·.
        let bt: Vec<f64> = (0..d)
            .map(|c| {
                let s: f64 = (0..d).map(|r| b[r * d + c] * v[r]).sum();
                s / vals[c].max(1e-300).sqrt()
            })
            .collect();
        (0..d)
            .map(|r| (0..d).map(|c| b[r * d + c] * bt[c]).sum())
            .collect()
    }

    /// The update from one generation of (point, loss).
    fn tell(&mut self, generation: &[(Vec<f64>, f64)]) {
        let d = self.d;
        let df = d as f64;
        let mut sorted: Vec<&(Vec<f64>, f64)> = generation.iter().collect();
        sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
        // Steps of the best μ, each clipped in Mahalanobis norm (injection).
        let clip = df.sqrt() + 2.0 * df / (df + 2.0);
        let ys: Vec<Vec<f64>> = sorted[..self.weights.len()]
            .iter()
            .map(|(x, _)| {
                let y: Vec<f64> = x
                    .iter()
                    .zip(&self.mean)
                    .map(|(x, m)| (x - m) / self.sigma)
                    .collect();
                let norm = norm(&self.inv_sqrt_c(&y));
                let scale = if norm > clip { clip / norm } else { 1.0 };
                y.iter().map(|v| v * scale).collect()
            })
            .collect();
        let y_w: Vec<f64> = (0..d)
            .map(|i| ys.iter().zip(&self.weights).map(|(y, w)| w * y[i]).sum())
            .collect();
        for (m, y) in self.mean.iter_mut().zip(&y_w) {
            *m += self.sigma * y;
        }
        let cs = (self.c_sigma * (2.0 - self.c_sigma) * self.mu_eff).sqrt();
        let step = self.inv_sqrt_c(&y_w);
        for (p, s) in self.p_sigma.iter_mut().zip(&step) {
            *p = (1.0 - self.c_sigma) * *p + cs * s;
        }
        self.generation += 1;
        let ps_norm = norm(&self.p_sigma);
        let denom = (1.0 - (1.0 - self.c_sigma).powi(2 * self.generation)).sqrt();
        let h_sigma = ps_norm / denom < (1.4 + 2.0 / (df + 1.0)) * self.chi_n;
        let h = if h_sigma { 1.0 } else { 0.0 };
        let cc = (self.c_c * (2.0 - self.c_c) * self.mu_eff).sqrt();
        for (p, y) in self.p_c.iter_mut().zip(&y_w) {
            *p = (1.0 - self.c_c) * *p + h * cc * y;
        }
        let decay = 1.0 - self.c_1 - self.c_mu + (1.0 - h) * self.c_1 * self.c_c * (2.0 - self.c_c);
        for r in 0..d {
            for c in 0..d {
                let rank_mu: f64 = ys
                    .iter()
                    .zip(&self.weights)
                    .map(|(y, w)| w * y[r] * y[c])
                    .sum();
                self.cov[r * d + c] = decay * self.cov[r * d + c]
                    + self.c_1 * self.p_c[r] * self.p_c[c]
                    + self.c_mu * rank_mu;
            }
        }
        self.sigma *= ((self.c_sigma / self.d_sigma) * (ps_norm / self.chi_n - 1.0)).exp();
        self.sigma = self.sigma.min(1.0);
        self.eig = sym_eigen(&self.cov, d);
    }

    /// True when the distribution has shrunk to nothing (or gone NaN).
    fn collapsed(&self) -> bool {
        let max_eig = self.eig.0.iter().copied().fold(0.0, f64::max);
        let spread = self.sigma * max_eig.sqrt();
        spread.is_nan() || spread < 1e-12 || self.mean.iter().any(|m| !m.is_finite())
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}
