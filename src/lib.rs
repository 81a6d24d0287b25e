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
//! # Reading and ranking a logdir
//!
//! [`logdir::load`] reads any hparams logdir the way TensorBoard does and
//! gives its [`Logdir`]: the experiment, the sessions with their hparams and
//! metric series, and the [`Warning`]s about whatever could not be read.
//! [`analysis::build`] turns it into a ranked [`Table`] by a [`Query`] (the
//! `hp-report` table options as a value):
//!
//! ```
//! use hp_report::analysis::build;
//! use hp_report::logdir::load;
//! use hp_report::{Condition, LoadOptions, Query};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/keras_mlp_grid");
//! let query = Query {
//!     sort: Some("validation/epoch_auc".into()), // or a unique tag, or a display name
//!     filters: vec!["learning_rate < 0.05".parse::<Condition>()?],
//!     top: Some(2),
//!     ..Query::default()
//! };
//! let ld = load(dir, &query.load_options())?;
//! assert!(ld.warnings.is_empty());
//! let table = build(&ld, &query)?;
//! assert_eq!(table.rows.len(), 2);
//! for row in &table.rows {
//!     // The reduced value of each metric column (TensorBoard's: the last).
//!     let values: Vec<_> = table.metrics.iter().map(|m| row.metrics.get(&m.key)).collect();
//!     println!("{} {} {:?} {values:?}", row.rank, row.name, row.hparams);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The bytes come through a [`Source`] ([`logdir::load_source`]): a local
//! directory ([`LocalDir`]), or with the `cloud` feature an object-store
//! prefix. [`Follower`] reads a logdir that is still being written, a poll
//! at a time. With the `analysis` feature, [`export`] prints a table in
//! every [`Format`] of the CLI's `--format`; with `plot`, [`plot`] draws it
//! and [`report`] makes the HTML page.
//!
//! # The pipeline
//!
//! The modules follow the data: TFRecord framing → [`event`] (event files)
//! → scalar and [`hparams`] payloads → [`logdir`] (runs, sessions,
//! TensorBoard's rules) → [`analysis`] (ranked tables) → `export`
//! (formats) | `plot` and `report` (PNG/SVG plots, the HTML page) → the
//! `hp-report` command line. [`trainer`] is the writing API on top of the
//! first three; `tune` (feature `tune`) runs a user's command over a search
//! space, each trial a session. `docs/architecture.md` draws the layers.
//!
//! # Features
//!
//! With `default-features = false` only the writer/reader core is compiled
//! (prost, crc32c, walkdir, same-file, rayon, serde, sha2), with the ranked
//! table of [`analysis`]: no polars, plotters or clap. `analysis` adds the exporters
//! (serde_json), `plot` plotters and the HTML report, `tune` the trial
//! runner, `cli` (default) clap and the `hp-report` binary; `parquet` (not
//! in `default`) adds polars for Parquet output and `Table::to_dataframe()`;
//! `cloud` object-store logdirs.
//!
//! # Stability
//!
//! The modules hidden from these docs (`cli`, `proto`, `record`, `summary`,
//! `rng`, `event::view`, `hparams::plugin`) are public only for the
//! binary, the tests and the fuzz targets; they may change in any release.
#![deny(missing_docs)]
#![warn(unnameable_types)]

pub mod analysis;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
pub mod diagnose;
mod error;
pub mod event;
#[cfg(feature = "analysis")]
pub mod export;
pub mod hparams;
pub mod logdir;
#[cfg(feature = "plot")]
pub mod plot;
#[doc(hidden)]
pub mod proto;
#[doc(hidden)]
pub mod record;
#[cfg(feature = "plot")]
pub mod report;
#[doc(hidden)]
pub mod rng;
pub mod sorted_map;
#[doc(hidden)]
pub mod summary;
pub mod trainer;
#[cfg(feature = "tune")]
pub mod tune;
mod wire;

// What a training loop needs: declare the experiment, enumerate trials,
// write sessions.
pub use hparams::{DatasetKind, Domain, ExperimentConfig, HParam, HParamValue, Metric, Status};
pub use trainer::{grid, random, ExperimentWriter, RunWriter, Session, Trial};
// What an analysis program needs: load a logdir, query a ranked table,
// export or plot it. (`Session` above is the writer's; a loaded session is
// `logdir::Session`, and a plot's input is `plot::Source`.)
pub use analysis::{Agg, Condition, Goal, Query, QueryError, Reduction, Row, Table};
#[cfg(feature = "analysis")]
pub use export::{ExportError, ExportOptions, Exporter, Format};
pub use logdir::{
    Follower, LoadError, LoadOptions, LocalDir, Logdir, MetricKey, SeriesOptions, Source, Warning,
};
#[cfg(feature = "plot")]
pub use plot::{PlotKind, PlotOptions};
// Errors of the writing side and of parsing user input.
pub use error::{Error, ParseError, Result};
