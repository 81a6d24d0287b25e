//! `hp-report tune`: run a user's command over a search space, every trial a
//! TensorBoard hparams session, the logdir itself the experiment's state.
//!
//! The pieces, in the order a trial meets them:
//! [`space`] (what may be tried: `-p NAME=SPEC`, W&B / NNI / Katib files;
//! grid and seeded random draws) → the runner (a process per trial, its
//! session, its journal line) → [`metrics`] (what a trial reports on its
//! stdout/stderr, by a documented grammar).

pub mod metrics;
pub mod search;
pub mod space;

pub use metrics::{parse_line, MetricPoint, Strategy};
pub use search::{CmaEs, Decision, Evidence, Observation, Reports, Rule, Sampler, Tpe};
pub use space::{Objective, Param, ParamKind, Space, SpaceError, SpaceFile};
