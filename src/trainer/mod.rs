//! The trainer API: what a Rust training loop calls to produce the logdir a
//! Keras user gets from the TensorBoard HParams tutorial.
//!
//! 1. Declare the experiment once: [`ExperimentWriter::create`] writes the
//!    [`ExperimentConfig`](crate::hparams::ExperimentConfig) (hparams with
//!    domains, metrics) into the logdir root.
//! 2. Enumerate trials: [`grid`] (full cartesian product) or [`random`]
//!    (seeded, reproducible), or build a [`Trial`] by hand.
//! 3. Per trial, open a [`Session`] in its own sub-directory, write scalars
//!    to its sub-runs (`train`, `validation`, `test`, ...) through
//!    [`RunWriter`]s, and [`Session::end`] it with a status.
//!
//! ```text
//! LOGDIR/events.out.tfevents…               _hparams_/experiment
//! LOGDIR/run-0/events.out.tfevents…         _hparams_/session_start_info, …_end_info
//! LOGDIR/run-0/train/events.out.tfevents…   epoch_loss, epoch_accuracy, …
//! LOGDIR/run-0/validation/events…           epoch_loss, epoch_accuracy, …
//! ```
//!
//! [`ExperimentWriter`] is `Send + Sync` and [`Session`] and [`RunWriter`]
//! are `Send`, so sessions can be trained on parallel threads.
#![deny(missing_docs)]

mod experiment;
mod names;
mod run;
mod session;
mod sweep;

pub use experiment::ExperimentWriter;
pub use run::RunWriter;
pub use session::Session;
pub use sweep::{grid, random, Trial, MAX_TRIALS};

// Compile-time guarantee that sessions can move to (and the experiment be
// shared between) threads; a field that breaks this fails the build here.
const _: () = {
    const fn send<T: Send>() {}
    const fn send_sync<T: Send + Sync>() {}
    send::<Session>();
    send::<RunWriter>();
    send::<Trial>();
    send_sync::<ExperimentWriter>();
};
