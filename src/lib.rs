//! hp-report: write and analyse TensorBoard hyperparameter logs.
//!
//! The writing half produces, from a Rust training loop, the logdir a Keras
//! user gets from the TensorBoard HParams tutorial: the experiment config at
//! the logdir root, one session directory per trial with its hparam values,
//! status and scalar curves in sub-runs (`train`, `validation`, ...), all in
//! the exact encoding TensorFlow writes, so `tensorboard --logdir LOGDIR`
//! shows every session in its HPARAMS tab. The reading half turns such logs
//! (ours, Keras's, tensorboardX's, torch's) into ranked tables.
//!
//! # Writing a sweep
//!
//! Declare the experiment with an [`ExperimentConfig`], enumerate [`Trial`]s
//! ([`grid`] or seeded [`random`]), and give each its [`Session`]:
//!
//! ```
//! use hp_report::{grid, Domain, ExperimentConfig, ExperimentWriter, HParam, Metric, Status};
//!
//! # fn main() -> hp_report::Result<()> {
//! let config = ExperimentConfig::new()
//!     .hparam(HParam::new("num_units", Domain::discrete([16, 32])?))
//!     .hparam(HParam::new("dropout", Domain::real(0.1, 0.3)?))
//!     .hparam(HParam::new("optimizer", Domain::discrete(["adam", "sgd"])?))
//!     .metric(Metric::new("epoch_loss").group("validation"))
//!     .metric(Metric::new("epoch_accuracy").group("validation"));
//!
//! let logdir = std::env::temp_dir().join(format!("hp-report-doc-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&logdir);
//! let experiment = ExperimentWriter::create(&logdir, &config)?; // LOGDIR/events…
//! let trials = grid(&config, 2)?; // 2 × 2 × 2 = 8 trials, dropout ∈ {0.1, 0.3}
//! assert_eq!(trials.len(), 8);
//!
//! for (i, trial) in trials.iter().enumerate() {
//!     let mut session = experiment.session(&format!("run-{i}"), trial)?; // LOGDIR/run-i
//!     let units = trial.get_f64("num_units").unwrap_or(16.0);
//!     for epoch in 0..3 {
//!         // ... train one epoch ...
//!         let loss = 1.0 / (units * (epoch + 1) as f64);
//!         session.scalar("validation", "epoch_loss", epoch, loss)?; // LOGDIR/run-i/validation
//!         session.scalar("validation", "epoch_accuracy", epoch, 1.0 - loss)?;
//!     }
//!     session.end(Status::Success)?;
//! }
//! assert!(logdir.join("run-7/validation").is_dir());
//! # std::fs::remove_dir_all(&logdir).ok();
//! # Ok(())
//! # }
//! ```
//!
//! See [`trainer`] for the layout and the rules (steps increase per tag; what
//! a dropped or panicking session records), and the `mlp_sweep` example for a
//! real training loop.
//!
//! # Reading a logdir
//!
//! [`logdir::load`] reads any hparams logdir the way TensorBoard does and
//! gives its experiment and sessions; [`analysis::build`] ranks them:
//!
//! ```
//! use hp_report::logdir::{self, LoadOptions};
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/keras_mlp_grid");
//! let ld = logdir::load(dir, &LoadOptions::default()).expect("readable logdir");
//! assert_eq!(ld.sessions.len(), 6);
//! let metric = &ld.experiment.metrics[0].key; // validation/epoch_auc
//! for s in &ld.sessions {
//!     // TensorBoard's value: the last point written.
//!     let v = s.metric(metric).map(|series| series.last.value);
//!     println!("{} {:?} {v:?}", s.name, s.hparams);
//! }
//! ```
//!
//! # The pipeline
//!
//! The modules follow the data: [`record`] (TFRecord framing) → [`event`]
//! (event files) → [`summary`] / [`hparams`] (scalar and hparams payloads) →
//! [`logdir`] (runs, sessions, TensorBoard's rules) → [`analysis`] (ranked
//! tables) → `export` (formats) | `plot` and `report` (PNG/SVG plots,
//! the HTML page) → `cli`. [`trainer`] is the
//! writing API on top of the first four.
//!
//! # Features
//!
//! With `default-features = false` only the writer/reader core is compiled
//! (prost, crc32c, walkdir, rayon, serde, sha2), with the ranked table of
//! [`analysis`]: no polars, plotters or clap. `analysis` adds the exporters
//! (serde_json), `plot` plotters and the HTML report, `cli` (default) clap
//! and the `hp-report` binary; `parquet` (not in `default`) adds polars for
//! Parquet output and `Table::to_dataframe()`.
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
#[cfg(feature = "plot")]
pub mod plot;
pub mod proto;
pub mod record;
#[cfg(feature = "plot")]
pub mod report;
pub mod rng;
pub mod summary;
pub mod trainer;
#[cfg(feature = "tune")]
pub mod tune;
pub mod wire;

pub use error::{Error, Result};
pub use hparams::{DatasetKind, Domain, ExperimentConfig, HParam, HParamValue, Metric, Status};
pub use trainer::{grid, random, ExperimentWriter, RunWriter, Session, Trial};
