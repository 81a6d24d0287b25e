//! From a loaded logdir to a ranked table: per-session reduction of each
//! curve ([`reduce`]), `--where` conditions ([`filter`]), the goal of each
//! metric ([`goal`]), and, with the `analysis` feature, session groups
//! (`group`) and the table itself (`table`), ranked and filtered through a
//! polars DataFrame (`frame`). The first three need no polars, so the
//! `--where` parser can be fuzzed on the core build.

pub mod filter;
#[cfg(feature = "analysis")]
pub mod frame;
pub mod goal;
#[cfg(feature = "analysis")]
pub mod group;
pub mod reduce;
#[cfg(feature = "analysis")]
pub mod table;

pub use filter::Condition;
pub use goal::Goal;
#[cfg(feature = "analysis")]
pub use group::Agg;
pub use reduce::Reduction;
#[cfg(feature = "analysis")]
pub use table::{build, Query, QueryError, Row, Table};
