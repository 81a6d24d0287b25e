//! Writing one tfevents file.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use prost::Message;

use crate::error::{Error, Result};
use crate::proto::tensorboard::{event, Event, SourceMetadata, Summary};
use crate::record::encode_record;
use crate::summary::scalar_summary;

/// The `file_version` of the first event of every file.
pub const FILE_VERSION: &str = "brain.Event:2";
/// Our `SourceMetadata.writer`.
const WRITER_NAME: &str = "hp-report";

/// Files made by this process, for unique names within one second.
static FILE_COUNTER: AtomicU64 = AtomicU64::new(0);

/// When buffered records reach the file.
///
/// Records are only ever written whole: the buffer holds complete records and
/// is written out in one piece, so a reader (or a crash) sees at most one
/// partial record at the end, which both TensorBoard loaders treat as "not
/// yet written".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlushPolicy {
    /// Write out once this many bytes are buffered.
    pub max_buffered_bytes: usize,
    /// Write out at the first write after this long since the last flush
    /// (checked on each write; there is no background thread).
    pub max_delay: Duration,
    /// `fsync` after every flush, so flushed records survive a power loss.
    pub fsync: bool,
}

impl Default for FlushPolicy {
    /// 256 KiB, 5 seconds, no fsync.
    fn default() -> Self {
        FlushPolicy {
            max_buffered_bytes: 256 << 10,
            max_delay: Duration::from_secs(5),
            fsync: false,
        }
    }
}

impl FlushPolicy {
    /// Write every record through at once (tests, crash-safety at any cost).
    pub fn immediate() -> Self {
        FlushPolicy {
            max_buffered_bytes: 0,
            max_delay: Duration::ZERO,
            fsync: false,
        }
    }
}

/// Appends events to a new tfevents file in a directory (one run).
///
/// The file is named `events.out.tfevents.<secs>.<host>.<pid>.<n>.v2` like
/// TensorFlow's, with `<n>` zero-padded so that files of one second sort in
/// creation order. The first event is `file_version: "brain.Event:2"`.
/// Scalars are written as TF2 writes them (see [`crate::summary`]), with the
/// `scalars` plugin metadata on the first point of each tag in the file.
/// Wall times never decrease within a file.
///
/// Dropping the writer flushes it; call [`EventFileWriter::close`] to see the
/// error if that final write fails.
#[derive(Debug)]
pub struct EventFileWriter {
    path: PathBuf,
    file: File,
    buf: Vec<u8>,
    scratch: Vec<u8>,
    policy: FlushPolicy,
    last_flush: Instant,
    last_wall_time: f64,
    tags_with_metadata: HashSet<String>,
    /// Bytes of whole records in the file.
    written: u64,
    /// Closed by `close` (nothing left for `Drop`).
    closed: bool,
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn host_name() -> String {
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    let clean: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() {
        "localhost".to_string()
    } else {
        clean
    }
}

impl EventFileWriter {
    /// Creates `dir` (and parents) and a new event file in it, with the
    /// default [`FlushPolicy`].
    pub fn create(dir: impl AsRef<Path>) -> Result<Self> {
        Self::with_policy(dir, FlushPolicy::default())
    }

    /// Like [`EventFileWriter::create`] with a given flush policy.
    pub fn with_policy(dir: impl AsRef<Path>, policy: FlushPolicy) -> Result<Self> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(|e| Error::io("create log directory", dir, e))?;
        let now = now_secs();
        let (file, path) = loop {
            let n = FILE_COUNTER.fetch_add(1, Ordering::Relaxed);
            let name = format!(
                "events.out.tfevents.{:010}.{}.{}.{:06}.v2",
                now as u64,
                host_name(),
                std::process::id(),
                n
            );
            let path = dir.join(name);
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(f) => break (f, path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io("create event file", path, e)),
            }
        };
        Self::start(path, file, policy, now)
    }

    /// Writes the first event into `file` (new and empty) and flushes it.
    fn start(path: PathBuf, file: File, policy: FlushPolicy, now: f64) -> Result<Self> {
        let mut w = EventFileWriter {
            path,
            file,
            buf: Vec::with_capacity(policy.max_buffered_bytes.min(1 << 20) + 256),
            scratch: Vec::with_capacity(256),
            policy,
            last_flush: Instant::now(),
            last_wall_time: 0.0,
            tags_with_metadata: HashSet::new(),
            written: 0,
            closed: false,
        };
        let first = Event {
            wall_time: now.floor(),
            step: 0,
            what: Some(event::What::FileVersion(FILE_VERSION.to_string())),
            source_metadata: Some(SourceMetadata {
                writer: WRITER_NAME.to_string(),
            }),
        };
        w.write_event(&first)?;
        // The file announces itself at once, so TensorBoard sees the run.
        w.flush()?;
        Ok(w)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Changes the flush policy for the records written from now on.
    pub(crate) fn set_policy(&mut self, policy: FlushPolicy) {
        self.policy = policy;
    }

    /// A wall time for a new event: now, but never earlier than the last one.
    fn next_wall_time(&mut self) -> f64 {
        let t = now_secs().max(self.last_wall_time);
        self.last_wall_time = t;
        t
    }

    /// Appends an event as given. Its `wall_time` must be finite (a NaN or
    /// infinite wall time makes TensorBoard's Rust loader drop the rest of
    /// the file).
    pub fn write_event(&mut self, ev: &Event) -> Result<()> {
        if !ev.wall_time.is_finite() {
            return Err(Error::invalid(format!(
                "event wall_time must be finite, got {}",
                ev.wall_time
            )));
        }
        self.last_wall_time = self.last_wall_time.max(ev.wall_time);
        self.scratch.clear();
        ev.encode(&mut self.scratch)
            .map_err(|e| Error::invalid(format!("encoding event: {e}")))?;
        encode_record(&self.scratch, &mut self.buf);
        self.maybe_flush()
    }

    /// Appends a summary at `step`, stamped with the current time.
    pub fn write_summary(&mut self, step: i64, summary: Summary) -> Result<()> {
        let ev = Event {
            wall_time: self.next_wall_time(),
            step,
            what: Some(event::What::Summary(summary)),
            source_metadata: None,
        };
        self.write_event(&ev)
    }

    /// Appends one scalar point. The value is stored as f32 (TensorBoard's
    /// scalar type); NaN and ±inf are stored as such and TensorBoard shows
    /// them as NaN/Infinity. The tag must not be empty.
    pub fn write_scalar(&mut self, tag: &str, step: i64, value: f64) -> Result<()> {
        if tag.is_empty() {
            return Err(Error::invalid("scalar tag must not be empty"));
        }
        let first = !self.tags_with_metadata.contains(tag);
        if first {
            self.tags_with_metadata.insert(tag.to_string());
        }
        self.write_summary(step, scalar_summary(tag, value as f32, first))
    }

    fn maybe_flush(&mut self) -> Result<()> {
        if self.buf.len() >= self.policy.max_buffered_bytes
            || self.last_flush.elapsed() >= self.policy.max_delay
        {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes every buffered record to the file (and fsyncs if the policy
    /// says so).
    ///
    /// If the write fails (disk full, I/O error), the error is returned, the
    /// file is cut back to its last whole record (so that every reader still
    /// reads it cleanly) and the records stay buffered: the next flush, write
    /// or drop tries again. Nothing is dropped silently; a caller that keeps
    /// ignoring errors keeps the records in memory.
    pub fn flush(&mut self) -> Result<()> {
        self.last_flush = Instant::now();
        if self.buf.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.file.write_all(&self.buf) {
            // A part of the buffer may have reached the file: remove it, or
            // a reader would take the next records for damage.
            let _ = self.file.set_len(self.written);
            let _ = self.file.seek(SeekFrom::Start(self.written));
            return Err(Error::io("write", &self.path, e));
        }
        self.written += self.buf.len() as u64;
        self.buf.clear();
        if self.policy.fsync {
            self.file
                .sync_data()
                .map_err(|e| Error::io("fsync", &self.path, e))?;
        }
        Ok(())
    }

    /// Flushes and closes the file without an fsync, for a caller that
    /// makes a whole directory durable at once later (`hp-report tune` syncs
    /// the filesystem when the experiment ends instead of once per trial).
    pub(crate) fn close_unsynced(mut self) -> Result<()> {
        self.closed = true;
        self.flush()
    }

    /// Flushes, fsyncs and closes the file, reporting any error.
    pub fn close(mut self) -> Result<()> {
        self.closed = true; // whatever happens, nothing left for Drop to do
        self.flush()?;
        self.file
            .sync_all()
            .map_err(|e| Error::io("fsync", &self.path, e))
    }
}

impl Drop for EventFileWriter {
    fn drop(&mut self) {
        if !self.closed {
            // Errors cannot be returned from drop; `close` reports them.
            let _ = self.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_and_first_record() {
        let dir = tempfile::tempdir().unwrap();
        let w = EventFileWriter::create(dir.path().join("a/b")).unwrap();
        let name = w.path().file_name().unwrap().to_str().unwrap().to_string();
        assert!(name.starts_with("events.out.tfevents."), "{name}");
        assert!(name.ends_with(".v2"));
        let secs = name.split('.').nth(3).unwrap();
        assert_eq!(secs.len(), 10);
        let path = w.path().to_path_buf();
        drop(w);
        let bytes = fs::read(path).unwrap();
        let mut r = crate::record::RecordReader::new(&bytes[..]);
        let ev = Event::decode(r.next_record().unwrap().unwrap()).unwrap();
        assert_eq!(ev.what, Some(event::What::FileVersion(FILE_VERSION.into())));
        assert_eq!(ev.wall_time, ev.wall_time.floor());
    }

    #[test]
    fn rejects_empty_tags_and_nan_wall_times() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = EventFileWriter::create(dir.path()).unwrap();
        assert!(w.write_scalar("", 0, 1.0).is_err());
        let ev = Event {
            wall_time: f64::NAN,
            ..Default::default()
        };
        assert!(w.write_event(&ev).is_err());
        assert!(w.write_scalar("loss", 0, f64::NAN).is_ok());
    }

    #[test]
    fn two_writers_in_one_dir_get_sorted_distinct_files() {
        let dir = tempfile::tempdir().unwrap();
        let a = EventFileWriter::create(dir.path()).unwrap();
        let b = EventFileWriter::create(dir.path()).unwrap();
        assert_ne!(a.path(), b.path());
        assert!(a.path() < b.path());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn disk_full_is_an_error_and_keeps_the_records() {
        if !Path::new("/dev/full").exists() {
            eprintln!("skipped: no /dev/full in this sandbox");
            return;
        }
        let devfull = || OpenOptions::new().write(true).open("/dev/full").unwrap();
        // The first record cannot be written: creating fails.
        let e = EventFileWriter::start("/dev/full".into(), devfull(), FlushPolicy::default(), 1.0)
            .unwrap_err();
        assert!(e.to_string().starts_with("write /dev/full: "), "{e}");

        // A writer whose disk fills up later.
        let dir = tempfile::tempdir().unwrap();
        let mut w = EventFileWriter::create(dir.path()).unwrap();
        let good = w.path().to_path_buf();
        w.write_scalar("loss", 0, 1.0).unwrap(); // buffered
        let real = std::mem::replace(&mut w.file, devfull());
        assert!(w.flush().is_err());
        let mut immediate = w;
        immediate.policy = FlushPolicy::immediate();
        assert!(immediate.write_scalar("loss", 1, 0.5).is_err());
        // Both records are still buffered; space comes back, nothing lost.
        immediate.file = real;
        immediate.flush().unwrap();
        immediate.close().unwrap();
        let ld = crate::logdir::load(dir.path(), &Default::default()).unwrap();
        assert_eq!(ld.runs["."].scalars["loss"].count, 2);
        assert!(ld.warnings.is_empty(), "{:?}", ld.warnings);
        assert!(good.exists());

        // Closing over a full disk reports it.
        let mut w = EventFileWriter::create(dir.path()).unwrap();
        w.write_scalar("loss", 0, 1.0).unwrap();
        w.file = devfull();
        assert!(w.close().is_err());
    }

    #[test]
    fn unwritable_places_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        fs::write(&file, b"").unwrap();
        let e = EventFileWriter::create(file.join("run")).unwrap_err();
        assert!(e.to_string().starts_with("create log directory"), "{e}");
        #[cfg(target_os = "linux")]
        assert!(EventFileWriter::create("/proc/hp-report-cannot-be-here").is_err());
    }
}
