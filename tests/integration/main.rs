//! The integration tests, one module per concern, linked into one test
//! binary (`cargo test --test integration`).
//!
//! One binary instead of one per file: with the `analysis` and `plot`
//! features every test binary links polars and plotters, and a dozen of them
//! cost a dozen links and a dozen copies of those libraries on disk (with
//! debug info, over 7 GB; enough to fill a CI machine's disk). The allocator
//! test (`tests/resource_limits.rs`) stays a binary of its own: it installs a
//! counting global allocator, which would see every other test's threads.
//!
//! Run one module with a name filter: `cargo test --test integration cli::`.

#[cfg(feature = "cli")]
mod bin;
mod common;

#[cfg(feature = "cli")]
mod cli;
mod corrupt_inputs;
mod crash_kill;
#[cfg(feature = "cli")]
mod engines;
mod fixtures_tensorboard;
mod follow;
mod fuzz_regressions;
#[cfg(feature = "cli")]
mod hostile_strings;
#[cfg(all(feature = "cloud", feature = "cli"))]
mod object_store;
mod plots;
mod proto_codegen;
mod runs_mode;
mod scale;
mod table_view;
#[cfg(feature = "cli")]
mod tune;
mod tune_mlp;
#[cfg(feature = "cli")]
mod warm_start;
mod writer_deps;
mod writer_errors;
mod writer_keras_fixture;
mod writer_trainer;
