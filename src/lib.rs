//! hp-report: write and analyse TensorBoard hyperparameter logs.
#[cfg(feature = "analysis")]
pub mod analysis;
#[cfg(feature = "cli")]
pub mod cli;
pub mod diagnose;
pub mod error;
pub mod event;
#[cfg(feature = "analysis")]
pub mod export;
pub mod hparams;
pub mod logdir;
pub mod proto;
pub mod record;
pub mod rng;
pub mod summary;
pub mod wire;

pub use error::{Error, Result};
