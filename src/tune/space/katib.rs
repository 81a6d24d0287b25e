//! Katib `Experiment` resources (`kubeflow.org/v1beta1`, YAML or JSON).
//!
//! Katib's meanings, kept:
//! * `parameterType: double` — `feasibleSpace.min`/`max` both included;
//!   `distribution: logUniform` → log scale; with a `step`, the values are
//!   min, min+step, … ≤ max (Katib's grid, `np.arange` trimmed to max);
//! * `int` — min/max both included, `step` default 1;
//! * `discrete` — `list` of numbers; `categorical` — `list` of strings,
//!   kept as strings even when they look like numbers;
//! * feasibleSpace values are strings in Katib's YAML (`"0.01"`); plain
//!   numbers are accepted too;
//! * `spec.objective`: `type` minimize|maximize, `goal` (the target),
//!   `objectiveMetricName`, `additionalMetricNames`, `metricStrategies`
//!   (Katib's default strategy is `min` for minimize and `max` for maximize,
//!   and that default is kept);
//! * `parallelTrialCount`, `maxTrialCount`, `maxFailedTrialCount`,
//!   `algorithm.algorithmName` as the method.
//!
//! `normal`/`logNormal` distributions are refused (Katib does not say what
//! mean and deviation min/max stand for). The trial template is ignored.

use super::super::metrics::Strategy;
use super::doc::{show, Ctx, Value};
use super::{Objective, ParamKind, SpaceError, SpaceFile};

/// Reads a Katib Experiment document.
pub(super) fn read(doc: &Value, ctx: &Ctx) -> Result<SpaceFile, SpaceError> {
    let c = ctx.at("spec");
    let spec = ctx
        .get(doc, "spec")
        .ok_or_else(|| c.err("missing `spec` (a Katib Experiment keeps everything there)"))?;
    let mut sf = SpaceFile::default();
    let params = c
        .get(spec, "parameters")
        .and_then(Value::as_sequence)
        .ok_or_else(|| c.at("parameters").err("expected a list of parameters"))?;
    for (i, p) in params.iter().enumerate() {
        let pc = c.at("parameters").at(&i.to_string());
        let name = pc
            .str_at(p, "name")?
            .ok_or_else(|| pc.at("name").err("a parameter without `name`"))?;
        let pc = c.at("parameters").param(name, &i.to_string());
        let kind = param(p, &pc)?;
        let param = pc.checked(name, kind)?;
        sf.space.push(param).map_err(|e| pc.err(e))?;
    }
    if let Some(o) = c.get(spec, "objective") {
        objective(o, &c.at("objective"), &mut sf)?;
    }
    sf.parallel = c
        .count(spec, "parallelTrialCount")?
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    sf.max_trials = c.count(spec, "maxTrialCount")?;
    sf.max_failures = c.count(spec, "maxFailedTrialCount")?;
    if let Some(a) = spec
        .get("algorithm")
        .and_then(|a| a.get("algorithmName"))
        .and_then(Value::as_str)
    {
        sf.method = Some(a.to_string());
    }
    Ok(sf)
}

/// One `spec.parameters[]` entry.
fn param(p: &Value, c: &Ctx) -> Result<ParamKind, SpaceError> {
    let ty = c
        .str_at(p, "parameterType")?
        .ok_or_else(|| c.at("parameterType").err("missing `parameterType`"))?;
    let fc = c.at("feasibleSpace");
    let fs = c
        .get(p, "feasibleSpace")
        .ok_or_else(|| fc.err("missing `feasibleSpace`"))?;
    let dist = fc.str_at(fs, "distribution")?.unwrap_or("uniform");
    let step = match fc.get(fs, "step") {
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(s) => Some(fc.at("step").num(s)?),
        None => None,
    };
    match ty {
        "double" => {
            let (lo, hi) = (fc.num_at(fs, "min")?, fc.num_at(fs, "max")?);
            match (dist, step) {
                ("uniform" | "", None) => Ok(ParamKind::Uniform { lo, hi }),
                ("logUniform", None) => Ok(ParamKind::LogUniform { lo, hi }),
                ("uniform" | "", Some(step)) => Ok(ParamKind::Stepped { lo, hi, step }),
                ("logUniform", Some(q)) => Ok(ParamKind::QLogUniform { lo, hi, q }),
                (d, _) => Err(fc.at("distribution").err(format!(
                    "distribution {d:?} is not supported (uniform or logUniform)"
                ))),
            }
        }
        "int" => {
            let lo = fc
                .at("min")
                .int(fc.get(fs, "min").ok_or_else(|| fc.err("missing `min`"))?)?;
            let hi = fc
                .at("max")
                .int(fc.get(fs, "max").ok_or_else(|| fc.err("missing `max`"))?)?;
            if !matches!(dist, "uniform" | "") {
                return Err(fc.at("distribution").err(format!(
                    "distribution {dist:?} is not supported for int parameters"
                )));
            }
            match step {
                None => Ok(ParamKind::Int { lo, hi }),
                Some(1.0) => Ok(ParamKind::Int { lo, hi }),
                Some(s) if s.fract() == 0.0 => Ok(ParamKind::Stepped {
                    lo: lo as f64,
                    hi: hi as f64,
                    step: s,
                }),
                Some(s) => Err(fc.at("step").err(format!(
                    "an int parameter's step must be an integer, got {s}"
                ))),
            }
        }
        "discrete" => {
            let list = list(fs, &fc)?;
            let vals = list
                .iter()
                .enumerate()
                .map(|(i, v)| fc.at("list").at(&i.to_string()).num(v).map(number))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ParamKind::Choice(vals))
        }
        "categorical" => {
            let list = list(fs, &fc)?;
            let vals = list
                .iter()
                .map(|v| match v {
                    Value::String(s) => crate::hparams::HParamValue::Str(s.clone()),
                    other => crate::hparams::HParamValue::Str(show(other)),
                })
                .collect();
            Ok(ParamKind::Choice(vals))
        }
        other => Err(c.at("parameterType").err(format!(
            "unknown parameterType {other:?} (double, int, discrete or categorical)"
        ))),
    }
}

/// A discrete number: an integer when it is whole.
fn number(x: f64) -> crate::hparams::HParamValue {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        crate::hparams::HParamValue::Int(x as i64)
    } else {
        crate::hparams::HParamValue::Float(x)
    }
}

fn list<'v>(fs: &'v Value, fc: &Ctx) -> Result<&'v Vec<Value>, SpaceError> {
    fc.get(fs, "list")
        .and_then(Value::as_sequence)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| fc.at("list").err("expected a non-empty `list`"))
}

/// `spec.objective`: the objective, its goal, strategy and other metrics.
fn objective(o: &Value, c: &Ctx, sf: &mut SpaceFile) -> Result<(), SpaceError> {
    let minimize = match c.str_at(o, "type")? {
        Some("minimize") | None => true,
        Some("maximize") => false,
        Some(t) => {
            return Err(c
                .at("type")
                .err(format!("expected minimize or maximize, got {t:?}")))
        }
    };
    let name = c.str_at(o, "objectiveMetricName")?.ok_or_else(|| {
        c.at("objectiveMetricName")
            .err("missing `objectiveMetricName`")
    })?;
    sf.objective = Some(Objective {
        name: name.to_string(),
        minimize,
    });
    if let Some(g) = c.get(o, "goal") {
        sf.target = Some(c.at("goal").num(g)?);
    }
    if let Some(list) = c
        .get(o, "additionalMetricNames")
        .and_then(Value::as_sequence)
    {
        sf.other_metrics = list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
    }
    sf.strategy = Some(if minimize {
        Strategy::Min
    } else {
        Strategy::Max
    });
    if let Some(list) = c.get(o, "metricStrategies").and_then(Value::as_sequence) {
        for (i, s) in list.iter().enumerate() {
            let sc = c.at("metricStrategies").at(&i.to_string());
            if sc.str_at(s, "name")? == Some(name) {
                let v = sc.str_at(s, "value")?.unwrap_or("latest");
                sf.strategy = Some(v.parse().map_err(|e| sc.at("value").err(e))?);
            }
        }
    }
    Ok(())
}
