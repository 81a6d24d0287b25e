//! From a loaded logdir to a ranked table, in plain Rust (the table is
//! small: sessions × shown columns).
//!
//! The modules (private; their types are re-exported here) depend on each
//! other in one direction only:
//!
//! * leaves: `goal` ([`Goal`]: better high or low), `reduce`
//!   ([`Reduction`]: a curve to one value), `agg` ([`Agg`]: a group's values
//!   to one), `filter` ([`Condition`]: the `--where` parser), `error`
//!   ([`QueryError`]);
//! * `table`: the data types of the answer ([`Row`], [`HParamColumn`],
//!   [`MetricColumn`], [`Table`]);
//! * `group` (sessions into group rows) and `rank` (filters, sort,
//!   `--top`) work on table rows;
//! * `query`: [`Query`] → [`Table`] ([`build`]), using all of the above.
//!
//! Printing the table is `export`'s business, not this module's.

pub(crate) mod agg;
pub(crate) mod error;
pub(crate) mod filter;
pub(crate) mod goal;
pub(crate) mod group;
pub(crate) mod query;
mod rank;
pub(crate) mod reduce;
pub(crate) mod table;

pub use agg::Agg;
pub use error::QueryError;
pub use filter::{Condition, Op, Operand};
pub use goal::Goal;
pub use query::{build, Query};
pub use reduce::Reduction;
pub use table::{HParamColumn, MetricColumn, Row, Table};
