//! Gaussian-process Bayesian optimisation (`--method gp`), written here
//! rather than taken from a crate: `egobox-ego` would add 194 packages and
//! two minutes to a clean build for what is a few hundred lines.
//!
//! * Coordinates: every numeric parameter (real, ln of a log-scale real, a
//!   grid index) scaled to [0, 1]; a choice stays its index and the kernel
//!   sees only "same choice or not" (distance 0 or 1).
//! * Model: a zero-mean GP on the standardised losses with a Matérn 5/2
//!   kernel, one length scale per parameter (ARD), a signal variance and a
//!   noise variance. The hyperparameters maximise the marginal likelihood
//!   times weak log-normal priors (ML-II / MAP), by sign-based gradient
//!   ascent (iRprop⁻) on their logarithms from a fixed start, so the fit is
//!   a deterministic function of the data.
//! * The first `n_startup_trials` trials (10) are a Latin hypercube, as for
//!   [`super::Tpe`]; later trials proposed before that many have a value
//!   are uniform draws.
//! * Failed trials count as the worst loss seen (they steer away from
//!   regions that crash); running trials are "kriging believers": they join
//!   the data with the model's mean as their value (same hyperparameters),
//!   so parallel proposals spread out.
//! * Acquisition: expected improvement over the best loss, in log form so
//!   it still ranks points where it underflows. It is maximised by random
//!   points (uniform, plus perturbations of the best trials), then a local
//!   (1+1) search from the five best; every point is snapped into the
//!   space before it is scored, so the model scores what will run.
//! * Only the best half and the newest half of at most `max_history`
//!   trials are modelled (the fit costs n³).

use super::dims::{Coord, Dims};
use super::math::{cholesky, ln_norm_pdf, norm_cdf, solve_lower, solve_upper_t, std_normal};
use super::{avoid_running, completed, loss, rng_for, start_design, Observation, Sampler};
use crate::rng::SplitMix64;
use crate::trainer::Trial;
use crate::tune::space::Space;

/// The GP sampler and its settings.
#[derive(Clone, Debug)]
pub struct Gp {
    /// Latin-hypercube trials before the model is used.
    pub n_startup_trials: usize,
    /// Random points scored per proposal before the local search.
    pub n_candidates: usize,
    /// Most trials the model is fitted on.
    pub max_history: usize,
}

impl Default for Gp {
    fn default() -> Self {
        Gp {
            n_startup_trials: 10,
            n_candidates: 1000,
            max_history: 200,
        }
    }
}

impl Sampler for Gp {
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
        let mut rng = rng_for(seed, index, 5);
        let enc = Encoding::new(&dims);
        let data = self.data(&dims, &enc, done, minimize);
        let complete = completed(done, minimize);
        if complete < self.n_startup_trials.max(2) || dims.len() == 0 || data.is_empty() {
            let n = self.n_startup_trials as u64;
            return start_design(&dims, seed, index, n, running, &mut rng);
        }
        let (xs, ys): (Vec<Vec<f64>>, Vec<f64>) = data.into_iter().unzip();
        let Some(mut model) = Model::fit(&enc, xs, &ys) else {
            let first = dims.random(&mut rng);
            return avoid_running(&dims, running, &mut rng, first, |r| dims.random(r));
        };
        let best = model.y.iter().copied().fold(f64::INFINITY, f64::min);
        model.believe(running.iter().filter_map(|t| enc.encode(&dims, t)));
        let first = self.maximise(&enc, &model, best, &mut rng);
        let coords = enc.decode(&first);
        avoid_running(&dims, running, &mut rng, coords, |r| {
            let u = enc.random(r);
            enc.decode(&u)
        })
    }
}

impl Gp {
    /// The (unit point, loss) pairs to model: failures at the worst loss,
    /// cut to `max_history` (the best half and the newest of the rest).
    fn data(
        &self,
        dims: &Dims,
        enc: &Encoding,
        done: &[Observation],
        minimize: bool,
    ) -> Vec<(Vec<f64>, f64)> {
        let losses: Vec<Option<f64>> = done.iter().map(|o| loss(o.value, minimize)).collect();
        let worst = losses
            .iter()
            .flatten()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let mut rows: Vec<(usize, Vec<f64>, f64)> = done
            .iter()
            .zip(&losses)
            .enumerate()
            .filter_map(|(i, (o, l))| {
                let x = enc.encode(dims, &o.trial)?;
                let l = l.or((worst > f64::NEG_INFINITY).then_some(worst))?;
                Some((i, x, l))
            })
            .collect();
        let cap = self.max_history.max(4);
        if rows.len() > cap {
            let mut by_loss: Vec<usize> = (0..rows.len()).collect();
            by_loss.sort_by(|a, b| rows[*a].2.total_cmp(&rows[*b].2));
            let mut keep = vec![false; rows.len()];
            by_loss.iter().take(cap / 2).for_each(|&i| keep[i] = true);
            let mut left = cap - cap / 2;
            for i in (0..rows.len()).rev() {
                if left > 0 && !keep[i] {
                    keep[i] = true;
                    left -= 1;
                }
            }
            let mut k = keep.into_iter();
            rows.retain(|_| k.next().unwrap_or(false));
        }
        rows.into_iter().map(|(_, x, l)| (x, l)).collect()
    }

    /// The unit point with the highest expected improvement over `best`
    /// (standardised) that the search found.
    fn maximise(&self, enc: &Encoding, m: &Model, best: f64, rng: &mut SplitMix64) -> Vec<f64> {
        let score = |u: &[f64]| {
            let (mu, var) = m.predict(u);
            ln_ei(mu, var.sqrt(), best)
        };
        let mut cands: Vec<Vec<f64>> = (0..self.n_candidates.max(1))
            .map(|_| enc.random(rng))
            .collect();
        let mut order: Vec<usize> = (0..m.n_data).collect();
        order.sort_by(|a, b| m.y[*a].total_cmp(&m.y[*b]));
        for &i in order.iter().take(5) {
            for _ in 0..20 {
                cands.push(enc.perturb(&m.x[i], 0.05, rng));
            }
        }
        let mut scored: Vec<(f64, Vec<f64>)> = cands
            .into_iter()
            .map(|u| {
                let u = enc.snap(&u);
                (score(&u), u)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.truncate(5);
        let mut winner: Option<(f64, Vec<f64>)> = None;
        for (mut s, mut u) in scored {
            let mut step = 0.1;
            for _ in 0..60 {
                let v = enc.snap(&enc.perturb(&u, step, rng));
                let sv = score(&v);
                if sv > s {
                    (s, u) = (sv, v);
                    step = (step * 1.5).min(0.3);
                } else {
                    step = (step * 0.7).max(1e-4);
                }
            }
            if winner.as_ref().is_none_or(|w| s > w.0) {
                winner = Some((s, u));
            }
        }
        winner.map(|w| w.1).unwrap_or_else(|| enc.random(rng))
    }
}

/// ln of the expected improvement of N(mu, sd²) below `best`, finite far
/// into the tail (where the plain formula underflows to 0).
fn ln_ei(mu: f64, sd: f64, best: f64) -> f64 {
    if sd <= 1e-12 || sd.is_nan() {
        return if best > mu {
            (best - mu).ln()
        } else {
            f64::NEG_INFINITY
        };
    }
    let z = (best - mu) / sd;
    let ln_h = if z > -5.0 {
        (z * norm_cdf(z) + ln_norm_pdf(z).exp()).max(1e-300).ln()
    } else {
        // zΦ(z) + φ(z) = φ(z)(1/z² − 3/z⁴ + 15/z⁶ − …) as z → −∞.
        let z2 = z * z;
        ln_norm_pdf(z) - z2.ln() + (1.0 - 3.0 / z2 + 15.0 / (z2 * z2)).ln()
    };
    sd.ln() + ln_h
}

/// How coordinates map onto the unit cube, per searched dim: the bounds of
/// a numeric one, `None` for a choice (its index is kept).
struct Encoding {
    dims: Vec<Option<(f64, f64)>>,
    choices: Vec<u64>,
}

impl Encoding {
    fn new(dims: &Dims) -> Self {
        let mut out = Encoding {
            dims: Vec::new(),
            choices: Vec::new(),
        };
        for (_, d) in &dims.dims {
            let (lo, hi, _) = d.bounds();
            let is_cat = matches!(d, super::dims::Dim::Cat(_));
            out.dims.push((!is_cat).then_some((lo, hi)));
            out.choices.push(d.cardinality().unwrap_or(0));
        }
        out
    }

    fn is_cat(&self) -> Vec<bool> {
        self.dims.iter().map(Option::is_none).collect()
    }

    /// A trial's unit point, `None` when a value is missing or outside.
    fn encode(&self, dims: &Dims, t: &Trial) -> Option<Vec<f64>> {
        let c: Option<Vec<Coord>> = dims.coords(t).into_iter().collect();
        Some(self.to_unit(&c?))
    }

    fn to_unit(&self, c: &[Coord]) -> Vec<f64> {
        c.iter()
            .zip(&self.dims)
            .map(|(x, d)| match d {
                Some((lo, hi)) if hi > lo => (x - lo) / (hi - lo),
                Some(_) => 0.0,
                None => *x,
            })
            .collect()
    }

    fn decode(&self, u: &[f64]) -> Vec<Coord> {
        u.iter()
            .zip(&self.dims)
            .map(|(x, d)| match d {
                Some((lo, hi)) => lo + x.clamp(0.0, 1.0) * (hi - lo),
                None => *x,
            })
            .collect()
    }

    /// The unit point of the value the space would run at `u`.
    fn snap(&self, u: &[f64]) -> Vec<f64> {
        let c: Vec<Coord> = self
            .decode(u)
            .iter()
            .zip(&self.dims)
            .zip(&self.choices)
            .map(|((x, d), &n)| match (d, n) {
                (_, 0) => *x,
                (Some(_), _) => x.round(),
                (None, n) => x.round().clamp(0.0, n.saturating_sub(1) as f64),
            })
            .collect();
        self.to_unit(&c)
    }

    fn random(&self, rng: &mut SplitMix64) -> Vec<f64> {
        self.choices
            .iter()
            .zip(&self.dims)
            .map(|(&n, d)| match d {
                None => rng.below(n.max(1)) as f64,
                Some(_) => rng.next_f64(),
            })
            .collect()
    }

    /// A Gaussian step of `step` on the numeric dims; each choice changes
    /// to a random one with probability 1/d.
    fn perturb(&self, u: &[f64], step: f64, rng: &mut SplitMix64) -> Vec<f64> {
        let d = u.len().max(1) as f64;
        u.iter()
            .zip(&self.dims)
            .zip(&self.choices)
            .map(|((x, dim), &n)| match dim {
                Some(_) => (x + step * std_normal(rng)).clamp(0.0, 1.0),
                None if rng.next_f64() < 1.0 / d => rng.below(n.max(1)) as f64,
                None => *x,
            })
            .collect()
    }
}

/// The kernel's hyperparameters, as logarithms: one length scale per dim,
/// the signal and the noise variance.
#[derive(Clone, Debug)]
struct Hyper(Vec<f64>);

const LN_LS_PRIOR: (f64, f64) = (-1.0, 1.0);
const LN_SIGNAL_PRIOR: (f64, f64) = (0.0, 1.0);
const LN_NOISE_BOUNDS: (f64, f64) = (-13.8, -0.7);

impl Hyper {
    fn start(d: usize) -> Self {
        let mut p = vec![LN_LS_PRIOR.0; d];
        p.push(LN_SIGNAL_PRIOR.0);
        p.push(-9.0);
        Hyper(p)
    }
    fn d(&self) -> usize {
        self.0.len() - 2
    }
    fn signal(&self) -> f64 {
        self.0[self.d()].exp()
    }
    fn noise(&self) -> f64 {
        self.0[self.d() + 1].exp()
    }
    /// Keeps every parameter in a sane box.
    fn clamp(&mut self) {
        let d = self.d();
        for (i, p) in self.0.iter_mut().enumerate() {
            *p = match i {
                i if i < d => p.clamp(-4.6, 2.3),
                i if i == d => p.clamp(-3.0, 3.0),
                _ => p.clamp(LN_NOISE_BOUNDS.0, LN_NOISE_BOUNDS.1),
            };
        }
    }
    /// ln prior and its gradient (normal on ln length scales and ln signal;
    /// the noise only bounded).
    fn ln_prior(&self) -> (f64, Vec<f64>) {
        let d = self.d();
        let mut g = vec![0.0; self.0.len()];
        let mut lp = 0.0;
        for (i, p) in self.0.iter().enumerate().take(d + 1) {
            let (m, s) = if i < d { LN_LS_PRIOR } else { LN_SIGNAL_PRIOR };
            lp -= 0.5 * ((p - m) / s).powi(2);
            g[i] = -(p - m) / (s * s);
        }
        (lp, g)
    }
}

/// Matérn 5/2 of the scaled squared distance r².
fn matern52(r2: f64) -> f64 {
    let r = (5.0 * r2).sqrt();
    (1.0 + r + r * r / 3.0) * (-r).exp()
}

/// Per-dim squared distances (0/1 for a choice).
fn parts(a: &[f64], b: &[f64], cat: &[bool]) -> Vec<f64> {
    a.iter()
        .zip(b)
        .zip(cat)
        .map(|((x, y), &c)| {
            if c {
                f64::from(x != y)
            } else {
                (x - y).powi(2)
            }
        })
        .collect()
}

/// The fitted GP: data (unit points, standardised losses), kernel, the
/// Cholesky factor of K + noise·I and K⁻¹y.
struct Model {
    cat: Vec<bool>,
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    /// Trials with real values (the rest are believed running trials).
    n_data: usize,
    hyper: Hyper,
    inv_ls2: Vec<f64>,
    chol: Vec<f64>,
    alpha: Vec<f64>,
}

impl Model {
    /// Standardises `ys`, fits the hyperparameters, factors the kernel.
    fn fit(enc: &Encoding, x: Vec<Vec<f64>>, ys: &[f64]) -> Option<Model> {
        let n = ys.len() as f64;
        let mean = ys.iter().sum::<f64>() / n;
        let sd = (ys.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / n).sqrt();
        let sd = if sd > 1e-12 { sd } else { 1.0 };
        let y: Vec<f64> = ys.iter().map(|v| (v - mean) / sd).collect();
        let cat = enc.is_cat();
        let hyper = fit_hyper(&x, &y, &cat);
        Model::factor(cat, x, y, hyper)
    }

    fn factor(cat: Vec<bool>, x: Vec<Vec<f64>>, y: Vec<f64>, hyper: Hyper) -> Option<Model> {
        let inv_ls2: Vec<f64> = hyper.0[..hyper.d()]
            .iter()
            .map(|l| (-2.0 * l).exp())
            .collect();
        let n = x.len();
        let k = gram(&x, &cat, &inv_ls2, &hyper);
        let chol = cholesky(&k, n)?;
        let alpha = solve_upper_t(&chol, n, &solve_lower(&chol, n, &y));
        Some(Model {
            cat,
            n_data: n,
            x,
            y,
            hyper,
            inv_ls2,
            chol,
            alpha,
        })
    }

    /// Adds the running trials at the model's mean (kriging believer).
    fn believe(&mut self, running: impl Iterator<Item = Vec<f64>>) {
        let extra: Vec<(Vec<f64>, f64)> = running
            .map(|u| (self.predict(&u).0, u))
            .map(|(m, u)| (u, m))
            .collect();
        if extra.is_empty() {
            return;
        }
        let (mut x, mut y) = (self.x.clone(), self.y.clone());
        for (u, m) in extra {
            x.push(u);
            y.push(m);
        }
        let n_data = self.n_data;
        if let Some(mut m) = Model::factor(self.cat.clone(), x, y, self.hyper.clone()) {
            m.n_data = n_data;
            *self = m;
        }
    }

    /// Posterior mean and variance (standardised) at a unit point.
    fn predict(&self, u: &[f64]) -> (f64, f64) {
        let signal = self.hyper.signal();
        let k: Vec<f64> = self
            .x
            .iter()
            .map(|xi| signal * matern52(scaled(&parts(u, xi, &self.cat), &self.inv_ls2)))
            .collect();
        let mu: f64 = k.iter().zip(&self.alpha).map(|(a, b)| a * b).sum();
        let v = solve_lower(&self.chol, self.x.len(), &k);
        let var = (signal - v.iter().map(|a| a * a).sum::<f64>()).max(1e-12);
        (mu, var)
    }
}

fn scaled(parts: &[f64], inv_ls2: &[f64]) -> f64 {
    parts.iter().zip(inv_ls2).map(|(p, w)| p * w).sum()
}

/// K + noise·I.
fn gram(x: &[Vec<f64>], cat: &[bool], inv_ls2: &[f64], h: &Hyper) -> Vec<f64> {
    let n = x.len();
    let (signal, noise) = (h.signal(), h.noise());
    let mut k = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let v = signal * matern52(scaled(&parts(&x[i], &x[j], cat), inv_ls2));
            k[i * n + j] = v;
            k[j * n + i] = v;
        }
        k[i * n + i] += noise + 1e-10;
    }
    k
}

/// MAP hyperparameters by iRprop⁻ on the ln marginal likelihood + ln prior.
fn fit_hyper(x: &[Vec<f64>], y: &[f64], cat: &[bool]) -> Hyper {
    let mut h = Hyper::start(cat.len());
    let m = h.0.len();
    let mut steps = vec![0.3f64; m];
    let mut prev = vec![0.0f64; m];
    let mut best: Option<(f64, Hyper)> = None;
    for _ in 0..80 {
        let Some((lml, mut g)) = lml_grad(x, y, cat, &h) else {
            break;
        };
        let (lp, gp) = h.ln_prior();
        let obj = lml + lp;
        g.iter_mut().zip(&gp).for_each(|(a, b)| *a += b);
        if best.as_ref().is_none_or(|b| obj > b.0) {
            best = Some((obj, h.clone()));
        }
        for i in 0..m {
            if g[i] * prev[i] > 0.0 {
                steps[i] = (steps[i] * 1.2).min(1.0);
            } else if g[i] * prev[i] < 0.0 {
                steps[i] = (steps[i] * 0.5).max(1e-6);
                g[i] = 0.0;
            }
            h.0[i] += g[i].signum() * steps[i] * f64::from(g[i] != 0.0);
            prev[i] = g[i];
        }
        h.clamp();
        if steps.iter().all(|s| *s < 1e-3) {
            break;
        }
    }
    best.map(|b| b.1).unwrap_or_else(|| Hyper::start(cat.len()))
}

/// ln marginal likelihood and its gradient in the ln hyperparameters:
/// ½ tr((ααᵀ − K⁻¹) ∂K/∂θ).
fn lml_grad(x: &[Vec<f64>], y: &[f64], cat: &[bool], h: &Hyper) -> Option<(f64, Vec<f64>)> {
    let n = x.len();
    let d = h.d();
    let inv_ls2: Vec<f64> = h.0[..d].iter().map(|l| (-2.0 * l).exp()).collect();
    let k = gram(x, cat, &inv_ls2, h);
    let l = cholesky(&k, n)?;
    let alpha = solve_upper_t(&l, n, &solve_lower(&l, n, y));
    let lml = -0.5 * y.iter().zip(&alpha).map(|(a, b)| a * b).sum::<f64>()
        - (0..n).map(|i| l[i * n + i].ln()).sum::<f64>();
    let mut kinv = vec![0.0; n * n];
    let mut e = vec![0.0; n];
    for c in 0..n {
        e.iter_mut().for_each(|v| *v = 0.0);
        e[c] = 1.0;
        let col = solve_upper_t(&l, n, &solve_lower(&l, n, &e));
        for r in 0..n {
            kinv[r * n + c] = col[r];
        }
    }
    let signal = h.signal();
    let mut g = vec![0.0; d + 2];
    for i in 0..n {
        for j in 0..=i {
            let w = alpha[i] * alpha[j] - kinv[i * n + j];
            let w = if i == j { 0.5 * w } else { w };
            let p = parts(&x[i], &x[j], cat);
            let r2 = scaled(&p, &inv_ls2);
            let r = (5.0 * r2).sqrt();
            let base = signal * (5.0 / 3.0) * (1.0 + r) * (-r).exp();
            for t in 0..d {
                g[t] += w * base * p[t] * inv_ls2[t];
            }
            g[d] += w * signal * matern52(r2);
            if i == j {
                g[d + 1] += w * h.noise();
            }
        }
    }
    Some((lml, g))
}
