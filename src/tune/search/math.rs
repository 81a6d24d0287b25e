//! The numerics the searches share: the normal distribution (density, CDF,
//! truncated sampling), log-sum-exp, the eigen-decomposition of a small
//! symmetric matrix (CMA-ES) and the Cholesky factor with its triangular
//! solves (the Gaussian process). Written here so the searches need no
//! linear-algebra or statistics crate.

use crate::rng::SplitMix64;

/// ln(sqrt(2π)).
pub(crate) const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// The complementary error function, relative error below 1.2e-7 everywhere
/// (the Chebyshev-fitted formula of Numerical Recipes, `erfcc`), tails
/// included, which is what the truncated-normal masses need.
pub(crate) fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// The standard normal CDF Φ(x).
pub(crate) fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// ln(Φ(b) − Φ(a)) for a ≤ b, computed on the side of zero where the two
/// masses do not cancel; −∞ when the interval holds no mass.
pub(crate) fn ln_norm_mass(a: f64, b: f64) -> f64 {
    let mass = if a > 0.0 {
        // Upper tail: Φ(b) − Φ(a) = Φ(−a) − Φ(−b), both small and exact.
        norm_cdf(-a) - norm_cdf(-b)
    } else {
        norm_cdf(b) - norm_cdf(a)
    };
    if mass > 0.0 {
        mass.ln()
    } else {
        f64::NEG_INFINITY
    }
}

/// ln Σ exp(xᵢ), −∞ for an empty slice or when every term is −∞.
pub(crate) fn log_sum_exp(xs: &[f64]) -> f64 {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + xs.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

/// A standard normal draw (Box–Muller, one of the pair).
pub(crate) fn std_normal(rng: &mut SplitMix64) -> f64 {
    // 1 − U keeps the logarithm's argument in (0, 1].
    let u1 = 1.0 - rng.next_f64();
    let u2 = rng.next_f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A draw from N(mu, sigma²) truncated to [lo, hi]: rejection sampling,
/// then (after 100 misses, only for a kernel far outside the box) uniform.
pub(crate) fn trunc_normal(rng: &mut SplitMix64, mu: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
    for _ in 0..100 {
        let x = mu + sigma * std_normal(rng);
        if (lo..=hi).contains(&x) {
            return x;
        }
    }
    lo + (hi - lo) * rng.next_f64()
}

/// Index drawn with probability proportional to `weights` (non-negative,
/// not all zero; the last index otherwise).
pub(crate) fn weighted_index(rng: &mut SplitMix64, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.next_f64() * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.len().saturating_sub(1)
}

/// Cholesky factor L (row-major, lower) of a symmetric positive-definite
/// n×n matrix, `None` when it is not positive definite.
pub(crate) fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            if i == j {
                let d = a[i * n + i] - s;
                if d <= 0.0 || d.is_nan() {
                    return None;
                }
                l[i * n + i] = d.sqrt();
            } else {
                l[i * n + j] = (a[i * n + j] - s) / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// Solves L x = b for a lower-triangular L (forward substitution).
pub(crate) fn solve_lower(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut x = vec![0.0; n];
    for i in 0..n {
        let s: f64 = (0..i).map(|k| l[i * n + k] * x[k]).sum();
        x[i] = (b[i] - s) / l[i * n + i];
    }
    x
}

/// Solves Lᵀ x = b for a lower-triangular L (back substitution).
pub(crate) fn solve_upper_t(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| l[k * n + i] * x[k]).sum();
        x[i] = (b[i] - s) / l[i * n + i];
    }
    x
}

/// ln of the standard normal density.
pub(crate) fn ln_norm_pdf(z: f64) -> f64 {
    -0.5 * z * z - LN_SQRT_2PI
}

/// Eigen-decomposition of a symmetric n×n matrix (row-major) by cyclic
/// Jacobi rotations: the eigenvalues and the eigenvectors as the columns of
/// a row-major matrix. Exact to rounding for the small n a search has.
pub(crate) fn sym_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut m = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * n + j] * m[i * n + j])
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                rotate(&mut m, &mut v, n, p, q);
            }
        }
    }
    let values = (0..n).map(|i| m[i * n + i]).collect();
    (values, v)
}

/// One Jacobi rotation zeroing m[p][q], applied to m and accumulated in v.
fn rotate(m: &mut [f64], v: &mut [f64], n: usize, p: usize, q: usize) {
    let apq = m[p * n + q];
    if apq.abs() < 1e-300 {
        return;
    }
    let theta = (m[q * n + q] - m[p * n + p]) / (2.0 * apq);
    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
    let t = if theta == 0.0 { 1.0 } else { t };
    let c = 1.0 / (t * t + 1.0).sqrt();
    let s = t * c;
    for k in 0..n {
        let mkp = m[k * n + p];
        let mkq = m[k * n + q];
        m[k * n + p] = c * mkp - s * mkq;
        m[k * n + q] = s * mkp + c * mkq;
    }
    for k in 0..n {
        let mpk = m[p * n + k];
        let mqk = m[q * n + k];
        m[p * n + k] = c * mpk - s * mqk;
        m[q * n + k] = s * mpk + c * mqk;
    }
    for k in 0..n {
        let vkp = v[k * n + p];
        let vkq = v[k * n + q];
        v[k * n + p] = c * vkp - s * vkq;
        v[k * n + q] = s * vkp + c * vkq;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_reference_values() {
        // Φ at 0, ±1, ±1.96 and a far tail (published table values).
        assert!((norm_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((norm_cdf(1.0) - 0.841_344_746).abs() < 1e-7);
        assert!((norm_cdf(-1.96) - 0.024_997_895).abs() < 1e-7);
        let tail = norm_cdf(-8.0);
        assert!((tail / 6.220_960_574e-16 - 1.0).abs() < 1e-6);
        assert!(
            (ln_norm_mass(8.0, 9.0) - (6.220_960_574e-16f64 - 1.128_588e-19).ln()).abs() < 1e-4
        );
    }

    #[test]
    fn eigen_of_a_known_matrix() {
        // [[2,1],[1,2]] has eigenvalues 1 and 3.
        let (mut vals, vecs) = sym_eigen(&[2.0, 1.0, 1.0, 2.0], 2);
        vals.sort_by(f64::total_cmp);
        assert!((vals[0] - 1.0).abs() < 1e-12 && (vals[1] - 3.0).abs() < 1e-12);
        // Columns are orthonormal.
        let dot = vecs[0] * vecs[1] + vecs[2] * vecs[3];
        assert!(dot.abs() < 1e-12);
    }

    #[test]
    fn cholesky_solves_a_known_system() {
        // A = [[4,2],[2,3]] = L Lᵀ with L = [[2,0],[1,√2]]; A x = [2,1] at x = [0.5,0].
        let l = cholesky(&[4.0, 2.0, 2.0, 3.0], 2).unwrap_or_default();
        assert!((l[0] - 2.0).abs() < 1e-12 && (l[2] - 1.0).abs() < 1e-12);
        let x = solve_upper_t(&l, 2, &solve_lower(&l, 2, &[2.0, 1.0]));
        assert!((x[0] - 0.5).abs() < 1e-12 && x[1].abs() < 1e-12);
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
    }

    #[test]
    fn log_sum_exp_is_stable() {
        assert!((log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-9);
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
    }
}
