//! From a loaded logdir to a ranked table: per-session reduction of each
//! curve ([`reduce`]), `--where` conditions ([`filter`]), session groups
//! ([`group`]), the goal of each metric ([`goal`]), and the table itself
//! ([`table`]), ranked and filtered through a polars DataFrame ([`frame`]).

pub mod filter;
pub mod frame;
pub mod goal;
pub mod group;
pub mod reduce;
pub mod table;

pub use filter::Condition;
pub use goal::Goal;
pub use group::Agg;
pub use reduce::Reduction;
pub use table::{build, Query, QueryError, Row, Table};
