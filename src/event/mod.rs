//! Event files: the `Event` records inside a TFRecord stream.
//!
//! [`EventFileWriter`] creates a tfevents file the way TensorFlow names and
//! starts it and appends events with a flush policy; [`view`] decodes the
//! fields a reader needs from an event without copying; [`EventFileReader`]
//! walks a file's events and reports damage.

mod reader;
#[doc(hidden)]
pub mod view;
mod warning;
mod writer;

pub use reader::EventFileReader;
pub use warning::Warning;
pub(crate) use writer::now_secs;
pub use writer::{EventFileWriter, FlushPolicy, FILE_VERSION};
