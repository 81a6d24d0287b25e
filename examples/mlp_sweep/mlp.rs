//! A tiny, dependency-free multilayer perceptron for the `mlp_sweep` example.
//!
//! This module is the "model" half of the showcase: it mirrors the TensorBoard
//! HParams tutorial (a Keras MLP swept over hidden units, dropout and optimizer),
//! but in plain Rust using only `std`, so the example builds without a machine
//! learning framework.
//!
//! It provides:
//!
//! * [`Rng`], a small seedable PRNG (SplitMix64) so every run is reproducible;
//! * [`Dataset`], a synthetic, standardized two-class problem (two noisy
//!   interleaved "moons" in 2-D plus pure-noise features);
//! * [`Mlp`], one ReLU hidden layer with inverted dropout and a sigmoid output,
//!   trained with binary cross-entropy by minibatch SGD or Adam.
//!
//! Empty inputs never panic: training or evaluating on an empty [`Dataset`]
//! returns an [`EpochStats`] with loss 0 and accuracy 0.

/// Number of pure-noise features appended to the two informative ones.
const NOISE_FEATURES: usize = 6;
/// Standard deviation of the Gaussian jitter added to the moon coordinates.
const MOON_NOISE: f64 = 0.15;
/// Dropout rates are clamped to `[0, MAX_DROPOUT]` so the kept units never vanish.
const MAX_DROPOUT: f64 = 0.95;
/// Every weight is kept within `±PARAM_LIMIT`. Sensible runs never get close;
/// a diverging run (absurd learning rate) then reports huge but finite losses
/// instead of overflowing to infinity and NaN.
const PARAM_LIMIT: f32 = 1e6;

/// Deterministic pseudo-random number generator (SplitMix64), seedable.
///
/// Not cryptographically secure; good enough for shuffling, initialisation and
/// dropout masks, and identical on every platform for a given seed.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// Creates a generator from a seed. Any seed (including 0) is fine.
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// Returns the next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a uniform sample in `[0, 1)` with 53 bits of precision.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Returns a standard normal sample (Box–Muller transform).
    pub fn normal(&mut self) -> f64 {
        // 1 - uniform() lies in (0, 1], so the logarithm is finite.
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Returns a uniform index in `0..n` (`n` must be non-zero).
    fn below(&mut self, n: usize) -> usize {
        // Multiply-shift: maps 64 random bits onto 0..n with negligible bias.
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// A synthetic two-class data set with standardized features and 0/1 labels.
///
/// `x[i]` is the feature vector of sample `i` and `y[i]` its label.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// Feature vectors, all of the same length.
    pub x: Vec<Vec<f32>>,
    /// Labels, 0 or 1 (any non-zero value is treated as 1).
    pub y: Vec<u8>,
}

impl Dataset {
    /// Generates `n` samples of two interleaved noisy half-moons in 2-D, followed
    /// by six pure-noise features (8 features in total), each standardized to
    /// zero mean and unit variance. Classes are balanced in expectation and the
    /// samples come out already shuffled.
    pub fn synthetic(n: usize, seed: u64) -> Dataset {
        let mut rng = Rng::new(seed);
        let mut x = Vec::with_capacity(n);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let label = u8::from(rng.uniform() < 0.5);
            let t = std::f64::consts::PI * rng.uniform();
            let (px, py) = if label == 0 {
                (t.cos(), t.sin())
            } else {
                (1.0 - t.cos(), 0.5 - t.sin())
            };
            let mut row = Vec::with_capacity(2 + NOISE_FEATURES);
            row.push((px + MOON_NOISE * rng.normal()) as f32);
            row.push((py + MOON_NOISE * rng.normal()) as f32);
            row.extend((0..NOISE_FEATURES).map(|_| rng.normal() as f32));
            x.push(row);
            y.push(label);
        }
        standardize(&mut x);
        Dataset { x, y }
    }

    /// Splits into `(train, validation, test)`, keeping the current order.
    ///
    /// Fractions are clamped to `[0, 1]`; the test part is taken from the end
    /// first, then the validation part, and the remainder is the training set.
    pub fn split(mut self, val_frac: f64, test_frac: f64) -> (Dataset, Dataset, Dataset) {
        let n = self.len();
        let count =
            |frac: f64, max: usize| ((n as f64 * frac.clamp(0.0, 1.0)).round() as usize).min(max);
        let n_test = count(test_frac, n);
        let n_val = count(val_frac, n - n_test);
        let test = self.split_off(n - n_test);
        let val = self.split_off(n - n_test - n_val);
        (self, val, test)
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.x.len().min(self.y.len())
    }

    /// `true` if there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Moves samples `at..` into a new data set.
    fn split_off(&mut self, at: usize) -> Dataset {
        Dataset {
            x: self.x.split_off(at.min(self.x.len())),
            y: self.y.split_off(at.min(self.y.len())),
        }
    }
}

/// Rescales every column of `x` to zero mean and unit variance.
fn standardize(x: &mut [Vec<f32>]) {
    let dim = x.first().map_or(0, Vec::len);
    let n = x.len() as f64;
    for col in 0..dim {
        let values = || {
            x.iter()
                .filter_map(|row| row.get(col))
                .map(|&v| f64::from(v))
        };
        let mean = values().sum::<f64>() / n;
        let var = values().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        let inv_std = if var > 1e-12 { 1.0 / var.sqrt() } else { 1.0 };
        for v in x.iter_mut().filter_map(|row| row.get_mut(col)) {
            *v = ((f64::from(*v) - mean) * inv_std) as f32;
        }
    }
}

/// Optimization algorithm used by [`Mlp::train_epoch`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Optimizer {
    /// Plain minibatch stochastic gradient descent.
    Sgd,
    /// Adam with beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 (Keras defaults).
    Adam,
}

/// Hyperparameters of one training run.
#[derive(Clone, Debug)]
pub struct Config {
    /// Width of the ReLU hidden layer.
    pub hidden_units: usize,
    /// Fraction of hidden units dropped during training (clamped to `[0, 0.95]`).
    pub dropout: f64,
    /// Optimization algorithm.
    pub optimizer: Optimizer,
    /// Step size.
    pub learning_rate: f64,
    /// Minibatch size (0 is treated as 1).
    pub batch_size: usize,
    /// Seed for weight initialisation.
    pub seed: u64,
}

/// Mean loss and accuracy over a pass through a data set.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EpochStats {
    /// Mean binary cross-entropy (0 for an empty data set).
    pub loss: f32,
    /// Fraction of correctly classified samples (0 for an empty data set).
    pub accuracy: f32,
}

/// A one-hidden-layer perceptron for binary classification.
///
/// Architecture: `input -> dense(hidden, ReLU) -> dropout -> dense(1, sigmoid)`,
/// trained with binary cross-entropy. All parameters live in one flat vector,
/// laid out as `[w1 (hidden x input, row-major), b1, w2, b2]`, which keeps the
/// optimizer update a single loop.
#[derive(Clone, Debug)]
pub struct Mlp {
    input_dim: usize,
    hidden: usize,
    dropout: f32,
    optimizer: Optimizer,
    learning_rate: f32,
    batch_size: usize,
    params: Vec<f32>,
    /// Adam first and second moment estimates (same layout as `params`).
    m: Vec<f32>,
    v: Vec<f32>,
    /// Number of optimizer steps taken (for Adam's bias correction).
    steps: i32,
}

/// Per-sample activations produced by [`Mlp::forward`].
struct Scratch {
    /// Hidden activations after ReLU and dropout.
    act: Vec<f32>,
    /// Local gradient of each hidden unit: ReLU derivative times dropout scale.
    gate: Vec<f32>,
}

impl Mlp {
    /// Creates a network for `input_dim` features, initialised from `cfg.seed`:
    /// He-normal weights for the hidden layer, Glorot-uniform for the output
    /// layer, zero biases.
    pub fn new(input_dim: usize, cfg: &Config) -> Mlp {
        let hidden = cfg.hidden_units;
        let mut rng = Rng::new(cfg.seed);
        let he = (2.0 / input_dim.max(1) as f64).sqrt();
        let glorot = (6.0 / (hidden + 1) as f64).sqrt();
        let mut params = Vec::with_capacity(hidden * input_dim + 2 * hidden + 1);
        params.extend((0..hidden * input_dim).map(|_| (he * rng.normal()) as f32));
        params.resize(params.len() + hidden, 0.0);
        params.extend((0..hidden).map(|_| (glorot * (2.0 * rng.uniform() - 1.0)) as f32));
        params.push(0.0);
        let len = params.len();
        Mlp {
            input_dim,
            hidden,
            dropout: cfg.dropout.clamp(0.0, MAX_DROPOUT) as f32,
            optimizer: cfg.optimizer,
            learning_rate: cfg.learning_rate as f32,
            batch_size: cfg.batch_size.max(1),
            params,
            m: vec![0.0; len],
            v: vec![0.0; len],
            steps: 0,
        }
    }

    /// Runs one epoch over `data` in minibatches shuffled with `rng` (which also
    /// draws the dropout masks). Returns the mean training loss and accuracy,
    /// computed on the fly with the weights current at each batch, as Keras
    /// reports them. An empty data set leaves the model unchanged and returns
    /// zeros. Feature vectors are expected to have `input_dim` entries; extra
    /// entries are ignored and missing ones act as zeros.
    pub fn train_epoch(&mut self, data: &Dataset, rng: &mut Rng) -> EpochStats {
        if data.is_empty() {
            return EpochStats::default();
        }
        let n = data.len();
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let mut grad = vec![0.0f32; self.params.len()];
        let mut scratch = self.scratch();
        let keep_scale = 1.0 / (1.0 - self.dropout);
        let mut total = Accumulator::default();
        for batch in order.chunks(self.batch_size) {
            grad.iter_mut().for_each(|g| *g = 0.0);
            let inv_batch = 1.0 / batch.len() as f32;
            for &i in batch {
                // Inverted dropout: keep each unit with probability 1 - p, scaled up.
                for g in scratch.gate.iter_mut() {
                    let keep = self.dropout == 0.0 || rng.uniform() >= f64::from(self.dropout);
                    *g = if keep { keep_scale } else { 0.0 };
                }
                let x = &data.x[i];
                let logit = self.forward(x, &mut scratch);
                let target = f32::from(data.y[i] != 0);
                total.add(logit, target);
                self.backward(
                    x,
                    &scratch,
                    (sigmoid(logit) - target) * inv_batch,
                    &mut grad,
                );
            }
            self.step(&grad);
        }
        total.stats()
    }

    /// Mean loss and accuracy on `data` with dropout disabled (zeros if empty).
    pub fn evaluate(&self, data: &Dataset) -> EpochStats {
        let mut scratch = self.scratch();
        let mut total = Accumulator::default();
        for (x, &y) in data.x.iter().zip(&data.y) {
            scratch.gate.iter_mut().for_each(|g| *g = 1.0);
            let logit = self.forward(x, &mut scratch);
            total.add(logit, f32::from(y != 0));
        }
        total.stats()
    }

    fn scratch(&self) -> Scratch {
        Scratch {
            act: vec![0.0; self.hidden],
            gate: vec![0.0; self.hidden],
        }
    }

    /// End offsets of `w1`, `b1` and `w2` in `params` (or a gradient with the
    /// same layout); `b2` is the single element after `w2`.
    fn layout(&self, p: &[f32]) -> (usize, usize, usize) {
        let w1_end = self.hidden * self.input_dim;
        let b1_end = w1_end + self.hidden;
        let w2_end = b1_end + self.hidden;
        debug_assert_eq!(p.len(), w2_end + 1);
        (w1_end, b1_end, w2_end)
    }

    /// Computes the output logit for `x`. On entry `scratch.gate` holds the
    /// dropout scale of each hidden unit; on exit it also includes the ReLU
    /// derivative, and `scratch.act` holds the (dropped-out) activations.
    fn forward(&self, x: &[f32], scratch: &mut Scratch) -> f32 {
        let (w1_end, b1_end, w2_end) = self.layout(&self.params);
        let w1 = &self.params[..w1_end];
        let b1 = &self.params[w1_end..b1_end];
        let w2 = &self.params[b1_end..w2_end];
        let mut logit = self.params[w2_end];
        // With `input_dim == 0` there are no rows and only the output bias is
        // used, which is exactly as expressive (a constant prediction).
        let rows = w1.chunks_exact(self.input_dim.max(1));
        let units = scratch.act.iter_mut().zip(scratch.gate.iter_mut());
        for (((row, &b), &w), (a, g)) in rows.zip(b1).zip(w2).zip(units) {
            let z = b + dot(row, x);
            if z > 0.0 {
                *a = z * *g;
            } else {
                *a = 0.0;
                *g = 0.0;
            }
            logit += w * *a;
        }
        logit
    }

    /// Adds the gradient of the loss for one sample to `grad`, given the output
    /// error `delta = dLoss/dLogit` (already divided by the batch size).
    fn backward(&self, x: &[f32], scratch: &Scratch, delta: f32, grad: &mut [f32]) {
        let (w1_end, b1_end, w2_end) = self.layout(grad);
        let w2 = &self.params[b1_end..w2_end];
        let (gw1, rest) = grad.split_at_mut(w1_end);
        let (gb1, rest) = rest.split_at_mut(self.hidden);
        let (gw2, gb2) = rest.split_at_mut(self.hidden);
        gb2[0] += delta;
        let rows = gw1.chunks_exact_mut(self.input_dim.max(1));
        let units = scratch.act.iter().zip(&scratch.gate).zip(w2);
        for (((grow, gb), gw), ((&a, &g), &w)) in rows.zip(gb1).zip(gw2).zip(units) {
            *gw += delta * a;
            let dz = delta * w * g;
            if dz != 0.0 {
                *gb += dz;
                grow.iter_mut().zip(x).for_each(|(gi, &xi)| *gi += dz * xi);
            }
        }
    }

    /// Applies one optimizer update with the (batch-averaged) gradient, keeping
    /// every parameter within `±PARAM_LIMIT`.
    fn step(&mut self, grad: &[f32]) {
        let lr = self.learning_rate;
        match self.optimizer {
            Optimizer::Sgd => {
                for (p, &g) in self.params.iter_mut().zip(grad) {
                    *p = (*p - lr * g).clamp(-PARAM_LIMIT, PARAM_LIMIT);
                }
            }
            Optimizer::Adam => {
                const BETA1: f32 = 0.9;
                const BETA2: f32 = 0.999;
                const EPS: f32 = 1e-7;
                self.steps = self.steps.saturating_add(1);
                let bias1 = 1.0 - BETA1.powi(self.steps);
                let bias2 = 1.0 - BETA2.powi(self.steps);
                let step_size = lr * bias2.sqrt() / bias1;
                let state = self.m.iter_mut().zip(self.v.iter_mut());
                for ((p, &g), (m, v)) in self.params.iter_mut().zip(grad).zip(state) {
                    *m = BETA1 * *m + (1.0 - BETA1) * g;
                    *v = BETA2 * *v + (1.0 - BETA2) * g * g;
                    let update = step_size * *m / (v.sqrt() + EPS);
                    *p = (*p - update).clamp(-PARAM_LIMIT, PARAM_LIMIT);
                }
            }
        }
    }
}

/// Running sums of loss and correct predictions.
#[derive(Default)]
struct Accumulator {
    loss: f64,
    correct: usize,
    count: usize,
}

impl Accumulator {
    fn add(&mut self, logit: f32, target: f32) {
        self.loss += f64::from(bce_with_logit(logit, target));
        self.correct += usize::from((logit > 0.0) == (target > 0.5));
        self.count += 1;
    }

    fn stats(&self) -> EpochStats {
        if self.count == 0 {
            return EpochStats::default();
        }
        let n = self.count as f64;
        EpochStats {
            loss: (self.loss / n) as f32,
            accuracy: (self.correct as f64 / n) as f32,
        }
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Logistic function, evaluated without overflow for any finite input.
fn sigmoid(z: f32) -> f32 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Binary cross-entropy of `sigmoid(logit)` against `target`, in the stable
/// form `max(z, 0) - z * y + ln(1 + exp(-|z|))`.
fn bce_with_logit(logit: f32, target: f32) -> f32 {
    logit.max(0.0) - logit * target + (-logit.abs()).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(
        hidden_units: usize,
        dropout: f64,
        optimizer: Optimizer,
        learning_rate: f64,
    ) -> Config {
        Config {
            hidden_units,
            dropout,
            optimizer,
            learning_rate,
            batch_size: 32,
            seed: 7,
        }
    }

    /// Trains for `epochs` and returns the per-epoch training stats plus the
    /// final validation stats.
    fn run(cfg: &Config, epochs: usize) -> (Vec<EpochStats>, EpochStats) {
        let (train, val, _test) = Dataset::synthetic(2000, 42).split(0.2, 0.1);
        let mut model = Mlp::new(train.x[0].len(), cfg);
        let mut rng = Rng::new(cfg.seed ^ 0xA5A5);
        let history = (0..epochs)
            .map(|_| model.train_epoch(&train, &mut rng))
            .collect();
        (history, model.evaluate(&val))
    }

    #[test]
    fn rng_is_deterministic_and_in_range() {
        let (mut a, mut b) = (Rng::new(1), Rng::new(1));
        assert!((0..100).all(|_| a.next_u64() == b.next_u64()));
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
        let mut r = Rng::new(3);
        assert!((0..10_000)
            .map(|_| r.uniform())
            .all(|u| (0.0..1.0).contains(&u)));
        let samples: Vec<f64> = (0..20_000).map(|_| r.normal()).collect();
        let mean = samples.iter().sum::<f64>() / samples.len() as f64;
        let var = samples.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / samples.len() as f64;
        assert!(
            mean.abs() < 0.05 && (var - 1.0).abs() < 0.05,
            "{mean} {var}"
        );
    }

    #[test]
    fn dataset_is_standardized_and_split() {
        let data = Dataset::synthetic(1000, 5);
        assert_eq!(data.len(), 1000);
        assert!(data.x.iter().all(|row| row.len() == 2 + NOISE_FEATURES));
        let mean0 = data.x.iter().map(|r| f64::from(r[0])).sum::<f64>() / 1000.0;
        assert!(mean0.abs() < 1e-4);
        let ones = data.y.iter().filter(|&&y| y == 1).count();
        assert!((400..600).contains(&ones));
        let (train, val, test) = data.split(0.2, 0.1);
        assert_eq!((train.len(), val.len(), test.len()), (700, 200, 100));
        let (train, val, test) = Dataset::synthetic(10, 5).split(0.8, 0.8);
        assert_eq!((train.len(), val.len(), test.len()), (0, 2, 8));
    }

    #[test]
    fn training_is_deterministic_for_a_seed() {
        let cfg = config(16, 0.2, Optimizer::Adam, 0.01);
        assert_eq!(run(&cfg, 3), run(&cfg, 3));
        let other = Config {
            seed: 8,
            ..cfg.clone()
        };
        assert_ne!(run(&cfg, 3).1, run(&other, 3).1);
    }

    #[test]
    fn loss_decreases() {
        for optimizer in [Optimizer::Sgd, Optimizer::Adam] {
            let lr = if optimizer == Optimizer::Sgd {
                0.1
            } else {
                0.01
            };
            let (history, _) = run(&config(32, 0.1, optimizer, lr), 8);
            let (first, last) = (history[0].loss, history[history.len() - 1].loss);
            assert!(last < 0.8 * first, "{optimizer:?}: {history:?}");
            assert!(history.iter().all(|s| s.loss.is_finite()));
        }
    }

    #[test]
    fn good_config_generalizes() {
        let (history, val) = run(&config(32, 0.1, Optimizer::Adam, 0.01), 10);
        assert!(
            val.accuracy > 0.85,
            "validation {val:?}, history {history:?}"
        );
        assert!(val.loss.is_finite());
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let data = Dataset::synthetic(8, 9);
        let mut model = Mlp::new(data.x[0].len(), &config(5, 0.0, Optimizer::Sgd, 0.1));
        let mut grad = vec![0.0; model.params.len()];
        let mut scratch = model.scratch();
        for (x, &y) in data.x.iter().zip(&data.y) {
            scratch.gate.iter_mut().for_each(|g| *g = 1.0);
            let logit = model.forward(x, &mut scratch);
            model.backward(x, &scratch, sigmoid(logit) - f32::from(y), &mut grad);
        }
        let total_loss = |m: &Mlp| f64::from(m.evaluate(&data).loss) * data.len() as f64;
        for (k, &analytic) in grad.iter().enumerate() {
            // Small step: a larger one can straddle a ReLU kink for some sample.
            let h = 1e-3;
            model.params[k] += h;
            let up = total_loss(&model);
            model.params[k] -= 2.0 * h;
            let down = total_loss(&model);
            model.params[k] += h;
            let numeric = (up - down) / (2.0 * f64::from(h));
            let err = (numeric - f64::from(analytic)).abs();
            assert!(
                err < 1e-2 * (1.0 + numeric.abs()),
                "param {k}: {numeric} vs {analytic}"
            );
        }
    }

    #[test]
    fn empty_inputs_do_not_panic() {
        let empty = Dataset::synthetic(0, 1);
        assert!(empty.is_empty());
        let (train, val, test) = empty.clone().split(0.2, 0.1);
        assert!(train.is_empty() && val.is_empty() && test.is_empty());
        let cfg = Config {
            batch_size: 0,
            ..config(0, 1.0, Optimizer::Adam, 0.01)
        };
        let mut model = Mlp::new(8, &cfg);
        let stats = model.train_epoch(&empty, &mut Rng::new(0));
        assert_eq!(
            stats,
            EpochStats {
                loss: 0.0,
                accuracy: 0.0
            }
        );
        assert_eq!(model.evaluate(&empty), EpochStats::default());
        // Zero hidden units and zero input features still train without panicking.
        let data = Dataset::synthetic(50, 2);
        assert!(model.train_epoch(&data, &mut Rng::new(0)).loss.is_finite());
        let mut no_inputs = Mlp::new(0, &config(4, 0.5, Optimizer::Sgd, 0.1));
        assert!(no_inputs
            .train_epoch(&data, &mut Rng::new(0))
            .loss
            .is_finite());
    }

    #[test]
    fn loss_is_numerically_safe() {
        assert!(bce_with_logit(1e4, 0.0).is_finite() && bce_with_logit(-1e4, 1.0).is_finite());
        assert!(bce_with_logit(-1e4, 0.0) < 1e-6 && bce_with_logit(1e4, 1.0) < 1e-6);
        assert!(sigmoid(-1e4) >= 0.0 && sigmoid(1e4) <= 1.0);
        // A huge learning rate diverges, but losses must stay finite (no inf/NaN).
        let (history, val) = run(&config(16, 0.0, Optimizer::Sgd, 50.0), 3);
        assert!(
            history.iter().all(|s| s.loss.is_finite()) && val.loss.is_finite(),
            "{history:?}"
        );
    }
}
