//! NNI search spaces (`{"lr": {"_type": "loguniform", "_value": [1e-5, 0.1]}}`)
//! and NNI experiment configs that hold one (`searchSpace:` inline or
//! `searchSpaceFile:`).
//!
//! NNI's meanings, kept: `randint [lo, hi)` excludes `hi` (→ `int(lo, hi-1)`);
//! `uniform`, `loguniform` are `[lo, hi]` in values (not exponents);
//! `quniform [lo, hi, q]` and `qloguniform` are clip(round(x/q)·q, lo, hi);
//! `normal [mu, sigma]`, `qnormal`, `lognormal [mu, sigma]` (exp of a
//! normal), `qlognormal`. A `choice` option that is an object (`_name`: a
//! conditional sub-space) is refused.

use std::path::Path;

use super::doc::{key_str, show, Ctx, Value};
use super::{Param, ParamKind, Space, SpaceError, SpaceFile};

/// One `{_type, _value}` entry.
pub(super) fn read_param(name: &str, v: &Value, ctx: &Ctx) -> Result<Param, SpaceError> {
    let c = ctx.clone();
    let Some(ty) = c.str_at(v, "_type")? else {
        return Err(c.err("missing `_type`"));
    };
    let Some(val) = c.get(v, "_value") else {
        return Err(c.at("_value").err("missing `_value`"));
    };
    let cv = c.at("_value");
    let nums = |n: usize| -> Result<Vec<f64>, SpaceError> {
        let list = val.as_sequence().filter(|l| l.len() == n).ok_or_else(|| {
            cv.err(format!(
                "{ty} takes a list of {n} numbers, got {}",
                show(val)
            ))
        })?;
        list.iter()
            .enumerate()
            .map(|(i, x)| cv.at(&i.to_string()).num(x))
            .collect()
    };
    let kind = match ty {
        "choice" => ParamKind::Choice(cv.values(val)?),
        "randint" => {
            let list = val.as_sequence().filter(|l| l.len() == 2).ok_or_else(|| {
                cv.err(format!("randint takes [lower, upper), got {}", show(val)))
            })?;
            let (lo, hi) = (cv.at("0").int(&list[0])?, cv.at("1").int(&list[1])?);
            if hi <= lo {
                return Err(cv.err(format!(
                    "randint [{lo}, {hi}) is empty (NNI excludes the upper bound)"
                )));
            }
            ParamKind::Int { lo, hi: hi - 1 }
        }
        "uniform" => {
            let x = nums(2)?;
            ParamKind::Uniform { lo: x[0], hi: x[1] }
        }
        "loguniform" => {
            let x = nums(2)?;
            ParamKind::LogUniform { lo: x[0], hi: x[1] }
        }
        "quniform" => {
            let x = nums(3)?;
            ParamKind::QUniform {
                lo: x[0],
                hi: x[1],
                q: x[2],
            }
        }
        "qloguniform" => {
            let x = nums(3)?;
            ParamKind::QLogUniform {
                lo: x[0],
                hi: x[1],
                q: x[2],
            }
        }
        "normal" | "lognormal" => {
            let x = nums(2)?;
            normal(ty, x[0], x[1], None)
        }
        "qnormal" | "qlognormal" => {
            let x = nums(3)?;
            normal(ty, x[0], x[1], Some(x[2]))
        }
        other => {
            return Err(c.at("_type").err(format!(
                "unknown NNI _type {other:?} (expected choice, randint, uniform, quniform, \
                 loguniform, qloguniform, normal, qnormal, lognormal, qlognormal)"
            )))
        }
    };
    c.checked(name, kind)
}

fn normal(ty: &str, mu: f64, sigma: f64, q: Option<f64>) -> ParamKind {
    if ty.contains("log") {
        ParamKind::LogNormal { mu, sigma, q }
    } else {
        ParamKind::Normal { mu, sigma, q }
    }
}

/// A whole search-space object.
pub(super) fn read_space(doc: &Value, ctx: &Ctx) -> Result<Space, SpaceError> {
    let Some(obj) = doc.as_mapping() else {
        return Err(ctx.err(format!(
            "an NNI search space is an object, got {}",
            show(doc)
        )));
    };
    let mut space = Space::default();
    for (name, v) in obj {
        let name = key_str(name);
        let p = read_param(&name, v, &ctx.param(&name, &name))?;
        space.push(p).map_err(|e| ctx.err(e))?;
    }
    Ok(space)
}

/// An NNI experiment config: its search space and the limits it names
/// (`trialConcurrency`, `maxTrialNumber`/v1 `maxTrialNum`, `tuner.name`).
pub(super) fn read_config(doc: &Value, ctx: &Ctx, path: &Path) -> Result<SpaceFile, SpaceError> {
    let mut sf = SpaceFile::default();
    if let Some(inline) = ctx.get(doc, "searchSpace") {
        sf.space = read_space(inline, &ctx.at("searchSpace"))?;
    } else if let Some(rel) = ctx.str_at(doc, "searchSpaceFile")? {
        let file = path.parent().unwrap_or(Path::new(".")).join(rel);
        let name = file.display().to_string();
        let text = std::fs::read_to_string(&file).map_err(|e| {
            ctx.at("searchSpaceFile")
                .err(format!("cannot read {name}: {e}"))
        })?;
        let inner = super::doc::parse_text(&text, &name)?;
        sf.space = read_space(&inner, &Ctx::new(&name))?;
    }
    sf.parallel = ctx
        .count(doc, "trialConcurrency")?
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    sf.max_trials = match ctx.count(doc, "maxTrialNumber")? {
        Some(n) => Some(n),
        None => ctx.count(doc, "maxTrialNum")?,
    };
    if let Some(tuner) = doc
        .get("tuner")
        .and_then(|t| t.get("name"))
        .and_then(Value::as_str)
    {
        sf.method = Some(match tuner {
            "GridSearch" => "grid".to_string(),
            "Random" => "random".to_string(),
            other => other.to_string(),
        });
    }
    if ctx.get(doc, "trialCommand").is_some() {
        sf.warnings.push(
            "trialCommand is ignored (NNI runs it through bash): give the command after `--`"
                .into(),
        );
    }
    Ok(sf)
}
