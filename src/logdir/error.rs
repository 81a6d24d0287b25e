//! Why a logdir could not be read at all ([`LoadError`]), and the check of
//! a local root that gives most of them. Its own module: the loader and
//! every [`Source`](crate::logdir::Source) use it, and neither should
//! depend on the other for it.

use std::path::{Path, PathBuf};

/// Why a logdir could not be read at all. (Problems inside it are
/// [`Warning`](crate::logdir::Warning)s instead.)
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The path does not exist.
    #[error("logdir {0} does not exist")]
    NotFound(PathBuf),
    /// The path is not a directory.
    #[error("logdir {0} is not a directory (give the directory that holds the event files)")]
    NotADirectory(PathBuf),
    /// The directory cannot be read.
    #[error("logdir {path} cannot be read: {source}")]
    Unreadable {
        /// The logdir.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// An object store refused or failed the listing (no such bucket,
    /// denied credentials, unreachable endpoint), after retries.
    #[error("logdir {location} cannot be read: {message}")]
    Remote {
        /// The logdir's URL.
        location: String,
        /// The store's own message, on one line.
        message: String,
    },
    /// A URL that names no logdir (a bad `file://` URL, a bucket URL
    /// without a bucket, a store setting that does not parse).
    #[error("logdir {location}: {why}")]
    BadLocation {
        /// What was given.
        location: String,
        /// What is wrong with it.
        why: String,
    },
    /// An `s3://`, `gs://` or `az://` logdir in a build without the `cloud`
    /// feature.
    #[error(
        "logdir {0}: reading object stores needs hp-report built with the `cloud` feature \
         (cargo install hp-report --features cloud)"
    )]
    NeedsCloud(String),
}

/// Fails unless `root` is a readable directory.
pub(crate) fn check_root(root: &Path) -> Result<(), LoadError> {
    let meta = std::fs::metadata(root).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound(root.to_path_buf()),
        _ => LoadError::Unreadable {
            path: root.to_path_buf(),
            source: e,
        },
    })?;
    if !meta.is_dir() {
        return Err(LoadError::NotADirectory(root.to_path_buf()));
    }
    std::fs::read_dir(root).map_err(|e| LoadError::Unreadable {
        path: root.to_path_buf(),
        source: e,
    })?;
    Ok(())
}
