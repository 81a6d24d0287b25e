//! Hyperparameter domains: what values an hparam may take, how TensorBoard
//! stores that, and how a sweep enumerates or samples it.

use crate::error::{Error, Result};
use crate::hparams::value::HParamValue;
use crate::proto::google::protobuf::ListValue;
use crate::proto::tensorboard::hparams::{h_param_info, DataType, Interval};
use crate::rng::SplitMix64;

/// The values an hparam may take.
#[derive(Clone, Debug, PartialEq)]
pub enum Domain {
    /// Integers in `[min, max]` (stored as a FLOAT64 interval: TensorBoard has
    /// no integer type).
    IntInterval {
        /// Smallest value.
        min: i64,
        /// Largest value.
        max: i64,
    },
    /// Reals in `[min, max]`; `log` samples and spaces grid points
    /// log-uniformly (the stored domain is the same interval).
    RealInterval {
        /// Smallest value.
        min: f64,
        /// Largest value.
        max: f64,
        /// Sample on a log scale (needs `min > 0`).
        log: bool,
    },
    /// A finite set of values of one kind, kept sorted as TensorBoard sorts
    /// them (numbers ascending, strings by code point, `false` < `true`).
    Discrete(Vec<HParamValue>),
}

impl Domain {
    /// `[min, max]` of integers.
    pub fn int(min: i64, max: i64) -> Result<Self> {
        if min > max {
            return Err(Error::invalid(format!("IntInterval min {min} > max {max}")));
        }
        Ok(Domain::IntInterval { min, max })
    }

    /// `[min, max]` of reals, sampled uniformly.
    pub fn real(min: f64, max: f64) -> Result<Self> {
        Self::check_real(min, max)?;
        Ok(Domain::RealInterval {
            min,
            max,
            log: false,
        })
    }

    /// `[min, max]` of reals, sampled log-uniformly (`0 < min`).
    pub fn log_real(min: f64, max: f64) -> Result<Self> {
        Self::check_real(min, max)?;
        if min <= 0.0 {
            return Err(Error::invalid(format!(
                "a log-scale RealInterval needs min > 0, got {min}"
            )));
        }
        Ok(Domain::RealInterval {
            min,
            max,
            log: true,
        })
    }

    fn check_real(min: f64, max: f64) -> Result<()> {
        if !min.is_finite() || !max.is_finite() {
            return Err(Error::invalid(format!(
                "RealInterval bounds must be finite, got [{min}, {max}]"
            )));
        }
        if min > max {
            return Err(Error::invalid(format!(
                "RealInterval min {min} > max {max}"
            )));
        }
        Ok(())
    }

    /// A discrete set. All values must be numbers (ints and floats may mix),
    /// or all strings, or all bools; numbers must be finite. The values are
    /// sorted and duplicates removed.
    pub fn discrete<V: Into<HParamValue>>(values: impl IntoIterator<Item = V>) -> Result<Self> {
        let mut vals: Vec<HParamValue> = values.into_iter().map(Into::into).collect();
        if vals.is_empty() {
            return Err(Error::invalid("a Discrete domain needs at least one value"));
        }
        let kind = |v: &HParamValue| match v {
            HParamValue::Bool(_) => 0,
            HParamValue::Int(_) | HParamValue::Float(_) => 1,
            HParamValue::Str(_) => 2,
        };
        let k0 = kind(&vals[0]);
        if let Some(odd) = vals.iter().find(|v| kind(v) != k0) {
            return Err(Error::invalid(format!(
                "a Discrete domain's values must all be numbers, all strings or all bools; \
                 {odd:?} does not match {:?}",
                vals[0]
            )));
        }
        if let Some(bad) = vals
            .iter()
            .find(|v| v.as_f64().is_some_and(|x| !x.is_finite()))
        {
            return Err(Error::invalid(format!(
                "Discrete domain values must be finite, got {bad:?}"
            )));
        }
        vals.sort_by(|a, b| a.total_cmp(b));
        vals.dedup_by(|a, b| a.total_cmp(b).is_eq());
        Ok(Domain::Discrete(vals))
    }

    /// The hparams `DataType` TensorBoard stores for this domain.
    pub fn data_type(&self) -> DataType {
        match self {
            Domain::IntInterval { .. } | Domain::RealInterval { .. } => DataType::Float64,
            Domain::Discrete(v) => match v.first() {
                Some(HParamValue::Bool(_)) => DataType::Bool,
                Some(HParamValue::Str(_)) => DataType::String,
                _ => DataType::Float64,
            },
        }
    }

    /// The domain as `HParamInfo.domain`.
    pub fn to_proto(&self) -> h_param_info::Domain {
        match self {
            Domain::IntInterval { min, max } => h_param_info::Domain::DomainInterval(Interval {
                min_value: *min as f64,
                max_value: *max as f64,
            }),
            Domain::RealInterval { min, max, .. } => {
                h_param_info::Domain::DomainInterval(Interval {
                    min_value: *min,
                    max_value: *max,
                })
            }
            Domain::Discrete(v) => h_param_info::Domain::DomainDiscrete(ListValue {
                values: v.iter().map(HParamValue::to_proto).collect(),
            }),
        }
    }

    /// Whether `v` is a value of this domain.
    pub fn contains(&self, v: &HParamValue) -> bool {
        match (self, v) {
            (Domain::IntInterval { min, max }, HParamValue::Int(i)) => (min..=max).contains(&i),
            (Domain::IntInterval { min, max }, HParamValue::Float(x)) => {
                x.fract() == 0.0 && (*min as f64..=*max as f64).contains(x)
            }
            (Domain::RealInterval { min, max, .. }, v) => {
                v.as_f64().is_some_and(|x| (*min..=*max).contains(&x))
            }
            (Domain::Discrete(vals), v) => vals.iter().any(|d| d.total_cmp(v).is_eq()),
            _ => false,
        }
    }

    /// Grid points: every discrete value; every integer of an int interval
    /// (or `n` evenly spread ones if it holds more than `n`); `n` points
    /// spread evenly (log-evenly with `log`) over a real interval, ends
    /// included. `n` is at least 1.
    pub fn grid(&self, n: usize) -> Vec<HParamValue> {
        let n = n.max(1);
        match self {
            Domain::Discrete(v) => v.clone(),
            Domain::IntInterval { min, max } => {
                let count = (*max as i128 - *min as i128 + 1) as u128;
                if count <= n as u128 {
                    (*min..=*max).map(HParamValue::Int).collect()
                } else {
                    let mut out: Vec<HParamValue> = (0..n)
                        .map(|i| {
                            let t = if n == 1 {
                                0.0
                            } else {
                                i as f64 / (n - 1) as f64
                            };
                            let x = *min as f64 + t * (*max as f64 - *min as f64);
                            HParamValue::Int(x.round() as i64)
                        })
                        .collect();
                    out.dedup();
                    out
                }
            }
            Domain::RealInterval { min, max, log } => {
                if n == 1 || min == max {
                    return vec![HParamValue::Float(*min)];
                }
                (0..n)
                    .map(|i| {
                        let t = i as f64 / (n - 1) as f64;
                        let x = if *log {
                            (min.ln() + t * (max.ln() - min.ln())).exp()
                        } else {
                            min + t * (max - min)
                        };
                        // Keep the ends exact despite exp/ln round-off.
                        let x = if i == 0 {
                            *min
                        } else if i == n - 1 {
                            *max
                        } else {
                            x
                        };
                        HParamValue::Float(x)
                    })
                    .collect()
            }
        }
    }

    /// One value drawn uniformly (log-uniformly with `log`).
    pub fn sample(&self, rng: &mut SplitMix64) -> HParamValue {
        match self {
            Domain::Discrete(v) => {
                let i = rng.below(v.len() as u64) as usize;
                v.get(i).cloned().unwrap_or(HParamValue::Int(0))
            }
            Domain::IntInterval { min, max } => {
                let span = (*max as i128 - *min as i128 + 1) as u128;
                let off = if span > u64::MAX as u128 {
                    rng.next_u64() as i128
                } else {
                    rng.below(span as u64) as i128
                };
                HParamValue::Int((*min as i128 + off) as i64)
            }
            Domain::RealInterval { min, max, log } => {
                let u = rng.next_f64();
                let x = if *log {
                    (min.ln() + u * (max.ln() - min.ln())).exp()
                } else {
                    min + u * (max - min)
                };
                HParamValue::Float(x.clamp(*min, *max))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discrete_sorts_like_tensorboard() {
        let d = Domain::discrete(["sgd", "adam"]).unwrap();
        assert_eq!(d, Domain::Discrete(vec!["adam".into(), "sgd".into()]));
        let d = Domain::discrete([true, false]).unwrap();
        assert_eq!(d, Domain::Discrete(vec![false.into(), true.into()]));
        assert_eq!(d.data_type(), DataType::Bool);
        let d = Domain::discrete([16, 8]).unwrap();
        assert_eq!(d, Domain::Discrete(vec![8.into(), 16.into()]));
        assert_eq!(d.data_type(), DataType::Float64);
        assert!(Domain::discrete(Vec::<i32>::new()).is_err());
        assert!(Domain::discrete([HParamValue::from(1), "a".into()]).is_err());
        assert!(Domain::discrete([f64::NAN]).is_err());
    }

    #[test]
    fn intervals_validate_and_contain() {
        assert!(Domain::real(1.0, 0.0).is_err());
        assert!(Domain::real(0.0, f64::INFINITY).is_err());
        assert!(Domain::log_real(0.0, 1.0).is_err());
        assert!(Domain::int(3, 1).is_err());
        let d = Domain::int(1, 3).unwrap();
        assert!(d.contains(&2.into()) && !d.contains(&4.into()) && !d.contains(&1.5.into()));
        let r = Domain::real(0.0, 0.5).unwrap();
        assert!(
            r.contains(&0.5.into()) && !r.contains(&f64::NAN.into()) && !r.contains(&"a".into())
        );
    }

    #[test]
    fn grid_points() {
        assert_eq!(Domain::int(1, 3).unwrap().grid(10).len(), 3);
        let g = Domain::log_real(1e-4, 1e-1).unwrap().grid(4);
        let xs: Vec<f64> = g.iter().map(|v| v.as_f64().unwrap()).collect();
        assert_eq!((xs[0], xs[3]), (1e-4, 1e-1), "ends are exact");
        assert!((xs[1] - 1e-3).abs() < 1e-15 && (xs[2] - 1e-2).abs() < 1e-15);
        let g = Domain::real(0.0, 1.0).unwrap().grid(3);
        assert_eq!(g, vec![0.0.into(), 0.5.into(), 1.0.into()]);
    }

    #[test]
    fn samples_stay_in_domain() {
        let mut rng = SplitMix64::new(7);
        for d in [
            Domain::int(-3, 5).unwrap(),
            Domain::real(0.1, 0.2).unwrap(),
            Domain::log_real(1e-5, 1.0).unwrap(),
            Domain::discrete(["a", "b", "c"]).unwrap(),
        ] {
            for _ in 0..1000 {
                let v = d.sample(&mut rng);
                assert!(d.contains(&v), "{v:?} not in {d:?}");
            }
        }
    }
}
