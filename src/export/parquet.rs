//! Apache Parquet (feature `parquet`), written by polars from the table's
//! DataFrame (typed columns: numbers stay numbers, missing values are nulls).

use std::io::Write;

use polars::prelude::ParquetWriter;

use crate::export::{ExportError, Exporter, Report};

pub(crate) struct Parquet;

impl Exporter for Parquet {
    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> Result<(), ExportError> {
        let mut df = report
            .table
            .to_dataframe()
            .map_err(|e| ExportError::Frame(e.to_string()))?;
        ParquetWriter::new(out)
            .finish(&mut df)
            .map_err(|e| ExportError::Frame(e.to_string()))?;
        Ok(())
    }
}
