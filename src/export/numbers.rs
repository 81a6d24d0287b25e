//! Number formats for people, decided per column so that one column reads
//! in one style: integers as integers, otherwise about four significant
//! digits, scientific notation when the magnitudes are very small or large.
//! Never elided; NaN and infinities shown as such.

/// How every number of one column is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumFormat {
    /// Whole numbers (`46`, `-1`).
    Integer,
    /// Fixed point with this many decimals (`0.9456`, `46.2000`).
    Fixed(usize),
    /// `1.234e-5`.
    Scientific,
    /// Each value rounded to 4 significant digits, trailing zeros dropped
    /// (hparams: `0.001`, `0.1`, `0.007915`).
    Short,
}

/// Significant digits shown.
const DIGITS: i32 = 4;

impl NumFormat {
    /// The format for metric values `vs` (fixed decimals down the column).
    pub fn for_metrics(vs: impl IntoIterator<Item = f64>) -> NumFormat {
        Self::choose(vs, false)
    }

    /// The format for numeric hparam values `vs` (each value as short as
    /// it can be, since settings are usually round).
    pub fn for_hparams(vs: impl IntoIterator<Item = f64>) -> NumFormat {
        Self::choose(vs, true)
    }

    fn choose(vs: impl IntoIterator<Item = f64>, short: bool) -> NumFormat {
        let finite: Vec<f64> = vs.into_iter().filter(|v| v.is_finite()).collect();
        if finite.iter().all(|v| v.fract() == 0.0 && v.abs() < 1e15) {
            return NumFormat::Integer;
        }
        let nonzero = finite.iter().map(|v| v.abs()).filter(|&a| a > 0.0);
        let smallest = nonzero.clone().fold(f64::INFINITY, f64::min);
        let largest = nonzero.fold(0.0, f64::max);
        if smallest < 1e-3 && !short || smallest < 1e-4 || largest >= 1e6 {
            return NumFormat::Scientific;
        }
        if short {
            return NumFormat::Short;
        }
        let decimals = (DIGITS - 1 - smallest.log10().floor() as i32).clamp(0, 6);
        NumFormat::Fixed(decimals as usize)
    }

    /// `v` in this format.
    pub fn format(self, v: f64) -> String {
        if v.is_nan() {
            return "NaN".into();
        }
        if v.is_infinite() {
            return if v > 0.0 { "inf" } else { "-inf" }.into();
        }
        match self {
            NumFormat::Integer if v.fract() == 0.0 => format!("{v:.0}"),
            NumFormat::Integer | NumFormat::Short => short(v),
            NumFormat::Fixed(d) => format!("{v:.d$}"),
            NumFormat::Scientific => format!("{v:.3e}"),
        }
    }
}

/// `v` rounded to 4 significant digits, without trailing zeros.
fn short(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let decimals = (DIGITS - 1 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(f: NumFormat, vs: &[f64]) -> Vec<String> {
        vs.iter().map(|&v| f.format(v)).collect()
    }

    #[test]
    fn one_style_per_column() {
        let vs = [46.0, 7.0, f64::NAN];
        assert_eq!(col(NumFormat::for_metrics(vs), &vs), ["46", "7", "NaN"]);
        let vs = [0.9456, 0.35912, 12.5];
        assert_eq!(
            col(NumFormat::for_metrics(vs), &vs),
            ["0.9456", "0.3591", "12.5000"]
        );
        let vs = [7.401e-5, 46.0];
        assert_eq!(
            col(NumFormat::for_metrics(vs), &vs),
            ["7.401e-5", "4.600e1"]
        );
        let vs = [0.0079153887275, 0.1, 0.001];
        assert_eq!(
            col(NumFormat::for_hparams(vs), &vs),
            ["0.007915", "0.1", "0.001"]
        );
        let vs = [f64::INFINITY, -1.0];
        assert_eq!(col(NumFormat::for_metrics(vs), &vs), ["inf", "-1"]);
    }
}
