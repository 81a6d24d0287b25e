//! Event files: the `Event` records inside a TFRecord stream.
//!
//! [`EventFileWriter`] creates a tfevents file the way TensorFlow names and
//! starts it and appends events with a flush policy; [`view`] decodes the
//! fields a reader needs from an event without copying; [`EventFileReader`]
//! walks a file's events and reports damage.

mod reader;
pub mod view;
mod writer;

pub(crate) use reader::write_place;
pub use reader::{EventFileReader, FileProblem};
pub(crate) use writer::now_secs;
pub use writer::{EventFileWriter, FlushPolicy, FILE_VERSION};
