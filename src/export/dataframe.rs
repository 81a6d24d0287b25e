//! The table as a polars `DataFrame` (feature `parquet`), for Parquet
//! export and for Rust programs that continue in polars. It has the data
//! layout's columns (see [`columns`](crate::export::columns)), typed.

use polars::prelude::{Column as PlColumn, DataFrame, PolarsResult};

use crate::analysis::{Row, Table};
use crate::export::columns::{Cell, Column, Columns, Layout, ValueType};

impl Table {
    /// The table as a DataFrame: `rank`, `session` `group` `status` (or
    /// `group` `count` `sessions`, the members joined by `;`, for group
    /// rows), one column per hparam (f64, bool or text by its values), one
    /// per metric (f64, header as the metric's label), and for groups a
    /// `<label> std` column per metric. Missing values are nulls.
    pub fn to_dataframe(&self) -> PolarsResult<DataFrame> {
        let cols = Columns::new(self, Layout::Data);
        let names = cols.data_headers(str::to_string);
        let columns: Vec<PlColumn> = cols
            .iter()
            .zip(names)
            .map(|(c, name)| series(c, &name, &self.rows))
            .collect();
        DataFrame::new(self.rows.len(), columns)
    }
}

/// One column's values in `rows`, typed as the column says.
fn series(c: &Column<'_>, name: &str, rows: &[Row]) -> PlColumn {
    let name = name.into();
    let cells = rows.iter().map(|r| c.cell(r));
    match c.ty {
        ValueType::Count => PlColumn::new(
            name,
            cells
                .map(|x| match x {
                    Cell::Count(n) => Some(n as u64),
                    _ => None,
                })
                .collect::<Vec<Option<u64>>>(),
        ),
        ValueType::Number => PlColumn::new(
            name,
            cells
                .map(|x| match x {
                    Cell::Metric { value, .. } => Some(value),
                    Cell::HParam(v) => v.as_f64(),
                    _ => None,
                })
                .collect::<Vec<Option<f64>>>(),
        ),
        ValueType::Bool => PlColumn::new(
            name,
            cells
                .map(|x| match x {
                    Cell::HParam(crate::hparams::HParamValue::Bool(b)) => Some(*b),
                    _ => None,
                })
                .collect::<Vec<Option<bool>>>(),
        ),
        ValueType::Text => PlColumn::new(name, cells.map(text).collect::<Vec<Option<String>>>()),
    }
}

/// A text cell's value (`None` when missing).
fn text(cell: Cell<'_>) -> Option<String> {
    match cell {
        Cell::Missing => None,
        Cell::Count(n) => Some(n.to_string()),
        Cell::Text(s) => Some(s.to_string()),
        Cell::Status(s) => Some(s.as_str().to_string()),
        Cell::Sessions(names) => Some(names.join(";")),
        Cell::HParam(v) => Some(v.to_string()),
        Cell::Metric { value, .. } => Some(value.to_string()),
    }
}
