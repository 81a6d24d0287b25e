//! Reading the events of one tfevents file, damage and all.

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};

use crate::event::view::EventView;
use crate::record::{RecordError, RecordReader};

/// Bytes read from the file at a time.
const READ_BUFFER: usize = 1 << 20;

/// Something wrong in a file, reported once, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    /// The file.
    pub path: PathBuf,
    /// Byte offset of the damage (0 for whole-file problems).
    pub offset: u64,
    /// What is wrong, in words.
    pub what: String,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: byte {}: {}",
            self.path.display(),
            self.offset,
            self.what
        )
    }
}

/// Streams the events of one file.
///
/// Every intact record is delivered; a damaged record is skipped and reported,
/// and reading goes on after it (after a damaged header, from the next intact
/// record found). A partial record at the end is not a problem but a "tail":
/// the file may still be growing, and calling [`EventFileReader::read_events`]
/// again later resumes from there.
#[derive(Debug)]
pub struct EventFileReader {
    path: PathBuf,
    records: RecordReader<File>,
    events: u64,
}

impl EventFileReader {
    /// Opens `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, FileProblem> {
        Self::open_with_buffer(path, Vec::new())
    }

    /// Opens `path`, reading through `buf` (see [`EventFileReader::into_buffer`]).
    pub fn open_with_buffer(path: impl AsRef<Path>, mut buf: Vec<u8>) -> Result<Self, FileProblem> {
        let path = path.as_ref().to_path_buf();
        if buf.len() < READ_BUFFER {
            buf.resize(READ_BUFFER, 0);
        }
        match File::open(&path) {
            Ok(f) => Ok(EventFileReader {
                records: RecordReader::with_buffer(f, buf),
                path,
                events: 0,
            }),
            Err(e) => Err(FileProblem {
                what: format!("cannot open: {e}"),
                path,
                offset: 0,
            }),
        }
    }

    /// The read buffer, to reuse for the next file (saves allocating and
    /// zeroing 1 MiB per file).
    pub fn into_buffer(self) -> Vec<u8> {
        self.records.into_buffer()
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Events delivered so far.
    pub fn events_read(&self) -> u64 {
        self.events
    }

    /// Bytes consumed so far (the offset of the next record).
    pub fn offset(&self) -> u64 {
        self.records.offset()
    }

    /// Reads every record available now, calling `on_event` for each event
    /// and `on_problem` for each damaged record or span. Returns the partial
    /// record at the end, if any (its offset and size so far).
    pub fn read_events(
        &mut self,
        mut on_event: impl FnMut(&EventView<'_>),
        mut on_problem: impl FnMut(FileProblem),
    ) -> Option<RecordError> {
        // Why the reader lost its place; said with the span it then skips.
        let mut lost_because = String::new();
        loop {
            let record_start = self.records.offset();
            match self.records.next_record() {
                Ok(Some(payload)) => match EventView::parse(payload) {
                    Ok(ev) => {
                        self.events += 1;
                        on_event(&ev);
                    }
                    Err(_) => on_problem(FileProblem {
                        path: self.path.clone(),
                        offset: record_start,
                        what: "record is not a valid Event (skipped)".into(),
                    }),
                },
                Ok(None) => return None,
                Err(e) if e.is_incomplete() => return Some(e),
                Err(RecordError::BadLengthCrc { .. }) => {
                    lost_because = "record header checksum mismatch".into();
                }
                Err(RecordError::TooLarge { len, max, .. }) => {
                    lost_because = format!("record length {len} over the {max}-byte limit");
                }
                Err(e @ RecordError::Io { .. }) => {
                    on_problem(FileProblem {
                        path: self.path.clone(),
                        offset: self.records.offset(),
                        what: e.to_string(),
                    });
                    return None;
                }
                Err(e) => {
                    let offset = match &e {
                        RecordError::Skipped { offset, .. }
                        | RecordError::BadDataCrc { offset, .. } => *offset,
                        _ => self.records.offset(),
                    };
                    let what = match &e {
                        RecordError::Skipped { len, .. } => format!(
                            "corrupt data ({}): {len} bytes skipped to the next intact record",
                            std::mem::take(&mut lost_because)
                        ),
                        RecordError::BadDataCrc { len, .. } => {
                            format!("record checksum mismatch: {len}-byte record skipped")
                        }
                        other => other.to_string(),
                    };
                    on_problem(FileProblem {
                        path: self.path.clone(),
                        offset,
                        what,
                    });
                }
            }
        }
    }
}
