//! W&B sweep files (YAML or JSON), our native space-file format.
//!
//! W&B's meanings, kept:
//! * `values: [..]` → choice; `value: x` → constant;
//! * `min`/`max` without `distribution`: `int_uniform` when both are
//!   integers, else `uniform`; both ends included;
//! * `log_uniform`: `min`/`max` are **natural logarithms** of the bounds
//!   (`min: -9.2` means e^-9.2 ≈ 1e-4), with a warning that suggests
//!   `log_uniform_values`, whose `min`/`max` are the values themselves;
//! * `inv_log_uniform`: log(1/X) uniform on [min, max], i.e. X log-uniform on
//!   [e^-max, e^-min]; `inv_log_uniform_values`: X log-uniform on [min, max];
//! * `q_uniform`, `q_log_uniform(_values)`: round(X/q)·q, `q` default 1
//!   (we also clip to [min, max], and a grid includes `max`, where W&B's
//!   `np.arange` drops it);
//! * `normal`, `q_normal`, `log_normal`, `q_log_normal`: `mu` default 0,
//!   `sigma` default 1;
//! * nested `parameters:` are flattened to `outer.inner` names.
//!
//! Extensions: a parameter may be a SPEC string (`"choice(adam, sgd)"`) or
//! an NNI `{_type, _value}` object; top-level `parallel` and `max_failures`.
//! `beta`/`q_beta` and `probabilities` weights are not supported (the
//! first is an error, the second a warning: choices are drawn uniformly).

use serde_yaml_ng::Mapping;

use super::doc::{key_str, show, Value};

use super::doc::Ctx;
use super::{Objective, Param, ParamKind, Space, SpaceError, SpaceFile};

/// Reads a W&B sweep document.
pub(super) fn read(doc: &Value, ctx: &Ctx) -> Result<SpaceFile, SpaceError> {
    let mut sf = SpaceFile::default();
    let params = ctx
        .get(doc, "parameters")
        .and_then(Value::as_mapping)
        .ok_or_else(|| ctx.at("parameters").err("expected a map of parameters"))?;
    read_params(
        params,
        "",
        &ctx.at("parameters"),
        &mut sf.space,
        &mut sf.warnings,
    )?;
    if let Some(m) = ctx.get(doc, "metric") {
        let c = ctx.at("metric");
        let name = c
            .str_at(m, "name")?
            .ok_or_else(|| c.at("name").err("missing the metric's `name`"))?;
        let minimize = match c.str_at(m, "goal")? {
            None | Some("minimize") => true,
            Some("maximize") => false,
            Some(g) => {
                return Err(c
                    .at("goal")
                    .err(format!("expected minimize or maximize, got {g:?}")))
            }
        };
        sf.objective = Some(Objective {
            name: name.to_string(),
            minimize,
        });
        if let Some(t) = c.get(m, "target") {
            sf.target = Some(c.at("target").num(t)?);
        }
    }
    sf.method = ctx.str_at(doc, "method")?.map(str::to_string);
    sf.max_trials = ctx.count(doc, "run_cap")?;
    sf.max_failures = ctx.count(doc, "max_failures")?;
    sf.parallel = ctx
        .count(doc, "parallel")?
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    sf.program = ctx.str_at(doc, "program")?.map(str::to_string);
    sf.command = command(doc, ctx)?;
    if ctx.get(doc, "early_terminate").is_some() {
        sf.warnings
            .push("early_terminate is not supported yet: trials run to their end".into());
    }
    Ok(sf)
}

/// `command:` as a list of words (W&B macros such as `${args}` kept as they are).
fn command(doc: &Value, ctx: &Ctx) -> Result<Option<Vec<String>>, SpaceError> {
    let Some(v) = ctx.get(doc, "command") else {
        return Ok(None);
    };
    let c = ctx.at("command");
    let Some(list) = v.as_sequence() else {
        return Err(c.err("expected a list of words"));
    };
    list.iter()
        .enumerate()
        .map(|(i, w)| match w {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(c
                .at(&i.to_string())
                .err(format!("expected a word, got {}", show(other)))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The parameters of one `parameters:` map, nested maps flattened.
fn read_params(
    params: &Mapping,
    prefix: &str,
    ctx: &Ctx,
    space: &mut Space,
    warnings: &mut Vec<String>,
) -> Result<(), SpaceError> {
    for (key, v) in params {
        let key = key_str(key);
        let name = format!("{prefix}{key}");
        let c = ctx.param(&name, &key);
        if let Some(nested) = v.get("parameters").and_then(Value::as_mapping) {
            read_params(
                nested,
                &format!("{name}."),
                &c.at("parameters"),
                space,
                warnings,
            )?;
            continue;
        }
        let p = read_param(&name, v, &c, warnings)?;
        space.push(p).map_err(|e| c.err(e))?;
    }
    Ok(())
}

fn read_param(
    name: &str,
    v: &Value,
    c: &Ctx,
    warnings: &mut Vec<String>,
) -> Result<Param, SpaceError> {
    if let Value::String(spec) = v {
        return Ok(Param {
            name: name.to_string(),
            kind: super::spec::parse_spec(name, spec).map_err(|e| c.err(e.message))?,
        });
    }
    if !v.is_mapping() {
        return Err(c.err(format!(
            "expected a map (values/value/distribution/min/max) or a SPEC string, got {}",
            show(v)
        )));
    }
    if v.get("_type").is_some() {
        return super::nni::read_param(name, v, c);
    }
    let dist = c.str_at(v, "distribution")?;
    if c.get(v, "probabilities").is_some() {
        warnings.push(format!(
            "parameter {name:?}: `probabilities` ignored, its values are drawn uniformly"
        ));
    }
    let kind = match dist {
        None => implied(v, c)?,
        Some(d) => distribution(name, d, v, c, warnings)?,
    };
    c.checked(name, kind)
}

/// A parameter without `distribution`: W&B infers it from the keys.
fn implied(v: &Value, c: &Ctx) -> Result<ParamKind, SpaceError> {
    if let Some(vals) = c.get(v, "values") {
        return Ok(ParamKind::Choice(c.at("values").values(vals)?));
    }
    if let Some(x) = c.get(v, "value") {
        return Ok(ParamKind::Const(c.at("value").value(x)?));
    }
    match (c.get(v, "min"), c.get(v, "max")) {
        (Some(lo), Some(hi)) if lo.is_i64() && hi.is_i64() => Ok(ParamKind::Int {
            lo: c.at("min").int(lo)?,
            hi: c.at("max").int(hi)?,
        }),
        (Some(_), Some(_)) => Ok(ParamKind::Uniform {
            lo: c.num_at(v, "min")?,
            hi: c.num_at(v, "max")?,
        }),
        _ => Err(
            c.err("expected `values`, `value`, `min` and `max`, or a `distribution`".to_string())
        ),
    }
}

/// A parameter with a `distribution`: W&B's names, by family.
fn distribution(
    name: &str,
    d: &str,
    v: &Value,
    c: &Ctx,
    warnings: &mut Vec<String>,
) -> Result<ParamKind, SpaceError> {
    match d {
        "constant" | "categorical" | "categorical_w_probabilities" | "int_uniform" => {
            listed(d, v, c)
        }
        "uniform" => Ok(ParamKind::Uniform {
            lo: c.num_at(v, "min")?,
            hi: c.num_at(v, "max")?,
        }),
        "q_uniform" => Ok(ParamKind::QUniform {
            lo: c.num_at(v, "min")?,
            hi: c.num_at(v, "max")?,
            q: c.num_or(v, "q", 1.0)?,
        }),
        "log_uniform"
        | "log_uniform_values"
        | "inv_log_uniform"
        | "inv_log_uniform_values"
        | "q_log_uniform"
        | "q_log_uniform_values" => log_scale(name, d, v, c, warnings),
        "normal" | "q_normal" | "log_normal" | "q_log_normal" => normal(d, v, c),
        "beta" | "q_beta" => Err(c
            .at("distribution")
            .err(format!("W&B's {d} distribution is not supported"))),
        other => Err(c
            .at("distribution")
            .err(format!("unknown W&B distribution {other:?}"))),
    }
}

/// `constant`, `categorical` (probabilities ignored) and `int_uniform`:
/// values as written.
fn listed(d: &str, v: &Value, c: &Ctx) -> Result<ParamKind, SpaceError> {
    let required = |key: &str| {
        c.get(v, key)
            .ok_or_else(|| c.err(format!("missing `{key}`")))
    };
    Ok(match d {
        "constant" => ParamKind::Const(c.at("value").value(required("value")?)?),
        "int_uniform" => ParamKind::Int {
            lo: c.at("min").int(required("min")?)?,
            hi: c.at("max").int(required("max")?)?,
        },
        _ => ParamKind::Choice(c.at("values").values(required("values")?)?),
    })
}

/// The log-uniform family. W&B's `log_uniform`, `inv_log_uniform` and
/// `q_log_uniform` take min/max as natural logarithms; the `_values` forms
/// take the bounds themselves.
fn log_scale(
    name: &str,
    d: &str,
    v: &Value,
    c: &Ctx,
    warnings: &mut Vec<String>,
) -> Result<ParamKind, SpaceError> {
    let lo = || c.num_at(v, "min");
    let hi = || c.num_at(v, "max");
    let q = || c.num_or(v, "q", 1.0);
    let ln_warning = || {
        format!(
            "parameter {name:?}: W&B's {d} takes min/max as natural logarithms \
             (bounds e^min..e^max); use {d}_values for bounds given as values"
        )
    };
    let exp_bounds = |lo: f64, hi: f64| -> Result<(f64, f64), SpaceError> {
        let (a, b) = (lo.exp(), hi.exp());
        if a > 0.0 && b.is_finite() {
            Ok((a, b))
        } else {
            Err(c.err(format!(
                "{d}: e^{lo}..e^{hi} is not a usable range (min/max are natural logarithms; \
                 did you mean {d}_values?)"
            )))
        }
    };
    Ok(match d {
        "log_uniform" => {
            warnings.push(ln_warning());
            let (lo, hi) = exp_bounds(lo()?, hi()?)?;
            ParamKind::LogUniform { lo, hi }
        }
        "inv_log_uniform" => {
            let (lo, hi) = exp_bounds(-hi()?, -lo()?)?;
            ParamKind::LogUniform { lo, hi }
        }
        "q_log_uniform" => {
            warnings.push(ln_warning());
            let (lo, hi) = exp_bounds(lo()?, hi()?)?;
            ParamKind::QLogUniform { lo, hi, q: q()? }
        }
        "q_log_uniform_values" => ParamKind::QLogUniform {
            lo: lo()?,
            hi: hi()?,
            q: q()?,
        },
        // log_uniform_values, inv_log_uniform_values
        _ => ParamKind::LogUniform {
            lo: lo()?,
            hi: hi()?,
        },
    })
}

/// `normal`, `log_normal` and their `q_` forms (rounded to a multiple of q).
fn normal(d: &str, v: &Value, c: &Ctx) -> Result<ParamKind, SpaceError> {
    let mu = c.num_or(v, "mu", 0.0)?;
    let sigma = c.num_or(v, "sigma", 1.0)?;
    let q = match d.strip_prefix("q_") {
        Some(_) => Some(c.num_or(v, "q", 1.0)?),
        None => None,
    };
    Ok(if d.ends_with("log_normal") {
        ParamKind::LogNormal { mu, sigma, q }
    } else {
        ParamKind::Normal { mu, sigma, q }
    })
}
