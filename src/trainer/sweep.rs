//! Trials and sweeps: one hparam value per declared hparam, enumerated as a
//! full grid ([`grid`]) or drawn at random from a seed ([`random`]).

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{Error, Result};
use crate::hparams::{default_group_name, Domain, ExperimentConfig, HParam, HParamValue};
use crate::rng::SplitMix64;

/// The most trials [`grid`] or [`random`] builds (2^20); more is an error
/// rather than an out-of-memory abort (e.g. a grid over a wide
/// `IntInterval`).
pub const MAX_TRIALS: usize = 1 << 20;

/// One trial: a value for each hparam, keyed and ordered by hparam name.
///
/// ```
/// use hp_report::Trial;
/// let t = Trial::new().with("units", 32).with("optimizer", "adam");
/// assert_eq!(t.get_i64("units"), Some(32));
/// assert_eq!(t.get_str("optimizer"), Some("adam"));
/// assert_eq!(t.to_string(), "optimizer=adam units=32");
/// assert_eq!(format!("[{t:<25}]"), "[optimizer=adam units=32  ]");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trial(BTreeMap<String, HParamValue>);

impl Trial {
    /// An empty trial.
    pub fn new() -> Self {
        Trial::default()
    }

    /// Adds (or replaces) a value, builder style.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<HParamValue>) -> Self {
        self.insert(name, value);
        self
    }

    /// Sets `name` to `value`, returning the previous value.
    pub fn insert(
        &mut self,
        name: impl Into<String>,
        value: impl Into<HParamValue>,
    ) -> Option<HParamValue> {
        self.0.insert(name.into(), value.into())
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&HParamValue> {
        self.0.get(name)
    }

    /// The value of `name` as a number (ints widened).
    pub fn get_f64(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(HParamValue::as_f64)
    }

    /// The value of `name` as an integer: an `Int`, or a `Float` with no
    /// fractional part that fits in `i64`.
    pub fn get_i64(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            HParamValue::Int(i) => Some(*i),
            HParamValue::Float(x)
                if x.fract() == 0.0 && (i64::MIN as f64..i64::MAX as f64).contains(x) =>
            {
                Some(*x as i64)
            }
            _ => None,
        }
    }

    /// The value of `name` if it is a string.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        match self.get(name)? {
            HParamValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value of `name` if it is a bool.
    pub fn get_bool(&self, name: &str) -> Option<bool> {
        match self.get(name)? {
            HParamValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The (name, value) pairs, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &HParamValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True if the trial holds no value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// TensorFlow's default `group_name` for these values (see
    /// [`default_group_name`]): equal trials share it, so TensorBoard
    /// averages their sessions.
    pub fn group_name(&self) -> String {
        default_group_name(self.iter())
    }
}

impl<K: Into<String>, V: Into<HParamValue>> FromIterator<(K, V)> for Trial {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Trial(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl<'a> IntoIterator for &'a Trial {
    type Item = (&'a String, &'a HParamValue);
    type IntoIter = std::collections::btree_map::Iter<'a, String, HParamValue>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for Trial {
    /// `name=value` pairs by name, space separated: `dropout=0.1 units=32`.
    /// Honours width and alignment (`{trial:<40}`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        for (k, v) in &self.0 {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&format!("{k}={v}"));
        }
        f.pad(&s)
    }
}

fn domain_of(h: &HParam) -> Result<&Domain> {
    h.domain.as_ref().ok_or_else(|| {
        Error::invalid(format!(
            "hparam {:?} has no domain, so a sweep cannot choose its values \
             (give it a Domain, or build the Trials yourself)",
            h.name
        ))
    })
}

/// Every combination of grid values, in declaration order with the first
/// hparam varying slowest (like nested `for` loops over the hparams).
///
/// Per hparam: every value of a `Discrete` domain, every integer of an
/// `IntInterval`, and `real_points` points spread evenly over a
/// `RealInterval` (log-evenly if it is log-scale), both ends included.
///
/// Errors: an invalid config, an hparam without a domain, `real_points == 0`
/// while a real interval is declared, or more than [`MAX_TRIALS`]
/// trials. A config without hparams gives one empty trial.
pub fn grid(cfg: &ExperimentConfig, real_points: usize) -> Result<Vec<Trial>> {
    cfg.validate()?;
    let mut axes: Vec<(&str, Vec<HParamValue>)> = Vec::with_capacity(cfg.hparams.len());
    let mut total: u128 = 1;
    for h in &cfg.hparams {
        let d = domain_of(h)?;
        let count: u128 = match d {
            Domain::Discrete(v) => v.len() as u128,
            Domain::IntInterval { min, max } => (*max as i128 - *min as i128 + 1) as u128,
            Domain::RealInterval { .. } if real_points == 0 => {
                return Err(Error::invalid(format!(
                    "grid: real_points must be at least 1 (hparam {:?} is a RealInterval)",
                    h.name
                )))
            }
            Domain::RealInterval { min, max, .. } if min == max => 1,
            Domain::RealInterval { .. } => real_points as u128,
        };
        total = total.saturating_mul(count);
        if total > MAX_TRIALS as u128 {
            return Err(Error::invalid(format!(
                "grid: more than {MAX_TRIALS} trials (at hparam {:?}); \
                 use fewer points or a random sweep",
                h.name
            )));
        }
        let values = match d {
            // Every integer: `count` is within the cap checked above.
            Domain::IntInterval { .. } => d.grid(count as usize),
            _ => d.grid(real_points),
        };
        axes.push((h.name.as_str(), values));
    }
    let mut trials = vec![Trial::new()];
    for (name, values) in axes {
        trials = trials
            .into_iter()
            .flat_map(|t| values.iter().map(move |v| t.clone().with(name, v.clone())))
            .collect();
    }
    Ok(trials)
}

/// `n` trials drawn independently from the domains: uniform over discrete
/// values and integers, uniform (log-uniform for log-scale) over real
/// intervals. The same `cfg`, `n` and `seed` always give the same trials,
/// in this and future versions ([`SplitMix64`]); a longer sweep with the same
/// seed starts with the trials of a shorter one. Draws are with replacement,
/// so a trial may repeat; TensorBoard then averages the repeats (they share
/// a default group name).
///
/// Errors: an invalid config, an hparam without a domain, or `n` greater
/// than [`MAX_TRIALS`].
pub fn random(cfg: &ExperimentConfig, n: usize, seed: u64) -> Result<Vec<Trial>> {
    cfg.validate()?;
    if n > MAX_TRIALS {
        return Err(Error::invalid(format!(
            "random: {n} trials requested, at most {MAX_TRIALS} are built"
        )));
    }
    let domains: Vec<(&str, &Domain)> = cfg
        .hparams
        .iter()
        .map(|h| Ok((h.name.as_str(), domain_of(h)?)))
        .collect::<Result<_>>()?;
    let mut rng = SplitMix64::new(seed);
    Ok((0..n)
        .map(|_| {
            domains
                .iter()
                .map(|(name, d)| (*name, d.sample(&mut rng)))
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> ExperimentConfig {
        ExperimentConfig::new()
            .hparam(HParam::new(
                "units",
                Domain::discrete([16, 32, 64]).unwrap(),
            ))
            .hparam(HParam::new("dropout", Domain::real(0.1, 0.3).unwrap()))
            .hparam(HParam::new(
                "optimizer",
                Domain::discrete(["sgd", "adam"]).unwrap(),
            ))
    }

    #[test]
    fn grid_is_a_cartesian_product_first_hparam_slowest() {
        let g = grid(&cfg(), 2).unwrap();
        assert_eq!(g.len(), 12);
        let key = |t: &Trial| {
            (
                t.get_i64("units").unwrap(),
                t.get_f64("dropout").unwrap(),
                t.get_str("optimizer").unwrap().to_string(),
            )
        };
        assert_eq!(key(&g[0]), (16, 0.1, "adam".into()));
        assert_eq!(key(&g[1]), (16, 0.1, "sgd".into()));
        assert_eq!(key(&g[2]), (16, 0.3, "adam".into()));
        assert_eq!(key(&g[4]), (32, 0.1, "adam".into()));
        assert_eq!(key(&g[11]), (64, 0.3, "sgd".into()));
        // Values keep their kind: ints stay ints (they hash differently).
        assert_eq!(g[0].get("units"), Some(&HParamValue::Int(16)));
    }

    #[test]
    fn grid_enumerates_int_intervals_and_log_spaces_reals() {
        let c = ExperimentConfig::new()
            .hparam(HParam::new("layers", Domain::int(1, 3).unwrap()))
            .hparam(HParam::new("lr", Domain::log_real(1e-3, 1e-1).unwrap()));
        let g = grid(&c, 3).unwrap();
        assert_eq!(g.len(), 9);
        let lrs: Vec<f64> = g[..3].iter().map(|t| t.get_f64("lr").unwrap()).collect();
        assert_eq!(lrs[0], 1e-3);
        assert!((lrs[1] - 1e-2).abs() < 1e-15);
        assert_eq!(lrs[2], 1e-1);
        let layers: Vec<i64> = g.iter().map(|t| t.get_i64("layers").unwrap()).collect();
        assert_eq!(layers, [1, 1, 1, 2, 2, 2, 3, 3, 3]);
        // An int interval is enumerated fully whatever real_points says.
        assert_eq!(grid(&c, 1).unwrap().len(), 3);
    }

    #[test]
    fn grid_errors() {
        let free = ExperimentConfig::new().hparam(HParam::free("x"));
        let e = grid(&free, 2).unwrap_err().to_string();
        assert!(e.contains("\"x\"") && e.contains("no domain"), "{e}");
        assert!(random(&free, 2, 0).is_err());
        assert!(grid(&cfg(), 0).is_err());
        let huge =
            ExperimentConfig::new().hparam(HParam::new("a", Domain::int(0, 1 << 40).unwrap()));
        assert!(grid(&huge, 2).is_err());
        let full = ExperimentConfig::new()
            .hparam(HParam::new("a", Domain::int(i64::MIN, i64::MAX).unwrap()));
        assert!(grid(&full, 2).is_err());
        let dup = cfg().hparam(HParam::new("units", Domain::int(1, 2).unwrap()));
        assert!(grid(&dup, 2).is_err());
        assert_eq!(
            grid(&ExperimentConfig::new(), 2).unwrap(),
            vec![Trial::new()]
        );
    }

    #[test]
    fn random_is_reproducible_and_in_domain() {
        let c = cfg();
        let a = random(&c, 20, 42).unwrap();
        assert_eq!(a, random(&c, 20, 42).unwrap());
        assert_ne!(a, random(&c, 20, 43).unwrap());
        assert_eq!(a[..5], random(&c, 5, 42).unwrap()[..]);
        for t in &a {
            assert_eq!(t.len(), 3);
            for h in &c.hparams {
                h.check(t.get(&h.name).unwrap()).unwrap();
            }
        }
        assert!(random(&c, 0, 1).unwrap().is_empty());
        assert!(random(&c, usize::MAX, 1).is_err());
    }

    #[test]
    fn trial_accessors() {
        let t: Trial = [("a", HParamValue::Float(2.0)), ("b", true.into())]
            .into_iter()
            .collect();
        assert_eq!(t.get_i64("a"), Some(2));
        assert_eq!(t.get_bool("b"), Some(true));
        assert_eq!(t.get_str("a"), None);
        assert_eq!(t.get("zz"), None);
        assert_eq!(t.to_string(), "a=2 b=true");
        assert_eq!(t.group_name().len(), 64);
    }
}
