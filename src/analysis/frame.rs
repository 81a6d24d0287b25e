//! The table as a polars `DataFrame`: filtering, ranking and the frame the
//! CSV and Parquet exporters write.

use polars::prelude::*;

use crate::analysis::filter::{Condition, Op, Operand};
use crate::analysis::goal::Goal;
use crate::analysis::table::{QueryError, Row, Table, Target};
use crate::hparams::HParamValue;
use crate::logdir::{HParamType, MetricKey};

const IDX: &str = "__idx";
const SORT: &str = "__sort";

/// Rows that survive the filters, in rank order.
pub(crate) struct Order {
    pub indices: Vec<usize>,
    pub matched: usize,
}

fn frame_err(e: PolarsError) -> QueryError {
    QueryError::Frame(e.to_string())
}

/// A typed column of hparam values: f64 if all present values are numbers,
/// bool if all are bools, else text.
fn hparam_column(name: &str, values: Vec<Option<&HParamValue>>) -> Column {
    match HParamType::of(values.iter().flatten().copied()) {
        Some(HParamType::Float64) => {
            let xs: Vec<Option<f64>> = values.iter().map(|v| v.and_then(|v| v.as_f64())).collect();
            Column::new(name.into(), xs)
        }
        Some(HParamType::Bool) => {
            let bs: Vec<Option<bool>> = values
                .iter()
                .map(|v| match v {
                    Some(HParamValue::Bool(b)) => Some(*b),
                    _ => None,
                })
                .collect();
            Column::new(name.into(), bs)
        }
        _ => {
            let ss: Vec<Option<String>> = values.iter().map(|v| v.map(|v| v.to_string())).collect();
            Column::new(name.into(), ss)
        }
    }
}

fn compare(cond: &Condition, col: &Column) -> Result<BooleanChunked, QueryError> {
    let bad = |why: String| QueryError::BadCondition {
        cond: cond.to_string(),
        why,
    };
    let s = col.as_materialized_series();
    let mask = match (s.dtype(), &cond.value, cond.op) {
        (DataType::Float64, Operand::Number(x), op) => {
            let x = *x;
            match op {
                Op::Eq => s.equal(x),
                Op::Ne => s.not_equal(x),
                Op::Lt => s.lt(x),
                Op::Le => s.lt_eq(x),
                Op::Gt => s.gt(x),
                Op::Ge => s.gt_eq(x),
                Op::Contains => {
                    return Err(bad(format!("{} is numeric; '~' compares text", cond.name)))
                }
            }
            .map_err(frame_err)?
        }
        (DataType::Float64, v, _) => {
            return Err(bad(format!(
                "{} is numeric, but {:?} is not a number",
                cond.name,
                v.text()
            )))
        }
        (DataType::Boolean, Operand::Bool(b), Op::Eq | Op::Ne) => {
            let ca = s.bool().map_err(frame_err)?;
            let m: BooleanChunked = ca
                .iter()
                .map(|v| v.map(|v| (v == *b) == (cond.op == Op::Eq)))
                .collect();
            m
        }
        (DataType::Boolean, _, _) => {
            return Err(bad(format!(
                "{} is true/false: use {}=true or {}!=false",
                cond.name, cond.name, cond.name
            )))
        }
        (_, v, op) => {
            let ca = s.str().map_err(frame_err)?;
            let want = v.text();
            match op {
                Op::Contains => ca
                    .iter()
                    .map(|c| c.map(|c| c.contains(want.as_str())))
                    .collect(),
                // Text compared with text stays exact (polars' kernels);
                // a number compares with text that holds a number by value.
                Op::Eq if !matches!(v, Operand::Number(_)) => ca.equal(want.as_str()),
                Op::Ne if !matches!(v, Operand::Number(_)) => ca.not_equal(want.as_str()),
                op => ca
                    .iter()
                    .map(|c| {
                        c.map(|c| {
                            // Text that holds numbers compares as numbers.
                            let ord = match (c.parse::<f64>(), want.parse::<f64>()) {
                                (Ok(a), Ok(b)) => a.total_cmp(&b),
                                _ => c.cmp(want.as_str()),
                            };
                            op.holds(ord)
                        })
                    })
                    .collect(),
            }
        }
    };
    // Missing values never match.
    mask.fill_null_with_values(false).map_err(frame_err)
}

/// Filters and sorts `rows` (given in base order, by name): conditions all
/// hold, then a stable sort by the sort metric (missing and NaN last), then
/// the first `top`.
pub(crate) fn rank(
    rows: &[Row],
    filters: &[Condition],
    targets: &[Target],
    sort: Option<&(MetricKey, Goal)>,
    top: Option<usize>,
) -> Result<Order, QueryError> {
    let n = rows.len();
    let mut cols = vec![Column::new(IDX.into(), (0..n as u64).collect::<Vec<u64>>())];
    let sort_vals: Vec<Option<f64>> = rows
        .iter()
        .map(|r| {
            sort.and_then(|(k, _)| r.metrics.get(k).copied())
                .filter(|v| !v.is_nan())
        })
        .collect();
    cols.push(Column::new(SORT.into(), sort_vals));
    for (i, t) in targets.iter().enumerate() {
        let name = format!("__f{i}");
        let col = match t {
            Target::HParam(h) => {
                hparam_column(&name, rows.iter().map(|r| r.hparams.get(h)).collect())
            }
            Target::Metric(k) => Column::new(
                name.as_str().into(),
                rows.iter()
                    .map(|r| r.metrics.get(k).copied())
                    .collect::<Vec<Option<f64>>>(),
            ),
            Target::Name => Column::new(
                name.as_str().into(),
                rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
            ),
            Target::Group => Column::new(
                name.as_str().into(),
                rows.iter().map(|r| r.group.clone()).collect::<Vec<_>>(),
            ),
        };
        cols.push(col);
    }
    let mut df = DataFrame::new(n, cols).map_err(frame_err)?;
    for (i, c) in filters.iter().enumerate() {
        let col = df.column(&format!("__f{i}")).map_err(frame_err)?;
        let mask = compare(c, col)?;
        df = df.filter(&mask).map_err(frame_err)?;
    }
    let matched = df.height();
    if let Some((_, goal)) = sort {
        df = df
            .sort(
                [SORT],
                SortMultipleOptions::default()
                    .with_order_descending(*goal == Goal::Max)
                    .with_nulls_last(true)
                    .with_maintain_order(true),
            )
            .map_err(frame_err)?;
    }
    if let Some(t) = top {
        df = df.head(Some(t));
    }
    let idx = df
        .column(IDX)
        .map_err(frame_err)?
        .u64()
        .map_err(frame_err)?;
    Ok(Order {
        indices: idx.iter().flatten().map(|i| i as usize).collect(),
        matched,
    })
}

/// Neutralises spreadsheet formulas: text starting with `=`, `+`, `-`, `@`,
/// tab or carriage return gets a leading `'` (OWASP's advice for CSV).
pub fn defuse_formula(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// The table as a DataFrame: `rank`, `session` (or `group`, `count`,
/// `sessions` for group rows), `group`, `status`, one column per hparam
/// (typed), one per metric (f64, header `group/tag`), and for groups a
/// `<metric> std` column per metric. With `defuse`, text cells are passed
/// through [`defuse_formula`].
pub fn to_dataframe(table: &Table, defuse: bool) -> PolarsResult<DataFrame> {
    let rows = &table.rows;
    let text = |s: &str| {
        if defuse {
            defuse_formula(s)
        } else {
            s.to_string()
        }
    };
    let mut cols: Vec<Column> = Vec::new();
    let mut used = std::collections::HashSet::new();
    let mut unique = |name: String, suffix: &str| {
        let mut n = name;
        while !used.insert(n.clone()) {
            n = format!("{n} ({suffix})");
        }
        n
    };
    cols.push(Column::new(
        unique("rank".into(), "").into(),
        rows.iter().map(|r| r.rank as u64).collect::<Vec<_>>(),
    ));
    if table.groups {
        cols.push(Column::new(
            unique("group".into(), "").into(),
            rows.iter().map(|r| text(&r.name)).collect::<Vec<_>>(),
        ));
        cols.push(Column::new(
            unique("count".into(), "").into(),
            rows.iter()
                .map(|r| r.sessions.len() as u64)
                .collect::<Vec<_>>(),
        ));
        cols.push(Column::new(
            unique("sessions".into(), "").into(),
            rows.iter()
                .map(|r| text(&r.sessions.join(";")))
                .collect::<Vec<_>>(),
        ));
    } else {
        cols.push(Column::new(
            unique("session".into(), "").into(),
            rows.iter().map(|r| text(&r.name)).collect::<Vec<_>>(),
        ));
        cols.push(Column::new(
            unique("group".into(), "").into(),
            rows.iter().map(|r| text(&r.group)).collect::<Vec<_>>(),
        ));
        cols.push(Column::new(
            unique("status".into(), "").into(),
            rows.iter()
                .map(|r| r.status.map(|s| s.as_str().to_string()))
                .collect::<Vec<_>>(),
        ));
    }
    for h in &table.hparams {
        let name = unique(text(&h.name), "hparam");
        let col = hparam_column(&name, rows.iter().map(|r| r.hparams.get(&h.name)).collect());
        let col = if defuse && matches!(col.dtype(), DataType::String) {
            let vals: Vec<Option<String>> = rows
                .iter()
                .map(|r| r.hparams.get(&h.name).map(|v| text(&v.to_string())))
                .collect();
            Column::new(name.as_str().into(), vals)
        } else {
            col
        };
        cols.push(col);
    }
    for m in &table.metrics {
        let name = unique(text(&m.label), "metric");
        cols.push(Column::new(
            name.as_str().into(),
            rows.iter()
                .map(|r| r.metrics.get(&m.key).copied())
                .collect::<Vec<Option<f64>>>(),
        ));
    }
    if table.groups {
        for m in &table.metrics {
            let name = unique(text(&format!("{} std", m.label)), "metric");
            cols.push(Column::new(
                name.as_str().into(),
                rows.iter()
                    .map(|r| r.std.get(&m.key).copied())
                    .collect::<Vec<Option<f64>>>(),
            ));
        }
    }
    DataFrame::new(rows.len(), cols)
}
