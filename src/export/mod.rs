//! Output formats of the ranked table, one file per format behind one trait:
//! the terminal table, CSV, JSON / JSON Lines, Markdown, and with the
//! `parquet` feature Parquet. Every format walks the one column model of
//! [`columns`].

pub mod columns;
mod csv;
#[cfg(feature = "parquet")]
mod dataframe;
mod json;
mod markdown;
pub mod numbers;
#[cfg(feature = "parquet")]
mod parquet;
mod terminal;
pub mod text;

use crate::error::ParseError;
use std::fmt;
use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use crate::analysis::Table;
use crate::logdir::{ExperimentView, Warning};

pub use csv::defuse_formula;
pub use json::{row_json, table_json};

/// Everything an exporter may show.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    /// The logdir as given.
    pub logdir: &'a Path,
    /// The experiment.
    pub experiment: &'a ExperimentView,
    /// The ranked table.
    pub table: &'a Table,
    /// Problems found while reading.
    pub warnings: &'a [Warning],
}

/// Settings shared by the exporters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportOptions {
    /// Terminal width for the table format.
    pub width: usize,
    /// Prefix text cells that start like a spreadsheet formula (`=`, `+`,
    /// `-`, `@`) with `'` in CSV. On by default.
    pub defuse_csv: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            width: 80,
            defuse_csv: true,
        }
    }
}

/// An export failure.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The table could not be converted (Parquet).
    #[error("{0}")]
    Frame(String),
    /// The format was left out of this build.
    #[error("{0}")]
    Unavailable(String),
}

/// One output format.
pub trait Exporter {
    /// Writes the report.
    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> Result<(), ExportError>;
}

/// The exporter of a format this build leaves out.
#[cfg(not(feature = "parquet"))]
struct Unavailable(Format);

#[cfg(not(feature = "parquet"))]
impl Exporter for Unavailable {
    fn export(&self, _: &Report<'_>, _: &mut dyn Write) -> Result<(), ExportError> {
        self.0.check_available()
    }
}

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned text for a terminal.
    Table,
    /// Comma-separated values.
    Csv,
    /// One JSON object.
    Json,
    /// One JSON object per row.
    Jsonl,
    /// A GitHub-flavoured Markdown table.
    Markdown,
    /// Apache Parquet.
    Parquet,
}

impl Format {
    /// The format a file name's extension implies.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => Format::Csv,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::Jsonl,
            "md" | "markdown" => Format::Markdown,
            "parquet" | "pq" => Format::Parquet,
            "txt" => Format::Table,
            _ => return None,
        })
    }

    /// Whether the output is binary.
    pub fn is_binary(self) -> bool {
        self == Format::Parquet
    }

    /// Whether this build can write the format: Parquet needs the `parquet`
    /// feature; the error says how to get it.
    pub fn check_available(self) -> Result<(), ExportError> {
        if self == Format::Parquet && !cfg!(feature = "parquet") {
            return Err(ExportError::Unavailable(
                "parquet output is not built in: install with `cargo install hp-report --features parquet` \
                 (from a checkout: `cargo install --path . --features parquet`)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The exporter for this format (see [`Format::check_available`]: one
    /// that is not built in fails on export).
    pub fn exporter(self, opts: ExportOptions) -> Box<dyn Exporter> {
        match self {
            Format::Table => Box::new(terminal::TerminalTable { width: opts.width }),
            Format::Csv => Box::new(csv::Csv {
                defuse: opts.defuse_csv,
            }),
            Format::Json => Box::new(json::Json { lines: false }),
            Format::Jsonl => Box::new(json::Json { lines: true }),
            Format::Markdown => Box::new(markdown::Markdown),
            #[cfg(feature = "parquet")]
            Format::Parquet => Box::new(parquet::Parquet),
            #[cfg(not(feature = "parquet"))]
            Format::Parquet => Box::new(Unavailable(self)),
        }
    }
}

impl FromStr for Format {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "table" | "text" => Format::Table,
            "csv" => Format::Csv,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::Jsonl,
            "markdown" | "md" => Format::Markdown,
            "parquet" => Format::Parquet,
            _ => {
                return Err(format!(
                    "unknown format {s:?}: use table, csv, json, jsonl, markdown or parquet"
                )
                .into())
            }
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Markdown => "markdown",
            Format::Parquet => "parquet",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parquet_is_available_exactly_with_its_feature() {
        assert_eq!(
            Format::Parquet.check_available().is_ok(),
            cfg!(feature = "parquet")
        );
        assert!(Format::Csv.check_available().is_ok());
        let err = Format::Parquet
            .check_available()
            .err()
            .map(|e| e.to_string());
        if let Some(e) = err {
            assert!(e.contains("--features parquet"), "{e}");
        }
    }
}
