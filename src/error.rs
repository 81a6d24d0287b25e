//! The library's error type for writing logs and for invalid input.
//!
//! Reading never fails as a whole on bad data: damaged records, unreadable
//! files and odd summaries become [`crate::logdir::Warning`]s next to the
//! data that could be read.

use std::io;
use std::path::PathBuf;

/// Errors of the writing side and of user-supplied values.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done ("create directory", "write", ...).
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// A value given by the caller cannot be written (empty tag, NaN hparam,
    /// value outside its domain, ...).
    #[error("invalid input: {0}")]
    Invalid(String),
}

/// A value given on the command line or to a `FromStr` (a `--reduce`,
/// `--where`, `--goal`, `--agg`, `--format` or `--kind` word) that does not
/// parse; the message says what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(String);

impl ParseError {
    /// The message, as printed.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl From<String> for ParseError {
    fn from(message: String) -> Self {
        ParseError(message)
    }
}

impl From<&str> for ParseError {
    fn from(message: &str) -> Self {
        ParseError(message.to_string())
    }
}

/// Shorthand for `Result<T, hp_report::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }
}
