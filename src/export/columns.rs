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

use std::borrow::Cow;

use crate::analysis::{HParamColumn, MetricColumn, Row, Table};
use crate::export::numbers::NumFormat;
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
    /// How this column's numbers are written for people.
    pub format: NumFormat,
    /// Bytes dropped from the start of every name (the display layout's
    /// common leading path, see [`Columns::prefix`]).
    strip: usize,
}

impl<'t> Column<'t> {
    fn new(kind: Kind<'t>, name: &str, label: &str, ty: ValueType) -> Column<'t> {
        Column {
            kind,
            name: name.to_string(),
            label: label.to_string(),
            ty,
            format: NumFormat::Integer,
            strip: 0,
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
            Kind::Name => Cell::Text(row.name.get(self.strip..).unwrap_or(&row.name)),
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
        self.format.format(v)
    }

    /// An hparam value of this column as text for people.
    pub fn hparam_text(&self, v: &HParamValue) -> String {
        match v.as_f64() {
            Some(x) => self.format.format(x),
            None => v.to_string(),
        }
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
    /// Display layout: hparams equal in every row, left out of the columns
    /// (label, value as text), for one header line.
    pub constant: Vec<(String, String)>,
    /// Display layout: the leading path (`lightning_logs/`) common to every
    /// row's name, left out of the name column; else empty.
    pub prefix: String,
    rows: Cow<'t, [Row]>,
}

impl<'t> Columns<'t> {
    /// The columns of `table` for `layout`.
    ///
    /// Data: rank and the row's identity, then every hparam, then metrics
    /// (then, for groups, one standard deviation per metric).
    ///
    /// Display: rank and identity, the sort metric and the other metrics,
    /// then the hparams that differ between rows (all of them if they were
    /// named with `--hparams`); numbers formatted per column; the common
    /// leading path of the names dropped; tied rows in natural name order.
    pub fn new(table: &'t Table, layout: Layout) -> Columns<'t> {
        let mut c = Columns {
            table,
            columns: identity_columns(table, layout),
            constant: Vec::new(),
            prefix: String::new(),
            rows: Cow::Borrowed(&table.rows),
        };
        if layout == Layout::Data {
            c.data_values();
        } else {
            c.display_values();
        }
        c
    }

    /// Data layout: hparams, metrics, spreads, in the table's order.
    fn data_values(&mut self) {
        use ValueType::Number;
        let table = self.table;
        for h in &table.hparams {
            let ty = hparam_type(&table.rows, &h.name);
            self.columns
                .push(Column::new(Kind::HParam(h), &h.name, &h.label, ty));
        }
        for m in &table.metrics {
            self.columns
                .push(Column::new(Kind::Metric(m), &m.label, &m.label, Number));
        }
        if table.groups {
            for m in &table.metrics {
                let name = format!("{} std", m.label);
                self.columns
                    .push(Column::new(Kind::Std(m), &name, &name, Number));
            }
        }
    }

    /// Display layout: see [`Columns::new`].
    fn display_values(&mut self) {
        let table = self.table;
        let rows = display_rows(table);
        let sort = table.sort.as_ref().map(|(k, _)| k);
        let metrics = table
            .metrics
            .iter()
            .filter(|m| Some(&m.key) == sort)
            .chain(table.metrics.iter().filter(|m| Some(&m.key) != sort));
        for m in metrics {
            let mut col = Column::new(Kind::Metric(m), &m.label, &m.label, ValueType::Number);
            // From the values: a spread is written in its value's style.
            let values = rows.iter().filter_map(|r| r.metrics.get(&m.key).copied());
            col.format = NumFormat::for_metrics(values);
            self.columns.push(col);
        }
        for h in &table.hparams {
            let values: Vec<Option<&HParamValue>> =
                rows.iter().map(|r| r.hparams.get(&h.name)).collect();
            let first = values.first().copied().flatten();
            let same = values.iter().all(|v| *v == first);
            let mut col = Column::new(
                Kind::HParam(h),
                &h.name,
                &h.label,
                hparam_type(&rows, &h.name),
            );
            col.format = NumFormat::for_hparams(values.iter().flatten().filter_map(|v| v.as_f64()));
            match first {
                Some(v) if same && rows.len() > 1 && !table.hparams_named => {
                    self.constant.push((h.label.clone(), col.hparam_text(v)));
                }
                _ => self.columns.push(col),
            }
        }
        self.prefix = common_prefix(rows.iter().map(|r| r.name.as_str()));
        for col in &mut self.columns {
            if col.kind == Kind::Name {
                col.strip = self.prefix.len();
            }
        }
        self.rows = Cow::Owned(rows);
    }

    /// The columns in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Column<'t>> {
        self.columns.iter()
    }

    /// The constant hparams as `name=value, …`, each part through `esc`
    /// (a format's escaping).
    pub fn constant_list(&self, esc: impl Fn(&str) -> String) -> String {
        let same: Vec<String> = self
            .constant
            .iter()
            .map(|(k, v)| format!("{}={}", esc(k), esc(v)))
            .collect();
        same.join(", ")
    }

    /// The rows in the order this layout shows them (data: the table's
    /// ranking; display: ties in natural name order, `#` their position).
    pub fn rows(&self) -> &[Row] {
        &self.rows
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

/// Rank and the row's identity for `layout`.
fn identity_columns(table: &Table, layout: Layout) -> Vec<Column<'_>> {
    use ValueType::{Count, Text};
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
    columns
}

/// The table's rows with each run of ties (equal sort values, or no sort
/// metric at all) in natural name order (`version_2` before `version_10`),
/// numbered by position. The ranking itself (and so JSON's order) keeps
/// ties in byte order of the names.
fn display_rows(table: &Table) -> Vec<Row> {
    let mut rows = table.rows.clone();
    let value = |r: &Row| {
        table
            .sort
            .as_ref()
            .and_then(|(k, _)| r.metrics.get(k).copied())
            .map(f64::to_bits)
    };
    let mut start = 0;
    while start < rows.len() {
        let v = value(&rows[start]);
        let mut end = start + 1;
        while end < rows.len() && value(&rows[end]) == v {
            end += 1;
        }
        rows[start..end].sort_by(|a, b| natural_cmp(&a.name, &b.name));
        start = end;
    }
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    rows
}

/// Compares names with runs of digits as numbers (`run2` < `run10`).
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        let (Some(ca), Some(cb)) = (a.chars().next(), b.chars().next()) else {
            return a.len().cmp(&b.len());
        };
        if ca.is_ascii_digit() && cb.is_ascii_digit() {
            let na = a.len() - a.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let nb = b.len() - b.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let (da, db) = (
                a[..na].trim_start_matches('0'),
                b[..nb].trim_start_matches('0'),
            );
            let ord = da.len().cmp(&db.len()).then(da.cmp(db)).then(na.cmp(&nb));
            if ord.is_ne() {
                return ord;
            }
            (a, b) = (&a[na..], &b[nb..]);
        } else {
            if ca != cb {
                return ca.cmp(&cb);
            }
            (a, b) = (&a[ca.len_utf8()..], &b[cb.len_utf8()..]);
        }
    }
}

/// The leading `dir/` components every name has, with something left
/// after them in each; empty if there are none (or fewer than two names).
fn common_prefix<'a>(mut names: impl Iterator<Item = &'a str>) -> String {
    let Some(first) = names.next() else {
        return String::new();
    };
    let mut len = first.rfind('/').map_or(0, |i| i + 1);
    let mut count = 1;
    for n in names {
        count += 1;
        while len > 0 && !(n.len() > len && n.as_bytes().get(..len) == first.as_bytes().get(..len))
        {
            len = first[..len - 1].rfind('/').map_or(0, |i| i + 1);
        }
    }
    if count < 2 {
        return String::new();
    }
    first[..len].to_string()
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
            hparams_named: false,
            sort_note: None,
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
        // For people: metrics before hparams.
        assert_eq!(
            labels(&display),
            ["#", "session", "status", "validation/loss", "Rank!"]
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
            ["#", "group", "n", "validation/loss", "Rank!"]
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

    #[test]
    fn display_drops_constant_hparams_and_the_common_path_and_orders_ties_naturally() {
        let mut t = table(false);
        let base = t.rows[0].clone();
        t.rows = ["logs/v_0", "logs/v_1", "logs/v_10", "logs/v_2"]
            .iter()
            .enumerate()
            .map(|(i, n)| Row {
                rank: i + 1,
                name: n.to_string(),
                ..base.clone()
            })
            .collect();
        let display = Columns::new(&t, Layout::Display);
        assert_eq!(display.constant, [("Rank!".to_string(), "3".to_string())]);
        assert_eq!(display.prefix, "logs/");
        let name = &display.columns[1];
        let names: Vec<Cell<'_>> = display.rows().iter().map(|r| name.cell(r)).collect();
        assert_eq!(
            names,
            [
                Cell::Text("v_0"),
                Cell::Text("v_1"),
                Cell::Text("v_2"),
                Cell::Text("v_10")
            ]
        );
        assert_eq!(display.rows()[3].rank, 4);
        // Named hparams stay; the data layout keeps every column and order.
        t.hparams_named = true;
        assert!(Columns::new(&t, Layout::Display).constant.is_empty());
        let data = Columns::new(&t, Layout::Data);
        assert_eq!(data.rows()[2].name, "logs/v_10");
        assert!(data.prefix.is_empty());
    }

    #[test]
    fn natural_order_and_common_prefix() {
        use std::cmp::Ordering::*;
        assert_eq!(natural_cmp("version_2", "version_10"), Less);
        assert_eq!(natural_cmp("a10b", "a10a"), Greater);
        assert_eq!(natural_cmp("x01", "x1"), Greater);
        assert_eq!(natural_cmp("é2", "é2"), Equal);
        assert_eq!(common_prefix(["a/b/c", "a/b/d"].into_iter()), "a/b/");
        assert_eq!(common_prefix(["a/b/c", "a/bc/d"].into_iter()), "a/");
        assert_eq!(common_prefix(["a/b", "a/b/c"].into_iter()), "a/");
        assert_eq!(common_prefix(["a", "a/b"].into_iter()), "");
        assert_eq!(common_prefix(["a/b"].into_iter()), "");
    }
}
