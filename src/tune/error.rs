//! The runner's own failures (bad input found before anything runs, an
//! experiment directory that cannot be used), as opposed to a trial's.

use std::fmt;
use std::path::Path;

/// A failure that stops the runner before or outside the trials.
#[derive(Debug, thiserror::Error)]
pub enum TuneError {
    /// Bad input: caught before anything runs.
    #[error("{0}")]
    Usage(String),
    /// The experiment directory cannot be used or written.
    #[error("{0}")]
    Io(String),
}

/// `what PATH: e` as an [`TuneError::Io`].
pub(crate) fn io_err(what: &str, path: &Path, e: impl fmt::Display) -> TuneError {
    TuneError::Io(format!("{what} {}: {e}", path.display()))
}
