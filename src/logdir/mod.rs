//! Reading a whole logdir the way TensorBoard does.
//!
//! [`scan`] finds the runs, [`run`] reads each run's files (in parallel across
//! runs) into scalar [`series`] and hparams records, and [`model`] builds
//! what TensorBoard's HPARAMS tab shows from them: the experiment (explicit or
//! inferred), the sessions with their hparams, status and metric values, and
//! the session groups. A logdir without hparams sessions gets one row per
//! run instead ([`runs`]), with hparams read from the trainer's side files.
//! Problems in the data never stop a load; they are
//! collected as [`Warning`]s next to everything that could be read.
//! [`Follower`] does the same incrementally for a logdir still being written.
//! Both read through a [`Source`]: a local directory, or with the `cloud`
//! feature an object-store prefix.

mod follow;
mod load;
pub mod model;
pub mod run;
pub mod runs;
pub mod scan;
pub mod series;
mod sidecar;
pub mod source;

use std::fmt;
use std::path::PathBuf;

pub use follow::{Follower, PollUpdate};
pub use load::{load, load_source, load_with_progress, LoadError, LoadOptions, Logdir};
pub use model::{
    metric_labels, ExperimentView, Group, HParamDomain, HParamInfoView, HParamType,
    LabelledMetrics, MetricInfoView, MetricKey, Session,
};
pub use run::RunData;
pub use runs::RunsInfo;
pub use series::{Point, ScalarMap, Series, SeriesOptions};
pub use source::{EventFile, LocalDir, Source};

use crate::event::FileProblem;

/// A problem found while reading, with where it is.
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

impl From<FileProblem> for Warning {
    fn from(p: FileProblem) -> Self {
        Warning {
            path: p.path,
            offset: p.offset,
            what: p.what,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.as_os_str().is_empty() {
            f.write_str(&self.what)
        } else {
            crate::event::write_place(f, &self.path, self.offset, &self.what)
        }
    }
}
