//! `hp-report tune`: run a user's command over a search space, every trial a
//! TensorBoard hparams session, the logdir itself the experiment's state.
//!
//! The pieces, in the order a trial meets them:
//! [`space`] (what may be tried: `-p NAME=SPEC`, W&B / NNI / Katib files;
//! grid and seeded random draws) → [`runner`] (slots, end reasons, resume
//! and retry) → [`trial`] (a process per trial: command, environment,
//! process group, output) → [`metrics`] (what a trial reports on its
//! stdout/stderr, by a documented grammar) → [`writer`] (its TensorBoard
//! session) and [`journal`] (`trials.jsonl`, `tune.json`); [`status`] reads
//! an experiment back, [`view`] shows one running. [`engine`] runs trials
//! elsewhere than on this machine (`--backend slurm|ray|k8s`).

mod adaptive;
mod control;
pub mod engine;
mod error;
pub mod follow;
pub mod journal;
pub mod metrics;
pub mod pbt;
pub mod runner;
pub mod search;
pub mod space;
pub mod status;
pub mod trial;
pub mod view;
pub mod writer;

pub use control::signal_name;
pub use journal::State;
pub use metrics::{parse_line, MetricPoint, Strategy};
pub use runner::{run, Config, EndReason, Method, Mode, Outcome};
pub use search::{
    CmaEs, Decision, Evidence, Gp, Observation, Reports, Rule, Sampler, Tpe, WarmStart,
};
pub use space::{Objective, Param, ParamKind, Space, SpaceError, SpaceFile};
