//! JSON and JSON Lines.
//!
//! `json`: one object `{"logdir", "experiment", "query", "sessions": [ROW…],
//! "warnings"}`. A session ROW is `{"rank", "session", "group", "status",
//! "hparams", "metrics"}`; with `--groups` each ROW is a group `{"rank",
//! "group", "sessions", "count", "hparams", "metrics", "std"}`. Metric keys
//! are `group/tag`, or `tag` for an empty group. Non-finite numbers are the
//! strings `"NaN"`, `"Infinity"`, `"-Infinity"`, as TensorBoard's JSON API
//! writes them. `jsonl`: one ROW per line.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{json, Map, Value};

use crate::analysis::{Row, Table};
use crate::export::{ExportError, Exporter, Report};
use crate::logdir::MetricKey;

pub(crate) struct Json {
    pub lines: bool,
}

fn number(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else if x.is_nan() {
        json!("NaN")
    } else if x > 0.0 {
        json!("Infinity")
    } else {
        json!("-Infinity")
    }
}

fn metric_map(m: &BTreeMap<MetricKey, f64>, order: &Table) -> Value {
    let mut out = Map::new();
    for c in &order.metrics {
        if let Some(v) = m.get(&c.key) {
            out.insert(c.label.clone(), number(*v));
        }
    }
    Value::Object(out)
}

/// One row as JSON.
pub fn row_json(r: &Row, table: &Table) -> Value {
    let mut hp = Map::new();
    for h in &table.hparams {
        if let Some(v) = r.hparams.get(&h.name) {
            hp.insert(
                h.name.clone(),
                serde_json::to_value(v).unwrap_or(Value::Null),
            );
        }
    }
    if table.groups {
        json!({
            "rank": r.rank,
            "group": r.name,
            "sessions": r.sessions,
            "count": r.sessions.len(),
            "hparams": hp,
            "metrics": metric_map(&r.metrics, table),
            "std": metric_map(&r.std, table),
        })
    } else {
        json!({
            "rank": r.rank,
            "session": r.name,
            "group": r.group,
            "status": r.status.map(|s| s.as_str()),
            "hparams": hp,
            "metrics": metric_map(&r.metrics, table),
        })
    }
}

/// The whole report as one JSON value.
pub fn table_json(report: &Report<'_>) -> Value {
    let t = report.table;
    json!({
        "logdir": report.logdir.display().to_string(),
        "experiment": report.experiment,
        "query": {
            "rows": if t.groups { "groups" } else { "sessions" },
            "sort": t.sort.as_ref().map(|(k, _)| t.label(k)),
            "goal": t.sort.as_ref().map(|(_, g)| g.to_string()),
            "reduce": t.reduce.to_string(),
            "tensorboard_values": t.reduce.is_tensorboard() && (!t.groups || t.agg == crate::analysis::Agg::Mean),
            "agg": if t.groups { Some(t.agg.to_string()) } else { None },
            "matched": t.matched,
            "total": t.total,
        },
        "sessions": t.rows.iter().map(|r| row_json(r, t)).collect::<Vec<_>>(),
        "warnings": report.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
    })
}

impl Exporter for Json {
    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> Result<(), ExportError> {
        if self.lines {
            for r in &report.table.rows {
                serde_json::to_writer(&mut *out, &row_json(r, report.table))
                    .map_err(std::io::Error::from)?;
                out.write_all(b"\n")?;
            }
        } else {
            serde_json::to_writer_pretty(&mut *out, &table_json(report))
                .map_err(std::io::Error::from)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}
