//! Filtering and ranking rows: the `--where` conditions applied to their
//! resolved columns, then a stable sort by the sort metric and `--top`.
//!
//! A condition compares the column's values typed as TensorBoard types an
//! hparam column (numbers if every value is a number, booleans if every
//! value is a boolean, else text); metrics are numbers, `session` and
//! `group` text. Numbers follow one total order in which NaN is equal to
//! itself and larger than every other number (so `loss>1` matches a NaN
//! loss and `loss<1` does not), and `-0` equals `0`. A missing value never
//! matches.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::analysis::error::QueryError;
use crate::analysis::filter::{Condition, Op, Operand};
use crate::analysis::goal::Goal;
use crate::analysis::table::Row;
use crate::hparams::HParamValue;
use crate::logdir::{HParamType, MetricKey};

/// The column a `--where` condition reads.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Target {
    /// An hparam, by name.
    HParam(String),
    /// A metric.
    Metric(MetricKey),
    /// The row's name (`session`).
    Name,
    /// The row's group key (`group`).
    Group,
}

/// One filter column's values, typed the way a condition compares them.
enum Values<'r> {
    Numbers(Vec<Option<f64>>),
    Bools(Vec<Option<bool>>),
    Texts(Vec<Option<Cow<'r, str>>>),
}

/// The values `target` has in `rows`; an hparam's type comes from all its
/// values in `rows` (see the module doc).
fn values<'r>(rows: &'r [Row], target: &Target) -> Values<'r> {
    match target {
        Target::HParam(h) => {
            let cells: Vec<Option<&HParamValue>> = rows.iter().map(|r| r.hparams.get(h)).collect();
            match HParamType::of(cells.iter().flatten().copied()) {
                Some(HParamType::Float64) => {
                    Values::Numbers(cells.iter().map(|v| v.and_then(|v| v.as_f64())).collect())
                }
                Some(HParamType::Bool) => Values::Bools(
                    cells
                        .iter()
                        .map(|v| match v {
                            Some(HParamValue::Bool(b)) => Some(*b),
                            _ => None,
                        })
                        .collect(),
                ),
                _ => Values::Texts(
                    cells
                        .iter()
                        .map(|v| v.map(|v| Cow::Owned(v.to_string())))
                        .collect(),
                ),
            }
        }
        Target::Metric(k) => {
            Values::Numbers(rows.iter().map(|r| r.metrics.get(k).copied()).collect())
        }
        Target::Name => Values::Texts(
            rows.iter()
                .map(|r| Some(Cow::Borrowed(r.name.as_str())))
                .collect(),
        ),
        Target::Group => Values::Texts(
            rows.iter()
                .map(|r| Some(Cow::Borrowed(r.group.as_str())))
                .collect(),
        ),
    }
}

/// Orders numbers with NaN equal to itself and above everything else.
fn number_cmp(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// Whether `cond` holds for each of `values` (a missing value: no), or why
/// it cannot apply to a column of their type.
fn matches(cond: &Condition, values: &Values<'_>) -> Result<Vec<bool>, QueryError> {
    let bad = |why: String| QueryError::BadCondition {
        cond: cond.to_string(),
        why,
    };
    let name = &cond.name;
    let each = |f: &dyn Fn(usize) -> Option<bool>, n: usize| -> Vec<bool> {
        (0..n).map(|i| f(i).unwrap_or(false)).collect()
    };
    match (values, &cond.value, cond.op) {
        (Values::Numbers(_), Operand::Number(_), Op::Contains) => {
            Err(bad(format!("{name} is numeric; '~' compares text")))
        }
        (Values::Numbers(xs), Operand::Number(x), op) => Ok(each(
            &|i| xs[i].map(|v| op.holds(number_cmp(v, *x))),
            xs.len(),
        )),
        (Values::Numbers(_), v, _) => Err(bad(format!(
            "{name} is numeric, but {:?} is not a number",
            v.text()
        ))),
        (Values::Bools(bs), Operand::Bool(b), Op::Eq | Op::Ne) => Ok(each(
            &|i| bs[i].map(|v| (v == *b) == (cond.op == Op::Eq)),
            bs.len(),
        )),
        (Values::Bools(_), _, _) => Err(bad(format!(
            "{name} is true/false: use {name}=true or {name}!=false"
        ))),
        (Values::Texts(ts), v, op) => {
            let want = v.text();
            Ok(each(
                &|i| ts[i].as_deref().map(|c| text_holds(c, v, &want, op)),
                ts.len(),
            ))
        }
    }
}

/// A condition on one text cell: `~` is "contains"; `=`/`!=` with text are
/// exact; otherwise text that holds numbers compares as numbers, else by
/// code point.
fn text_holds(cell: &str, operand: &Operand, want: &str, op: Op) -> bool {
    let number = matches!(operand, Operand::Number(_));
    match op {
        Op::Contains => cell.contains(want),
        Op::Eq if !number => cell == want,
        Op::Ne if !number => cell != want,
        op => {
            let ord = match (cell.parse::<f64>(), want.parse::<f64>()) {
                (Ok(a), Ok(b)) => a.total_cmp(&b),
                _ => cell.cmp(want),
            };
            op.holds(ord)
        }
    }
}

/// Rows after filtering and ranking.
pub(crate) struct Ranked {
    /// In rank order, at most `top`.
    pub rows: Vec<Row>,
    /// How many passed the filters (before `top`).
    pub matched: usize,
}

/// Filters and sorts `rows` (given in base order, by name): every condition
/// holds on its target (`filters[i]` reads `targets[i]`), then a stable sort
/// by the sort metric (missing and NaN last), then the first `top`.
pub(crate) fn rank(
    rows: Vec<Row>,
    filters: &[Condition],
    targets: &[Target],
    sort: Option<&(MetricKey, Goal)>,
    top: Option<usize>,
) -> Result<Ranked, QueryError> {
    let mut keep = vec![true; rows.len()];
    for (cond, target) in filters.iter().zip(targets) {
        let hold = matches(cond, &values(&rows, target))?;
        for (k, h) in keep.iter_mut().zip(hold) {
            *k &= h;
        }
    }
    let mut kept: Vec<Row> = rows
        .into_iter()
        .zip(keep)
        .filter_map(|(r, k)| k.then_some(r))
        .collect();
    let matched = kept.len();
    if let Some((key, goal)) = sort {
        let value = |r: &Row| r.metrics.get(key).copied().filter(|v| !v.is_nan());
        kept.sort_by(|a, b| match (value(a), value(b)) {
            (Some(x), Some(y)) => {
                let o = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
                if *goal == Goal::Max {
                    o.reverse()
                } else {
                    o
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        });
    }
    if let Some(t) = top {
        kept.truncate(t);
    }
    Ok(Ranked {
        rows: kept,
        matched,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, lr: Option<HParamValue>, loss: Option<f64>) -> Row {
        let key = MetricKey::new("", "loss");
        Row {
            rank: 0,
            name: name.into(),
            group: name.into(),
            status: None,
            sessions: vec![name.into()],
            hparams: lr.into_iter().map(|v| ("lr".to_string(), v)).collect(),
            metrics: loss.into_iter().map(|v| (key.clone(), v)).collect(),
            std: Default::default(),
            counts: Default::default(),
        }
    }

    fn names(r: &Ranked) -> Vec<&str> {
        r.rows.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn nan_is_the_largest_number_and_missing_never_matches() {
        let rows = vec![
            row("a", Some(HParamValue::Float(0.1)), Some(f64::NAN)),
            row("b", Some(HParamValue::Float(0.01)), Some(0.5)),
            row("c", None, None),
        ];
        let key = MetricKey::new("", "loss");
        let cond: Condition = "loss>1".parse().unwrap();
        let r = rank(
            rows.clone(),
            &[cond],
            &[Target::Metric(key.clone())],
            None,
            None,
        )
        .unwrap();
        assert_eq!(names(&r), ["a"]);
        let cond: Condition = "lr<0.05".parse().unwrap();
        let r = rank(
            rows.clone(),
            &[cond],
            &[Target::HParam("lr".into())],
            None,
            None,
        )
        .unwrap();
        assert_eq!(names(&r), ["b"]);
        // NaN and missing sort last whatever the goal; ties keep their order.
        let r = rank(rows, &[], &[], Some(&(key, Goal::Max)), Some(2)).unwrap();
        assert_eq!((names(&r), r.matched), (vec!["b", "a"], 3));
    }

    #[test]
    fn conditions_that_cannot_apply_are_errors() {
        let rows = vec![row("a", Some(HParamValue::Bool(true)), Some(1.0))];
        let cond: Condition = "lr~x".parse().unwrap();
        let err = rank(
            rows.clone(),
            &[cond],
            &[Target::HParam("lr".into())],
            None,
            None,
        );
        assert!(matches!(err, Err(QueryError::BadCondition { .. })));
        let cond: Condition = "session<b".parse().unwrap();
        let r = rank(rows, &[cond], &[Target::Name], None, None).unwrap();
        assert_eq!(names(&r), ["a"]);
    }
}
