//! Grid points and random draws of one parameter, its TensorBoard domain
//! and its `--print-space` row.
//!
//! Stepped values (`range`, `steps`, `quniform`, `qloguniform`) are
//! computed as `start + i·step` and then rounded to the decimals their
//! arguments are written with, so `range(0, 1, 0.1)` gives `0.3`, not
//! `0.30000000000000004`. They are integers (printed `32`, not `32.0`)
//! when every argument is a whole number.

use crate::hparams::{Domain, HParamValue};
use crate::rng::SplitMix64;

use super::{ParamKind, MAX_DISCRETE};

/// The decimals of `x`'s shortest exact form (`0.125` → 3, `1e-5` → 5).
fn decimals(x: f64) -> usize {
    let s = x.abs().to_string();
    s.split_once('.').map_or(0, |(_, f)| f.len())
}

/// `x` rounded to `d` decimals (unchanged when `d` is beyond f64's precision).
fn round_dec(x: f64, d: usize) -> f64 {
    if d > 15 || !x.is_finite() {
        return x;
    }
    format!("{x:.d$}").parse().unwrap_or(x)
}

fn whole(xs: &[f64]) -> bool {
    xs.iter().all(|x| x.fract() == 0.0 && x.abs() < 9.0e15)
}

/// A number as an `Int` when `int` says so, else a `Float`.
fn number(x: f64, int: bool) -> HParamValue {
    if int && x.fract() == 0.0 && x.abs() < 9.0e15 {
        HParamValue::Int(x as i64)
    } else {
        HParamValue::Float(x)
    }
}

/// `start + i·step`, rounded to the arguments' decimals.
fn step_point(start: f64, step: f64, i: u128) -> f64 {
    let d = decimals(start).max(decimals(step));
    round_dec(start + i as f64 * step, d)
}

/// The number of values of `range(start, stop, step)` (stop excluded).
pub(super) fn range_len(start: f64, stop: f64, step: f64) -> u128 {
    if step == 0.0 || !(start.is_finite() && stop.is_finite() && step.is_finite()) {
        return 0;
    }
    let below = |x: f64| if step > 0.0 { x < stop } else { x > stop };
    let guess = ((stop - start) / step).ceil();
    if guess.is_nan() || guess <= 0.0 {
        return 0;
    }
    let mut n = guess.min(1e30) as u128;
    while n > 0 && !below(step_point(start, step, n - 1)) {
        n -= 1;
    }
    while below(step_point(start, step, n)) {
        n += 1;
    }
    n
}

/// The number of values of `steps(lo, hi, step)` (hi included when on the grid).
fn stepped_len(lo: f64, hi: f64, step: f64) -> u128 {
    if step.is_nan() || step <= 0.0 || lo > hi {
        return 0;
    }
    let mut n = ((hi - lo) / step).floor().min(1e30) as u128 + 1;
    while n > 1 && step_point(lo, step, n - 1) > hi {
        n -= 1;
    }
    while step_point(lo, step, n) <= hi {
        n += 1;
    }
    n
}

/// `k` bounds of a quantised parameter: values are clip(k·q, lo, hi) for
/// k in round(lo/q) ..= round(hi/q) (NNI's definition).
fn q_ks(lo: f64, hi: f64, q: f64) -> (f64, f64) {
    ((lo / q).round(), (hi / q).round())
}

fn q_point(lo: f64, hi: f64, q: f64, k: f64) -> f64 {
    let d = decimals(lo).max(decimals(hi)).max(decimals(q));
    round_dec(k * q, d).clamp(lo, hi)
}

/// The number of grid points; `None` for a continuous parameter.
pub(super) fn grid_len(kind: &ParamKind) -> Option<u128> {
    use ParamKind::*;
    match kind {
        Choice(v) => Some(v.len() as u128),
        Const(_) => Some(1),
        Int { lo, hi } => Some((*hi as i128 - *lo as i128 + 1).max(0) as u128),
        Range { start, stop, step } => Some(range_len(*start, *stop, *step)),
        Stepped { lo, hi, step } => Some(stepped_len(*lo, *hi, *step)),
        QUniform { lo, hi, q } | QLogUniform { lo, hi, q } => {
            let (a, b) = q_ks(*lo, *hi, *q);
            Some((b - a + 1.0).clamp(0.0, 1e30) as u128)
        }
        Uniform { .. } | LogUniform { .. } | Normal { .. } | LogNormal { .. } => None,
    }
}

/// Grid point `i` (`i < grid_len`) of a finite parameter.
fn point(kind: &ParamKind, i: u128) -> HParamValue {
    use ParamKind::*;
    match kind {
        // An empty choice (built by hand, never parsed) gives "".
        Choice(v) => v
            .get(i as usize)
            .cloned()
            .unwrap_or(HParamValue::Str(String::new())),
        Const(v) => v.clone(),
        Int { lo, .. } => HParamValue::Int((*lo as i128 + i as i128) as i64),
        Range { start, step, .. } => number(step_point(*start, *step, i), whole(&[*start, *step])),
        Stepped { lo, step, .. } => number(step_point(*lo, *step, i), whole(&[*lo, *step])),
        QUniform { lo, hi, q } | QLogUniform { lo, hi, q } => {
            let k = q_ks(*lo, *hi, *q).0 + i as f64;
            number(q_point(*lo, *hi, *q, k), whole(&[*lo, *hi, *q]))
        }
        Uniform { lo, .. } | LogUniform { lo, .. } => HParamValue::Float(*lo),
        Normal { mu, .. } | LogNormal { mu, .. } => HParamValue::Float(*mu),
    }
}

/// Every grid point of a finite parameter (empty for a continuous one);
/// the caller checks [`grid_len`] first.
pub(super) fn grid_values(kind: &ParamKind) -> Vec<HParamValue> {
    let n = grid_len(kind).unwrap_or(0);
    (0..n).map(|i| point(kind, i)).collect()
}

/// 64-bit FNV-1a of a name: stable across versions and platforms.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The generator for parameter `name` of trial `index` under `seed`.
pub(super) fn rng_for(seed: u64, index: u64, name: &str) -> SplitMix64 {
    let a = SplitMix64::new(seed).next_u64();
    let b = SplitMix64::new(a ^ index).next_u64();
    SplitMix64::new(b ^ fnv1a(name))
}

/// A standard normal draw (Box–Muller).
fn gauss(rng: &mut SplitMix64) -> f64 {
    let u1 = 1.0 - rng.next_f64(); // (0, 1]
    let u2 = rng.next_f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn log_draw(lo: f64, hi: f64, rng: &mut SplitMix64) -> f64 {
    let (a, b) = (lo.ln(), hi.ln());
    (a + rng.next_f64() * (b - a)).exp().clamp(lo, hi)
}

fn quantise(x: f64, q: Option<f64>) -> f64 {
    match q {
        Some(q) => round_dec((x / q).round() * q, decimals(q)),
        None => x,
    }
}

/// One random value of a parameter.
pub(super) fn sample(kind: &ParamKind, rng: &mut SplitMix64) -> HParamValue {
    use ParamKind::*;
    match kind {
        Uniform { lo, hi } => HParamValue::Float(lo + rng.next_f64() * (hi - lo)),
        LogUniform { lo, hi } => HParamValue::Float(log_draw(*lo, *hi, rng)),
        QUniform { lo, hi, q } => {
            let x = lo + rng.next_f64() * (hi - lo);
            number(
                q_point(*lo, *hi, *q, (x / q).round()),
                whole(&[*lo, *hi, *q]),
            )
        }
        QLogUniform { lo, hi, q } => {
            let x = log_draw(*lo, *hi, rng);
            number(
                q_point(*lo, *hi, *q, (x / q).round()),
                whole(&[*lo, *hi, *q]),
            )
        }
        Normal { mu, sigma, q } => {
            let x = quantise(mu + sigma * gauss(rng), *q);
            number(x, q.is_some_and(|q| whole(&[q])))
        }
        LogNormal { mu, sigma, q } => {
            let x = quantise((mu + sigma * gauss(rng)).exp(), *q);
            number(x, q.is_some_and(|q| whole(&[q])))
        }
        Choice(_) | Const(_) | Int { .. } | Range { .. } | Stepped { .. } => {
            let n = grid_len(kind).unwrap_or(1).max(1);
            let i = if n > u64::MAX as u128 {
                rng.next_u64() as u128
            } else {
                rng.below(n as u64) as u128
            };
            point(kind, i)
        }
    }
}

/// The TensorBoard domain of a parameter (`None`: declared without one).
pub(super) fn domain(kind: &ParamKind) -> Option<Domain> {
    use ParamKind::*;
    let d = match kind {
        Choice(v) => Domain::discrete(v.iter().cloned()),
        Const(v) => Domain::discrete([v.clone()]),
        Uniform { lo, hi } => Domain::real(*lo, *hi),
        LogUniform { lo, hi } => Domain::log_real(*lo, *hi),
        Int { lo, hi } => Domain::int(*lo, *hi),
        Normal { .. } | LogNormal { .. } => return None,
        Range { .. } | Stepped { .. } | QUniform { .. } | QLogUniform { .. } => {
            let n = grid_len(kind)?;
            if n <= MAX_DISCRETE {
                Domain::discrete(grid_values(kind))
            } else {
                let (a, b) = (point(kind, 0).as_f64()?, point(kind, n - 1).as_f64()?);
                Domain::real(a.min(b), a.max(b))
            }
        }
    };
    d.ok()
}

fn fmt_num(x: f64) -> String {
    format!("{x}")
}

/// The `--print-space` columns: name, kind, bounds, scale, points.
pub(super) fn describe_row(p: &super::Param) -> [String; 5] {
    use ParamKind::*;
    let n = grid_len(&p.kind);
    let list = |v: &[HParamValue]| {
        let shown: Vec<String> = v.iter().take(8).map(super::format_value).collect();
        let more = if v.len() > 8 { ", …" } else { "" };
        format!("{{{}{more}}}", shown.join(", "))
    };
    let (kind, bounds, scale) = match &p.kind {
        Choice(v) => ("choice", list(v), ""),
        Const(v) => ("constant", super::format_value(v), ""),
        Uniform { lo, hi } => (
            "uniform",
            format!("[{}, {}]", fmt_num(*lo), fmt_num(*hi)),
            "linear",
        ),
        LogUniform { lo, hi } => (
            "loguniform",
            format!("[{}, {}]", fmt_num(*lo), fmt_num(*hi)),
            "log",
        ),
        Int { lo, hi } => ("int", format!("[{lo}, {hi}]"), "linear"),
        Range { start, stop, step } => (
            "range",
            format!(
                "[{}, {}) step {}",
                fmt_num(*start),
                fmt_num(*stop),
                fmt_num(*step)
            ),
            "linear",
        ),
        Stepped { lo, hi, step } => (
            "steps",
            format!(
                "[{}, {}] step {}",
                fmt_num(*lo),
                fmt_num(*hi),
                fmt_num(*step)
            ),
            "linear",
        ),
        QUniform { lo, hi, q } => (
            "quniform",
            format!("[{}, {}] q {}", fmt_num(*lo), fmt_num(*hi), fmt_num(*q)),
            "linear",
        ),
        QLogUniform { lo, hi, q } => (
            "qloguniform",
            format!("[{}, {}] q {}", fmt_num(*lo), fmt_num(*hi), fmt_num(*q)),
            "log",
        ),
        Normal { mu, sigma, q } => (
            "normal",
            format!(
                "mu {} sigma {}{}",
                fmt_num(*mu),
                fmt_num(*sigma),
                q.map_or(String::new(), |q| format!(" q {q}"))
            ),
            "linear",
        ),
        LogNormal { mu, sigma, q } => (
            "lognormal",
            format!(
                "mu {} sigma {}{}",
                fmt_num(*mu),
                fmt_num(*sigma),
                q.map_or(String::new(), |q| format!(" q {q}"))
            ),
            "log",
        ),
    };
    let points = match n {
        None => "continuous".to_string(),
        Some(1) => "1 value".to_string(),
        Some(n) => format!("{n} values"),
    };
    [
        p.name.clone(),
        kind.to_string(),
        bounds,
        scale.to_string(),
        points,
    ]
}
