//! [`Warning`]: a problem found while reading, with where it is. One type
//! for every reading layer: the event file reader reports damage in one
//! file with it, and the logdir loader collects those and its own notes
//! (unreadable directories, odd hparams) next to the data it read.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem found while reading, with where it is.
///
/// Prints as `path: byte N: what`, `path: what` when the problem has no
/// place in a file (`byte 0` is a place: the file's first record), or just
/// `what` for notes about the whole logdir (an empty `path`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// The file or directory concerned (empty for logdir-wide notes).
    pub path: PathBuf,
    /// Byte offset in the file; `None` when not about a place in a file.
    pub offset: Option<u64>,
    /// What is wrong and what was done about it.
    pub what: String,
}

impl Warning {
    /// About the file (or directory) as a whole.
    pub(crate) fn file(path: PathBuf, what: String) -> Self {
        Warning {
            path,
            offset: None,
            what,
        }
    }

    /// About the record at byte `offset` of a file.
    pub(crate) fn at(path: PathBuf, offset: u64, what: String) -> Self {
        Warning {
            path,
            offset: Some(offset),
            what,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path: &Path = &self.path;
        match self.offset {
            _ if path.as_os_str().is_empty() => f.write_str(&self.what),
            Some(at) => write!(f, "{}: byte {at}: {}", path.display(), self.what),
            None => write!(f, "{}: {}", path.display(), self.what),
        }
    }
}
