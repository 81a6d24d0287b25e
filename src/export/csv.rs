//! CSV, written by polars from the table's DataFrame. Text cells that would
//! start a spreadsheet formula are defused with a leading `'` unless
//! `--csv-raw` is given.

use std::io::Write;

use polars::prelude::{CsvWriter, SerWriter};

use crate::analysis::frame::to_dataframe;
use crate::export::{ExportError, Exporter, Report};

pub(crate) struct Csv {
    pub defuse: bool,
}

impl Exporter for Csv {
    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> Result<(), ExportError> {
        let mut df = to_dataframe(report.table, self.defuse)
            .map_err(|e| ExportError::Frame(e.to_string()))?;
        CsvWriter::new(out)
            .include_header(true)
            .finish(&mut df)
            .map_err(|e| ExportError::Frame(e.to_string()))
    }
}
