//! Reading a whole logdir the way TensorBoard does.
//!
//! `scan` finds the runs ([`RunFiles`]), `run` reads each run's files (in
//! parallel across runs) into scalar [`Series`] and hparams records
//! ([`RunData`]), and `model` builds what TensorBoard's HPARAMS tab shows
//! from them: the experiment (explicit or inferred, [`ExperimentView`]), the
//! [`Session`]s with their hparams, status and metric values, and the
//! session groups. A logdir without hparams sessions gets one row per run
//! instead (`runs`, [`RunsInfo`]), with hparams read from the trainer's side
//! files.
//! Problems in the data never stop a load; they are
//! collected as [`Warning`]s next to everything that could be read.
//! [`Follower`] does the same incrementally for a logdir still being written.
//! Both read through a [`Source`]: a local directory, or with the `cloud`
//! feature an object-store prefix.

mod error;
mod follow;
mod load;
pub(crate) mod model;
pub(crate) mod run;
pub(crate) mod runs;
pub(crate) mod scan;
pub(crate) mod series;
mod sidecar;
pub mod source;
pub(crate) mod walk;

pub use error::LoadError;
pub use follow::{Follower, PollUpdate};
pub use load::{load, load_source, load_with_progress, LoadOptions, Logdir};
pub use model::{
    metric_labels, ExperimentView, HParamDomain, HParamInfoView, HParamType, LabelledMetrics,
    MetricInfoView, MetricKey, RunsInfo, Session,
};
pub use run::{RunData, RunHParams};
pub use scan::RunFiles;
pub use series::{Point, ScalarMap, Series, SeriesOptions};
pub use source::{EventFile, LocalDir, Source};

pub use crate::event::Warning;
