//! The columns of the ranked table, decided once for every renderer.
//!
//! [`Columns::new`] is the only place that decides which columns a table
//! has and in what order (rank, the row's identity, hparams, metrics), and
//! whether rows are sessions or groups. Each [`Column`] knows its name for
//! data formats, its label for people, its value type, and how to read a
//! row's [`Cell`]; the renderers (terminal table, Markdown, HTML report,
//! CSV, JSON, the DataFrame) walk the columns and only choose the syntax.
//!
//! Two layouts: [`Layout::Display`] for people (`#`, `session` `status` or
//! `group` `n`, a group's spread next to its value) and [`Layout::Data`]
//! for programs (`rank`, `session` `group` `status` or `group` `count`
//! `sessions`, and a separate `<metric> std` column per metric for groups).
//!
//! Column-wide presentation belongs here too: [`Column::number`] and
//! [`Column::hparam_text`] are where a column's values become text for
//! people (per-column number formats go there, with whatever they need to
//! know about the column's values computed in [`Columns::new`]), and
//! reordering or dropping columns (the sort metric first, hparams that are
//! constant over the rows) is a change to [`Columns::new`] alone.

use crate::analysis::{HParamColumn, MetricColumn, Row, Table};
use crate::export::text::metric;
use crate::hparams::{HParamValue, Status};
use crate::logdir::HParamType;

/// Who reads the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// People: the terminal table, Markdown, the HTML report.
    Display,
    /// Programs: CSV, JSON, the DataFrame.
    Data,
}

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind<'t> {
    /// 1-based rank.
    Rank,
    /// The row's name: a session's, or a group's key.
    Name,
    /// A session's group key (session rows, data layout).
    Group,
    /// A session's status (session rows).
    Status,
    /// A group's number of sessions (group rows).
    Count,
    /// A group's sessions (group rows, data layout).
    Sessions,
    /// An hparam.
    HParam(&'t HParamColumn),
    /// A metric's value (with a group's spread, for display).
    Metric(&'t MetricColumn),
    /// A group's standard deviation of a metric (data layout).
    Std(&'t MetricColumn),
}

/// How a data column is typed (CSV text, DataFrame dtype).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// Unsigned integers (rank, count).
    Count,
    /// Floating-point numbers.
    Number,
    /// `true` / `false`.
    Bool,
    /// Text.
    Text,
}

/// One cell of a row in a column.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'r> {
    /// No value (an hparam the session lacks, a metric without data).
    Missing,
    /// A rank or a count.
    Count(usize),
    /// A name.
    Text(&'r str),
    /// A session's status.
    Status(Status),
    /// A group's sessions.
    Sessions(&'r [String]),
    /// An hparam value.
    HParam(&'r HParamValue),
    /// A metric value, with the group's standard deviation if it has one.
    Metric {
        /// The value.
        value: f64,
        /// The spread (group rows with two or more values).
        std: Option<f64>,
    },
}

/// One column of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Column<'t> {
    /// What it holds.
    pub kind: Kind<'t>,
    /// Header in data formats: `rank`, `session`, …, the hparam's name, the
    /// metric's label, `<label> std`. Not unique across kinds: see
    /// [`Columns::data_headers`].
    pub name: String,
    /// Header for people: `#`, `session`, `n`, …, the hparam's display
    /// name, the metric's label.
    pub label: String,
    /// Value type (hparams: from their values in the shown rows).
    pub ty: ValueType,
}

impl<'t> Column<'t> {
    fn new(kind: Kind<'t>, name: &str, label: &str, ty: ValueType) -> Column<'t> {
        Column {
            kind,
            name: name.to_string(),
            label: label.to_string(),
            ty,
        }
    }

    /// Row identity (rank, name, status, …), as opposed to an hparam or a
    /// metric: our own headers, repeated by a renderer that splits columns.
    pub fn identifies_row(&self) -> bool {
        !matches!(self.kind, Kind::HParam(_) | Kind::Metric(_) | Kind::Std(_))
    }

    /// `row`'s cell in this column.
    pub fn cell<'r>(&self, row: &'r Row) -> Cell<'r> {
        match self.kind {
            Kind::Rank => Cell::Count(row.rank),
            Kind::Name => Cell::Text(&row.name),
            Kind::Group => Cell::Text(&row.group),
            Kind::Status => row.status.map_or(Cell::Missing, Cell::Status),
            Kind::Count => Cell::Count(row.sessions.len()),
            Kind::Sessions => Cell::Sessions(&row.sessions),
            Kind::HParam(h) => row.hparams.get(&h.name).map_or(Cell::Missing, Cell::HParam),
            Kind::Metric(m) => match row.metrics.get(&m.key) {
                Some(&value) => Cell::Metric {
                    value,
                    std: row.std.get(&m.key).copied(),
                },
                None => Cell::Missing,
            },
            Kind::Std(m) => match row.std.get(&m.key) {
                Some(&value) => Cell::Metric { value, std: None },
                None => Cell::Missing,
            },
        }
    }

    /// A metric value (or spread) of this column as text for people.
    pub fn number(&self, v: f64) -> String {
        metric(v)
    }

    /// An hparam value of this column as text for people.
    pub fn hparam_text(&self, v: &HParamValue) -> String {
        v.to_string()
    }

    /// What `data_headers` appends to this column's name when an earlier
    /// column already has it.
    fn collision_suffix(&self) -> &'static str {
        match self.kind {
            Kind::HParam(_) => "hparam",
            Kind::Metric(_) | Kind::Std(_) => "metric",
            _ => "",
        }
    }
}

/// The columns of one table, in order.
#[derive(Clone, Debug)]
pub struct Columns<'t> {
    /// The table.
    pub table: &'t Table,
    /// Its columns.
    pub columns: Vec<Column<'t>>,
}

impl<'t> Columns<'t> {
    /// The columns of `table` for `layout`: rank and the row's identity,
    /// then hparams, then metrics (then, for groups in the data layout, one
    /// standard deviation per metric).
    pub fn new(table: &'t Table, layout: Layout) -> Columns<'t> {
        use ValueType::{Count, Number, Text};
        let mut columns = vec![Column::new(Kind::Rank, "rank", "#", Count)];
        let name = if table.groups { "group" } else { "session" };
        columns.push(Column::new(Kind::Name, name, name, Text));
        match (table.groups, layout) {
            (false, Layout::Display) => {
                columns.push(Column::new(Kind::Status, "status", "status", Text));
            }
            (false, Layout::Data) => {
                columns.push(Column::new(Kind::Group, "group", "group", Text));
                columns.push(Column::new(Kind::Status, "status", "status", Text));
            }
            (true, Layout::Display) => columns.push(Column::new(Kind::Count, "count", "n", Count)),
            (true, Layout::Data) => {
                columns.push(Column::new(Kind::Count, "count", "n", Count));
                columns.push(Column::new(Kind::Sessions, "sessions", "sessions", Text));
            }
        }
        for h in &table.hparams {
            let ty = hparam_type(&table.rows, &h.name);
            columns.push(Column::new(Kind::HParam(h), &h.name, &h.label, ty));
        }
        for m in &table.metrics {
            columns.push(Column::new(Kind::Metric(m), &m.label, &m.label, Number));
        }
        if table.groups && layout == Layout::Data {
            for m in &table.metrics {
                let name = format!("{} std", m.label);
                columns.push(Column::new(Kind::Std(m), &name, &name, Number));
            }
        }
        Columns { table, columns }
    }

    /// The columns in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Column<'t>> {
        self.columns.iter()
    }

    /// Unique data headers: each column's name passed through `map` (a
    /// format's escaping), then, if an earlier column has it, suffixed with
    /// ` (hparam)` or ` (metric)` until it is unique.
    pub fn data_headers(&self, map: impl Fn(&str) -> String) -> Vec<String> {
        let mut used = std::collections::HashSet::new();
        self.columns
            .iter()
            .map(|c| {
                let mut n = map(&c.name);
                while !used.insert(n.clone()) {
                    n = format!("{n} ({})", c.collision_suffix());
                }
                n
            })
            .collect()
    }
}

/// The type of hparam `name` over `rows`: numbers if every value is a
/// number, booleans if every value is one, else text.
fn hparam_type(rows: &[Row], name: &str) -> ValueType {
    match HParamType::of(rows.iter().filter_map(|r| r.hparams.get(name))) {
        Some(HParamType::Float64) => ValueType::Number,
        Some(HParamType::Bool) => ValueType::Bool,
        _ => ValueType::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Agg, Goal, Reduction};
    use crate::logdir::MetricKey;

    fn table(groups: bool) -> Table {
        let key = MetricKey {
            group: "validation".into(),
            tag: "loss".into(),
        };
        let row = Row {
            rank: 1,
            name: "g".into(),
            group: "g".into(),
            status: (!groups).then_some(Status::Success),
            sessions: vec!["a".into(), "b".into()],
            hparams: [("rank".to_string(), HParamValue::Int(3))].into(),
            metrics: [(key.clone(), 0.5)].into(),
            std: [(key.clone(), 0.1)].into(),
            counts: Default::default(),
        };
        Table {
            groups,
            agg: Agg::Mean,
            reduce: Reduction::default(),
            hparams: vec![HParamColumn {
                name: "rank".into(),
                label: "Rank!".into(),
                kind: HParamType::Float64,
                declared: true,
            }],
            metrics: vec![MetricColumn {
                key: key.clone(),
                label: "validation/loss".into(),
                display_name: String::new(),
                goal: Goal::Min,
            }],
            sort: Some((key, Goal::Min)),
            labels: Default::default(),
            rows: vec![row],
            matched: 1,
            total: 1,
        }
    }

    fn names(c: &Columns<'_>) -> Vec<String> {
        c.data_headers(str::to_string)
    }

    fn labels<'c>(c: &'c Columns<'_>) -> Vec<&'c str> {
        c.iter().map(|c| c.label.as_str()).collect()
    }

    #[test]
    fn one_place_decides_the_columns_of_sessions_and_groups() {
        let t = table(false);
        let display = Columns::new(&t, Layout::Display);
        assert_eq!(
            labels(&display),
            ["#", "session", "status", "Rank!", "validation/loss"]
        );
        let data = Columns::new(&t, Layout::Data);
        // An hparam named like one of our columns gets a suffix.
        assert_eq!(
            names(&data),
            [
                "rank",
                "session",
                "group",
                "status",
                "rank (hparam)",
                "validation/loss"
            ]
        );
        let t = table(true);
        let display = Columns::new(&t, Layout::Display);
        assert_eq!(
            labels(&display),
            ["#", "group", "n", "Rank!", "validation/loss"]
        );
        let data = Columns::new(&t, Layout::Data);
        assert_eq!(
            names(&data),
            [
                "rank",
                "group",
                "count",
                "sessions",
                "rank (hparam)",
                "validation/loss",
                "validation/loss std"
            ]
        );
    }

    #[test]
    fn cells_read_the_row_as_their_column_says() {
        let t = table(true);
        let data = Columns::new(&t, Layout::Data);
        let row = &t.rows[0];
        let cells: Vec<Cell<'_>> = data.iter().map(|c| c.cell(row)).collect();
        assert_eq!(cells[2], Cell::Count(2));
        assert_eq!(cells[4], Cell::HParam(&HParamValue::Int(3)));
        assert_eq!(
            cells[5],
            Cell::Metric {
                value: 0.5,
                std: Some(0.1)
            }
        );
        assert_eq!(
            cells[6],
            Cell::Metric {
                value: 0.1,
                std: None
            }
        );
        assert_eq!(data.columns[4].ty, ValueType::Number);
    }
}
