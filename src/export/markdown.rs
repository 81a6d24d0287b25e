//! A GitHub-flavoured Markdown table, for pasting into a PR or a report.
//!
//! The display columns of the terminal table: metrics first, hparams equal
//! in every row and the names' common leading path said once in a line
//! above the table.

use std::io::Write;

use crate::analysis::Row;
use crate::export::columns::{Cell, Column, Columns, Kind, Layout};
use crate::export::text::printable;
use crate::export::{ExportError, Exporter, Report};

pub(crate) struct Markdown;

/// Escapes a cell: pipes, backslashes, and Markdown/HTML specials, with
/// control characters made visible.
fn cell(s: &str) -> String {
    let mut out = String::new();
    for c in printable(s).chars() {
        match c {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A column's header: our own headers as they are, names from the logs
/// escaped.
fn header(c: &Column<'_>) -> String {
    if c.identifies_row() {
        c.label.clone()
    } else {
        cell(&c.label)
    }
}

/// The divider under a header: ranks and metrics right-aligned.
fn divider(c: &Column<'_>) -> &'static str {
    if matches!(c.kind, Kind::Rank | Kind::Metric(_)) {
        "---:"
    } else {
        "---"
    }
}

/// One cell's text: names escaped, a group's spread after its value.
fn text(c: &Column<'_>, row: &Row) -> String {
    match c.cell(row) {
        Cell::Missing => String::new(),
        Cell::Count(n) => n.to_string(),
        Cell::Status(s) => s.short().to_string(),
        Cell::Text(s) => cell(s),
        Cell::Sessions(names) => cell(&names.join(", ")),
        Cell::HParam(v) => cell(&c.hparam_text(v)),
        Cell::Metric { value, std: None } => c.number(value),
        Cell::Metric {
            value,
            std: Some(s),
        } => format!("{} ± {}", c.number(value), c.number(s)),
    }
}

impl Exporter for Markdown {
    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> Result<(), ExportError> {
        let cols = Columns::new(report.table, Layout::Display);
        let mut notes = Vec::new();
        if !cols.prefix.is_empty() {
            notes.push(format!(
                "{} under {}",
                report.table.row_noun(),
                cell(&cols.prefix)
            ));
        }
        if !cols.constant.is_empty() {
            let same = cols.constant_list(cell);
            notes.push(format!("same in all {}: {same}", cols.rows().len()));
        }
        if !notes.is_empty() {
            writeln!(out, "{}\n", notes.join("; "))?;
        }
        let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
        out.write_all(line(cols.iter().map(header).collect()).as_bytes())?;
        let divider = cols.iter().map(|c| divider(c).to_string()).collect();
        out.write_all(line(divider).as_bytes())?;
        for r in cols.rows() {
            out.write_all(line(cols.iter().map(|c| text(c, r)).collect()).as_bytes())?;
        }
        Ok(())
    }
}
