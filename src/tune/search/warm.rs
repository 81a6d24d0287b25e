//! `--warm-start LOGDIR…`: results already in TensorBoard hparams logdirs
//! (Keras `hp.hparams`, tensorboardX or torch `add_hparams`, Optuna's
//! TensorBoard callback, a previous `tune` run) as prior observations for
//! the model-based searches.
//!
//! Each logdir is read with the ordinary reader and ranked table
//! ([`crate::analysis::build`]): the objective is the metric the table
//! finds under the objective's name (`group/tag`, a tag in one group only,
//! or a display name), reduced as `--strategy` says (last, min, max). A
//! session becomes an observation when its hparams fit the space: every
//! searched parameter present with a value inside the space (inside the
//! bounds, on the grid, one of the choices), a constant either absent or
//! equal, no hparam the space does not have, a finite objective, and a
//! status other than failure. Every other session is listed with the
//! reason it was left out. Observations come in the order given, each
//! logdir's sessions by name, so a warm-started search stays reproducible.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::dims::{same_value, Dims};
use super::Observation;
use crate::analysis::{build, Goal, Query, Reduction};
use crate::hparams::{HParamValue, Status};
use crate::logdir::{load, LoadOptions};
use crate::tune::metrics::Strategy;
use crate::tune::space::{Objective, Space};

/// The prior observations read from some logdirs, and what was left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WarmStart {
    /// The logdirs, as given.
    pub logdirs: Vec<PathBuf>,
    /// Sessions that fit the space, as observations.
    pub used: Vec<Observation>,
    /// Sessions (or whole logdirs) left out: `(what, why)`, one line each.
    pub ignored: Vec<(String, String)>,
    /// Sessions left out in all (a logdir without the objective counts
    /// each of its sessions).
    pub ignored_sessions: usize,
}

impl WarmStart {
    /// Reads `logdirs` for `space` and `objective`. Fails only when a
    /// logdir cannot be read at all.
    pub fn load(
        logdirs: &[PathBuf],
        space: &Space,
        objective: &Objective,
        strategy: Strategy,
    ) -> Result<WarmStart, String> {
        let dims = Dims::new(space);
        let mut out = WarmStart {
            logdirs: logdirs.to_vec(),
            ..WarmStart::default()
        };
        for dir in logdirs {
            let logdir = load(dir, &LoadOptions::default()).map_err(|e| e.to_string())?;
            let query = Query {
                sort: Some(objective.name.clone()),
                goal: Some(if objective.minimize {
                    Goal::Min
                } else {
                    Goal::Max
                }),
                reduce: match strategy {
                    Strategy::Last => Reduction::Last,
                    Strategy::Min => Reduction::Min,
                    Strategy::Max => Reduction::Max,
                },
                all_metrics: true,
                ..Query::default()
            };
            let shown = dir.display().to_string();
            let table = match build(&logdir, &query) {
                Ok(t) => t,
                Err(e) => {
                    let n = logdir.sessions.len();
                    out.ignored
                        .push((format!("{shown} ({n} sessions)"), e.to_string()));
                    out.ignored_sessions += n;
                    continue;
                }
            };
            let Some((key, _)) = table.sort.clone() else {
                continue;
            };
            let mut rows: Vec<_> = table.rows.iter().collect();
            rows.sort_by(|a, b| a.name.cmp(&b.name));
            for row in rows {
                let value = row.metrics.get(&key).copied();
                match fit(&dims, &row.hparams, row.status, value) {
                    Ok(o) => out.used.push(o),
                    Err(why) => {
                        out.ignored.push((format!("{shown}: {}", row.name), why));
                        out.ignored_sessions += 1;
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The observation a session gives, or why it does not fit.
fn fit(
    dims: &Dims,
    hparams: &BTreeMap<String, HParamValue>,
    status: Option<Status>,
    value: Option<f64>,
) -> Result<Observation, String> {
    if status == Some(Status::Failure) {
        return Err("the session failed".into());
    }
    let value = match value {
        Some(v) if v.is_finite() => v,
        Some(v) => return Err(format!("objective is {v}")),
        None => return Err("no value of the objective".into()),
    };
    let mut coords = Vec::with_capacity(dims.len());
    for (name, dim) in &dims.dims {
        let v = hparams
            .get(name)
            .ok_or_else(|| format!("no hparam {name}"))?;
        let c = dim
            .coord(v)
            .ok_or_else(|| format!("{name} = {v} is outside the space"))?;
        coords.push(c);
    }
    for (name, c) in &dims.consts {
        if let Some(v) = hparams.get(name).filter(|v| !same_value(v, c)) {
            return Err(format!("{name} = {v}, the space fixes it at {c}"));
        }
    }
    let known =
        |n: &String| dims.dims.iter().any(|d| &d.0 == n) || dims.consts.iter().any(|c| &c.0 == n);
    let extra: Vec<&str> = hparams
        .keys()
        .filter(|n| !known(n))
        .map(String::as_str)
        .collect();
    if !extra.is_empty() {
        return Err(format!("hparams not in the space: {}", extra.join(", ")));
    }
    Ok(Observation {
        trial: dims.trial(&coords),
        value: Some(value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name)
    }

    fn space(args: &[&str]) -> Space {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        Space::from_args(&args).unwrap_or_default()
    }

    fn objective(name: &str, minimize: bool) -> Objective {
        Objective {
            name: name.into(),
            minimize,
        }
    }

    #[test]
    fn keras_sessions_that_fit_become_observations() {
        let s = space(&[
            "deep_layer_size=choice(32,64,128)",
            "deep_layers=int(1,3)",
            "learning_rate=choice(0.001,0.1)",
        ]);
        let dirs = [fixture("keras_mlp_grid")];
        let o = objective("validation/epoch_auc", false);
        let w = WarmStart::load(&dirs, &s, &o, Strategy::Last).unwrap_or_default();
        assert_eq!((w.used.len(), w.ignored_sessions), (6, 0), "{w:?}");
        // Values come back typed as the space has them (ints, not 32.0).
        assert!(w
            .used
            .iter()
            .all(|u| matches!(u.trial.get("deep_layers"), Some(HParamValue::Int(1..=3)))));
        // run-2 (size 128, 1 layer, lr 0.001) has the best AUC, 0.9456.
        let best = w
            .used
            .iter()
            .max_by(|a, b| a.value.unwrap_or(0.0).total_cmp(&b.value.unwrap_or(0.0)));
        let best = best.map(|b| (b.trial.get_i64("deep_layer_size"), b.value));
        assert!(matches!(best, Some((Some(128), Some(v))) if (v - 0.9456).abs() < 1e-4));
    }

    #[test]
    fn sessions_outside_the_space_are_listed_with_a_reason() {
        let dirs = [fixture("keras_mlp_grid"), fixture("tbx_hparams")];
        let o = objective("validation/epoch_auc", false);
        // learning_rate 0.001 is below the bounds; deep_layer_size is not
        // searched at all.
        let s = space(&["deep_layers=int(1,3)", "learning_rate=uniform(0.01,1)"]);
        let w = WarmStart::load(&dirs, &s, &o, Strategy::Last).unwrap_or_default();
        assert_eq!(w.used.len(), 0);
        assert_eq!(w.ignored_sessions, 10);
        let why: Vec<&str> = w.ignored.iter().map(|i| i.1.as_str()).collect();
        assert!(
            why.iter()
                .any(|y| y.contains("learning_rate = 0.001 is outside the space")),
            "{why:?}"
        );
        assert!(
            why.iter()
                .any(|y| y.contains("not in the space: deep_layer_size")),
            "{why:?}"
        );
        // The tensorboardX logdir has no such metric: one line for all 4.
        assert!(
            w.ignored
                .iter()
                .any(|(what, why)| what.ends_with("tbx_hparams (4 sessions)")
                    && why.contains("no metric")),
            "{w:?}"
        );
    }

    #[test]
    fn tensorboardx_sessions_with_a_categorical_fit() {
        let dirs = [fixture("tbx_hparams")];
        let s = space(&[
            "lr=loguniform(1e-4,1)",
            "layers=int(1,4)",
            "optimizer=choice(adam,sgd,rmsprop)",
            "use_bn=choice(true,false)",
        ]);
        let o = objective("hparam/accuracy", false);
        let w = WarmStart::load(&dirs, &s, &o, Strategy::Max).unwrap_or_default();
        assert_eq!((w.used.len(), w.ignored_sessions), (4, 0), "{w:?}");
    }

    #[test]
    fn a_missing_logdir_is_an_error() {
        let dirs = [fixture("no_such_logdir")];
        let w = WarmStart::load(
            &dirs,
            &space(&["x=uniform(0,1)"]),
            &objective("loss", true),
            Strategy::Last,
        );
        assert!(w.is_err_and(|e| e.contains("does not exist")));
    }
}
