//! CSV (RFC 4180 with `\n` line ends) of the data layout: typed columns,
//! numbers in their shortest round-trip form (`0.1`, `32.0`, `1e-7`, `1e+20`, `NaN`,
//! `inf`), missing values as empty fields, an empty text as `""`. A field
//! is quoted when it holds a comma, a quote or a line break. Text cells that
//! would start a spreadsheet formula are defused with a leading `'` unless
//! `--csv-raw` is given.

use std::io::Write;

use crate::export::columns::{Cell, Column, Columns, Layout, ValueType};
use crate::export::{ExportError, Exporter, Report};

pub(crate) struct Csv {
    pub defuse: bool,
}

/// Neutralises spreadsheet formulas: text starting with `=`, `+`, `-`, `@`,
/// tab or carriage return gets a leading `'` (OWASP's advice for CSV).
pub fn defuse_formula(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// Appends `s` as one field, quoted only when it must be.
fn field(line: &mut String, s: &str) {
    if s.is_empty() {
        line.push_str("\"\"");
    } else if s.contains([',', '"', '\n', '\r']) {
        line.push('"');
        line.push_str(&s.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(s);
    }
}

/// A number as its shortest round-trip text.
fn number(x: f64) -> String {
    zmij::Buffer::new().format(x).to_string()
}

impl Csv {
    fn text(&self, s: &str) -> String {
        if self.defuse {
            defuse_formula(s)
        } else {
            s.to_string()
        }
    }

    /// Appends `cell` of a column typed `ty` (nothing for a missing value).
    fn cell(&self, line: &mut String, ty: ValueType, cell: Cell<'_>) {
        match (cell, ty) {
            (Cell::Missing, _) => {}
            (Cell::Count(n), _) => line.push_str(&n.to_string()),
            (Cell::Metric { value, .. }, _) => line.push_str(&number(value)),
            (Cell::HParam(v), ValueType::Number) => {
                line.push_str(&v.as_f64().map(number).unwrap_or_default())
            }
            (Cell::HParam(v), ValueType::Bool) => line.push_str(&v.to_string()),
            (Cell::HParam(v), _) => field(line, &self.text(&v.to_string())),
            (Cell::Text(s), _) => field(line, &self.text(s)),
            (Cell::Status(s), _) => field(line, s.as_str()),
            (Cell::Sessions(names), _) => field(line, &self.text(&names.join(";"))),
        }
    }

    fn row(&self, columns: &[Column<'_>], row: &crate::analysis::Row) -> String {
        let mut line = String::new();
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            self.cell(&mut line, c.ty, c.cell(row));
        }
        line.push('\n');
        line
    }
}

impl Exporter for Csv {
    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> Result<(), ExportError> {
        let cols = Columns::new(report.table, Layout::Data);
        let mut head = String::new();
        for (i, h) in cols.data_headers(|s| self.text(s)).iter().enumerate() {
            if i > 0 {
                head.push(',');
            }
            field(&mut head, h);
        }
        head.push('\n');
        out.write_all(head.as_bytes())?;
        for r in &report.table.rows {
            out.write_all(self.row(&cols.columns, r).as_bytes())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        let mut s = String::new();
        for f in ["plain", "", "a,b", "say \"hi\"", "two\nlines"] {
            field(&mut s, f);
            s.push('|');
        }
        assert_eq!(s, "plain|\"\"|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|");
        assert_eq!(defuse_formula("=1+2"), "'=1+2");
        assert_eq!(defuse_formula("a=1"), "a=1");
    }

    #[test]
    fn numbers_take_their_shortest_round_trip_form() {
        let got: Vec<String> = [0.1, 32.0, 1e-7, 1e20, f64::NAN, f64::NEG_INFINITY]
            .into_iter()
            .map(number)
            .collect();
        assert_eq!(got, ["0.1", "32.0", "1e-7", "1e+20", "NaN", "-inf"]);
    }
}
