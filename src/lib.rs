//! hp-report: write and analyse TensorBoard hyperparameter logs.
pub mod error;
pub mod event;
pub mod hparams;
pub mod logdir;
pub mod proto;
pub mod record;
pub mod rng;
pub mod summary;
pub mod wire;

pub use error::{Error, Result};
