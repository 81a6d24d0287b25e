//! Where a logdir's bytes come from: one small trait, [`Source`], for
//! listing a logdir's event files and reading them from a byte offset on.
//!
//! Everything above it (reading runs, following a growing logdir, the
//! hparams model) sees only this trait, so a new kind of storage is a new
//! implementation and nothing else. [`LocalDir`] is the local filesystem;
//! with the `cloud` feature, [`ObjectStoreSource`] reads `s3://`, `gs://`
//! and `az://` prefixes. [`open`] picks one from what a user typed.
//! The shape follows TensorBoard's Rust data server, whose `Logdir` trait
//! has `discover` (list the runs and their files) and `open` (a reader of
//! one file).

#[cfg(feature = "cloud")]
mod remote;

use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

#[cfg(feature = "cloud")]
pub use remote::ObjectStoreSource;

use crate::logdir::error::{check_root, LoadError};
pub use crate::logdir::scan::EventFile;
use crate::logdir::scan::{self, RunFiles};
use crate::logdir::Warning;

/// A readable stream of one event file's bytes.
pub type FileReader = Box<dyn Read + Send>;

/// A logdir's storage: list its event files, read one from an offset on.
///
/// Implementations are shared by the threads reading runs in parallel.
/// Problems with single files or directories are warnings (or `io::Error`s
/// from [`Source::open`], which the readers turn into warnings); only a
/// logdir that cannot be read at all is a [`LoadError`].
pub trait Source: Send + Sync + fmt::Debug {
    /// The logdir as shown to users and in [`crate::logdir::Logdir::root`]:
    /// the directory, or the URL of the prefix.
    fn root(&self) -> &Path;

    /// Fails if the logdir cannot be read at all. Cheap: a remote source
    /// leaves the check to [`Source::discover`], which it needs anyway.
    fn check(&self) -> Result<(), LoadError>;

    /// Lists the runs (directories that directly hold files whose names
    /// contain `tfevents`) sorted by name, each with its event files in read
    /// order (by file name). Unreadable parts become `warnings`.
    fn discover(&self, warnings: &mut Vec<Warning>) -> Result<Vec<RunFiles>, LoadError>;

    /// The current size of an event file (a follower's "did it grow?").
    fn size(&self, file: &Path) -> io::Result<u64>;

    /// A reader of `file` from byte `offset` to its current end. An
    /// `offset` at or past the end gives an empty reader, not an error.
    fn open(&self, file: &EventFile, offset: u64) -> io::Result<FileReader>;

    /// How many files to read at once; `None` for one per core (right when
    /// reading costs CPU, not waiting).
    fn parallelism(&self) -> Option<usize> {
        None
    }
}

/// A logdir on the local filesystem (the walk follows symlinks and reports
/// loops, FIFOs and unreadable directories: see `scan::discover`).
#[derive(Clone, Debug)]
pub struct LocalDir {
    root: PathBuf,
}

impl LocalDir {
    /// The logdir at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalDir { root: root.into() }
    }
}

impl Source for LocalDir {
    fn root(&self) -> &Path {
        &self.root
    }

    fn check(&self) -> Result<(), LoadError> {
        check_root(&self.root)
    }

    fn discover(&self, warnings: &mut Vec<Warning>) -> Result<Vec<RunFiles>, LoadError> {
        Ok(scan::discover(&self.root, warnings))
    }

    fn size(&self, file: &Path) -> io::Result<u64> {
        std::fs::metadata(file).map(|m| m.len())
    }

    fn open(&self, file: &EventFile, offset: u64) -> io::Result<FileReader> {
        let mut f = std::fs::File::open(&file.path)?;
        if offset > 0 {
            f.seek(SeekFrom::Start(offset))?;
        }
        Ok(Box::new(f))
    }
}

/// URL schemes read by [`ObjectStoreSource`] (feature `cloud`).
const REMOTE_SCHEMES: [&str; 3] = ["s3://", "gs://", "az://"];

/// The source a user means by `location`: `s3://bucket/prefix`,
/// `gs://bucket/prefix` or `az://container/prefix` (feature `cloud`),
/// `file:///path`, or else a local directory.
pub fn open(location: &Path) -> Result<Box<dyn Source>, LoadError> {
    let Some(text) = location.to_str() else {
        return Ok(Box::new(LocalDir::new(location)));
    };
    if let Some(rest) = text.strip_prefix("file://") {
        return file_url_path(rest)
            .map(|p| Box::new(LocalDir::new(p)) as Box<dyn Source>)
            .ok_or_else(|| LoadError::BadLocation {
                location: text.to_string(),
                why: "a file URL is file:///absolute/path".to_string(),
            });
    }
    if !REMOTE_SCHEMES.iter().any(|s| text.starts_with(s)) {
        return Ok(Box::new(LocalDir::new(location)));
    }
    #[cfg(feature = "cloud")]
    {
        Ok(Box::new(ObjectStoreSource::open(text)?))
    }
    #[cfg(not(feature = "cloud"))]
    {
        Err(LoadError::NeedsCloud(text.to_string()))
    }
}

/// The path of a `file://` URL without its scheme (`/abs/path` or
/// `localhost/abs/path`), `%XX` escapes decoded.
fn file_url_path(rest: &str) -> Option<PathBuf> {
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let bytes = percent_decode(rest)?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(unix))]
    {
        String::from_utf8(bytes).ok().map(PathBuf::from)
    }
}

/// `%XX` escapes decoded to bytes; `None` for a broken escape.
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_local_paths() {
        assert_eq!(file_url_path("/tmp/a%20b"), Some(PathBuf::from("/tmp/a b")));
        assert_eq!(file_url_path("localhost/x"), Some(PathBuf::from("/x")));
        assert_eq!(file_url_path("host/x"), None);
        assert_eq!(file_url_path("/bad%zz"), None);
        assert_eq!(file_url_path("/cut%2"), None);
    }

    #[cfg(unix)]
    #[test]
    fn file_urls_keep_bytes_that_are_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let p = file_url_path("/a%FF").unwrap();
        assert_eq!(p.as_os_str().as_bytes(), b"/a\xff");
    }

    #[test]
    fn plain_paths_and_file_urls_open_locally() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/tbrs_sweep");
        let s = open(Path::new(dir)).unwrap();
        assert_eq!(s.root(), Path::new(dir));
        let s = open(Path::new(&format!("file://{dir}"))).unwrap();
        assert_eq!(s.root(), Path::new(dir));
        assert!(s.check().is_ok());
    }

    #[cfg(not(feature = "cloud"))]
    #[test]
    fn remote_urls_need_the_cloud_feature() {
        let e = open(Path::new("s3://bucket/logs")).unwrap_err();
        assert!(matches!(e, LoadError::NeedsCloud(_)), "{e}");
    }

    /// A source holding a copy of a local logdir in memory: the least a new
    /// kind of storage implements.
    #[derive(Debug)]
    struct Memory {
        root: PathBuf,
        runs: Vec<RunFiles>,
        bytes: std::collections::HashMap<PathBuf, Vec<u8>>,
    }

    impl Memory {
        fn copy_of(dir: &Path) -> Self {
            let mut runs = scan::discover(dir, &mut Vec::new());
            let mut bytes = std::collections::HashMap::new();
            for f in runs.iter_mut().flat_map(|r| r.files.iter_mut()) {
                let b = std::fs::read(&f.path).unwrap();
                f.size = Some(b.len() as u64);
                bytes.insert(f.path.clone(), b);
            }
            Memory {
                root: dir.to_path_buf(),
                runs,
                bytes,
            }
        }
    }

    impl Source for Memory {
        fn root(&self) -> &Path {
            &self.root
        }
        fn check(&self) -> Result<(), LoadError> {
            Ok(())
        }
        fn discover(&self, _: &mut Vec<Warning>) -> Result<Vec<RunFiles>, LoadError> {
            Ok(self.runs.clone())
        }
        fn size(&self, file: &Path) -> io::Result<u64> {
            Ok(self.bytes[file].len() as u64)
        }
        fn open(&self, file: &EventFile, offset: u64) -> io::Result<FileReader> {
            let b = &self.bytes[&file.path];
            let from = (offset as usize).min(b.len());
            Ok(Box::new(io::Cursor::new(b[from..].to_vec())))
        }
        fn parallelism(&self) -> Option<usize> {
            Some(3)
        }
    }

    /// Loading and following through another source give what the local
    /// directory gives.
    #[test]
    fn any_source_loads_like_the_local_directory() {
        use crate::logdir::{load, load_source, Follower, LoadOptions};
        let dir = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/keras_mlp_grid"
        ));
        let opts = LoadOptions::default();
        let local = load(dir, &opts).unwrap();
        let mem = load_source(&Memory::copy_of(dir), &opts, &|_, _| {}).unwrap();
        assert_eq!(
            format!("{:?}", local.sessions),
            format!("{:?}", mem.sessions)
        );
        assert_eq!(local.warnings, mem.warnings);
        assert_eq!(local.event_count(), mem.event_count());
        let mut f = Follower::with_source(Box::new(Memory::copy_of(dir)), &opts).unwrap();
        assert!(f.try_poll().unwrap().changed);
        assert!(!f.poll().changed);
        assert_eq!(
            format!("{:?}", local.sessions),
            format!("{:?}", f.logdir().sessions)
        );
    }

    #[test]
    fn local_open_reads_from_an_offset_and_past_the_end_is_empty() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.tfevents.1");
        std::fs::write(&p, b"0123456789").unwrap();
        let src = LocalDir::new(d.path());
        let file = EventFile {
            path: p,
            size: None,
        };
        let mut s = String::new();
        src.open(&file, 4).unwrap().read_to_string(&mut s).unwrap();
        assert_eq!(s, "456789");
        s.clear();
        src.open(&file, 20).unwrap().read_to_string(&mut s).unwrap();
        assert_eq!(s, "");
        assert_eq!(src.size(&file.path).unwrap(), 10);
    }
}
