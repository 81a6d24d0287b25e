//! JSON and JSON Lines.
//!
//! `json`: one object `{"logdir", "experiment", "query", "sessions": [ROW…],
//! "warnings"}`. A session ROW is `{"rank", "session", "group", "status",
//! "hparams", "metrics"}`; with `--groups` each ROW is a group `{"rank",
//! "group", "sessions", "count", "hparams", "metrics", "std"}`. Metric keys
//! are `group/tag`, or `tag` for an empty group. Non-finite numbers are the
//! strings `"NaN"`, `"Infinity"`, `"-Infinity"`, as TensorBoard's JSON API
//! writes them. `jsonl`: one ROW per line.

use std::io::Write;

use serde_json::{json, Map, Value};

use crate::analysis::{Row, Table};
use crate::export::columns::{Cell, Columns, Kind, Layout};
use crate::export::{ExportError, Exporter, Report};

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

/// One row as JSON.
pub fn row_json(r: &Row, table: &Table) -> Value {
    row_value(&Columns::new(table, Layout::Data), r)
}

/// One row as JSON: the row's identity columns as keys, hparams, metrics
/// (and a group's `std`) as objects keyed by name and label.
fn row_value(cols: &Columns<'_>, r: &Row) -> Value {
    let mut obj = Map::new();
    let (mut hparams, mut metrics, mut std) = (Map::new(), Map::new(), Map::new());
    for c in cols.iter() {
        let cell = c.cell(r);
        match c.kind {
            Kind::HParam(h) => {
                if let Cell::HParam(v) = cell {
                    let v = serde_json::to_value(v).unwrap_or(Value::Null);
                    hparams.insert(h.name.clone(), v);
                }
            }
            Kind::Metric(m) | Kind::Std(m) => {
                if let Cell::Metric { value, .. } = cell {
                    let map = if matches!(c.kind, Kind::Std(_)) {
                        &mut std
                    } else {
                        &mut metrics
                    };
                    map.insert(m.label.clone(), number(value));
                }
            }
            _ => {
                obj.insert(c.name.clone(), identity(cell));
            }
        }
    }
    obj.insert("hparams".into(), Value::Object(hparams));
    obj.insert("metrics".into(), Value::Object(metrics));
    if cols.table.groups {
        obj.insert("std".into(), Value::Object(std));
    }
    Value::Object(obj)
}

/// A rank, name, status, count or member list as JSON.
fn identity(cell: Cell<'_>) -> Value {
    match cell {
        Cell::Count(n) => json!(n),
        Cell::Text(s) => json!(s),
        Cell::Status(s) => json!(s.as_str()),
        Cell::Sessions(names) => json!(names),
        Cell::HParam(v) => serde_json::to_value(v).unwrap_or(Value::Null),
        Cell::Metric { value, .. } => number(value),
        Cell::Missing => Value::Null,
    }
}

/// The whole report as one JSON value.
pub fn table_json(report: &Report<'_>) -> Value {
    let mut v = head_json(report);
    let cols = Columns::new(report.table, Layout::Data);
    let rows = report.table.rows.iter().map(|r| row_value(&cols, r));
    if let Value::Object(m) = &mut v {
        m.insert("sessions".into(), Value::Array(rows.collect()));
    }
    v
}

/// Everything but the rows: `logdir`, `experiment`, `query`, `warnings`.
fn head_json(report: &Report<'_>) -> Value {
    let t = report.table;
    json!({
        "logdir": report.logdir.display().to_string(),
        "experiment": report.experiment,
        "query": {
            "rows": t.row_noun(),
            "sort": t.sort.as_ref().map(|(k, _)| t.label(k)),
            "goal": t.sort.as_ref().map(|(_, g)| g.to_string()),
            "reduce": t.reduce.to_string(),
            "tensorboard_values": t.reduce.is_tensorboard() && (!t.groups || t.agg == crate::analysis::Agg::Mean),
            "agg": if t.groups { Some(t.agg.to_string()) } else { None },
            "matched": t.matched,
            "total": t.total,
        },
        "warnings": report.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
    })
}

/// [`table_json`] written as it is built: the same text, but one row's
/// JSON at a time in memory instead of the whole tree (10,000 sessions
/// made a tree of ~50 MB).
struct Streamed<'a> {
    head: Map<String, Value>,
    report: &'a Report<'a>,
}

/// The rows of a [`Streamed`] report, serialized one by one.
struct Rows<'a>(&'a Report<'a>);

impl serde::Serialize for Rows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let cols = Columns::new(self.0.table, Layout::Data);
        s.collect_seq(self.0.table.rows.iter().map(|r| row_value(&cols, r)))
    }
}

impl serde::Serialize for Streamed<'_> {
    /// Keys in sorted order, as a `serde_json::Map` prints them.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.head.len() + 1))?;
        let mut rows_done = false;
        for (k, v) in &self.head {
            if !rows_done && k.as_str() > "sessions" {
                m.serialize_entry("sessions", &Rows(self.report))?;
                rows_done = true;
            }
            m.serialize_entry(k, v)?;
        }
        if !rows_done {
            m.serialize_entry("sessions", &Rows(self.report))?;
        }
        m.end()
    }
}

impl Exporter for Json {
    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> Result<(), ExportError> {
        if self.lines {
            let cols = Columns::new(report.table, Layout::Data);
            for r in &report.table.rows {
                serde_json::to_writer(&mut *out, &row_value(&cols, r))
                    .map_err(std::io::Error::from)?;
                out.write_all(b"\n")?;
            }
        } else {
            let head = match head_json(report) {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            serde_json::to_writer_pretty(&mut *out, &Streamed { head, report })
                .map_err(std::io::Error::from)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}
