//! hp-report: write and analyse TensorBoard hyperparameter logs.
pub mod error;
pub mod event;
pub mod hparams;
pub mod proto;
pub mod record;
pub mod rng;
pub mod summary;
pub mod trainer;
pub mod wire;

pub use error::{Error, Result};
pub use hparams::{DatasetKind, Domain, ExperimentConfig, HParam, HParamValue, Metric, Status};
pub use trainer::{grid, random, ExperimentWriter, RunWriter, Session, Trial};
