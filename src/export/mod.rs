//! Output formats of the ranked table, one file per format behind one trait:
//! the terminal table, CSV, JSON / JSON Lines, Markdown and Parquet.

mod csv;
mod json;
mod markdown;
mod parquet;
mod terminal;
pub mod text;

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use crate::analysis::Table;
use crate::logdir::{ExperimentView, Warning};

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
    /// The table could not be converted.
    #[error("{0}")]
    Frame(String),
}

/// One output format.
pub trait Exporter {
    /// Writes the report.
    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> Result<(), ExportError>;
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

    /// The exporter for this format.
    pub fn exporter(self, opts: ExportOptions) -> Box<dyn Exporter> {
        match self {
            Format::Table => Box::new(terminal::TerminalTable { width: opts.width }),
            Format::Csv => Box::new(csv::Csv {
                defuse: opts.defuse_csv,
            }),
            Format::Json => Box::new(json::Json { lines: false }),
            Format::Jsonl => Box::new(json::Json { lines: true }),
            Format::Markdown => Box::new(markdown::Markdown),
            Format::Parquet => Box::new(parquet::Parquet),
        }
    }
}

impl FromStr for Format {
    type Err = String;

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
                ))
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
