//! From a loaded logdir to a ranked table, in plain Rust (the table is
//! small: sessions × shown columns).
//!
//! The modules depend on each other in one direction only:
//!
//! * leaves: [`goal`] (better high or low), [`reduce`] (a curve to one
//!   value), [`agg`] (a group's values to one), [`filter`] (the `--where`
//!   parser), [`error`];
//! * [`table`]: the data types of the answer (rows, columns, what it was
//!   ranked by);
//! * [`group`] (sessions into group rows) and `rank` (filters, sort,
//!   `--top`) work on table rows;
//! * [`query`]: [`Query`] → [`Table`], using all of the above.
//!
//! Printing the table is `export`'s business, not this module's.

pub mod agg;
pub mod error;
pub mod filter;
pub mod goal;
pub mod group;
pub mod query;
mod rank;
pub mod reduce;
pub mod table;

pub use agg::Agg;
pub use error::QueryError;
pub use filter::Condition;
pub use goal::Goal;
pub use query::{build, Query};
pub use reduce::Reduction;
pub use table::{HParamColumn, MetricColumn, Row, Table};
