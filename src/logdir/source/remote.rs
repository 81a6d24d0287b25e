//! Logdirs in object storage (`s3://`, `gs://`, `az://`), read with the
//! `object_store` crate on a small tokio runtime of their own, so that the
//! rest of hp-report stays synchronous (and a trainer's build has no tokio).
//!
//! A load lists the prefix once (the listing gives every object's size),
//! then streams each event file with one GET, decoded as its bytes arrive:
//! nothing is copied to disk and at most a read buffer per reading thread is
//! held, however large the logdir. Many files are fetched at once
//! ([`Source::parallelism`]), since a reader of a remote file mostly waits.
//! Following asks only for the bytes past where reading stopped (a ranged
//! GET), and only of objects whose listed size grew; a "range not
//! satisfiable" answer at the end of an object means "nothing new yet", as
//! in TensorBoard's own GCS reader.
//!
//! Credentials and endpoints come from each store's usual environment (see
//! [`ObjectStoreSource::open`]); requests that fail for a passing reason
//! (timeouts, 5xx, throttling, dropped connections) are retried with
//! exponential backoff by `object_store`, a body cut off mid-way resumes
//! where it stopped.

mod config;

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::path::Path as Key;
use object_store::{BackoffConfig, GetOptions, GetRange, ObjectStore, ObjectStoreExt, RetryConfig};

use crate::logdir::error::LoadError;
use crate::logdir::scan::{text, RunFiles};
use crate::logdir::source::{EventFile, FileReader, Source};
use crate::logdir::Warning;

/// Files read at once from a store: enough to hide a round trip per file,
/// few enough that the buffers (1 MiB per reading thread) stay small.
const PARALLEL_READS: usize = 16;

/// A logdir under a bucket prefix.
#[derive(Debug)]
pub struct ObjectStoreSource {
    /// `scheme://bucket/prefix`, without a trailing `/`.
    root: PathBuf,
    store: Arc<dyn ObjectStore>,
    /// The prefix inside the bucket (empty: the whole bucket).
    prefix: Key,
    runtime: tokio::runtime::Runtime,
}

impl ObjectStoreSource {
    /// The logdir at `url`: `s3://bucket/prefix`, `gs://bucket/prefix` or
    /// `az://container/prefix`. Nothing is requested yet; a wrong bucket or
    /// denied credentials show in [`Source::discover`].
    ///
    /// Settings come from the environment the way each cloud's own tools
    /// take them: for S3 `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`, `AWS_REGION`, `AWS_ENDPOINT_URL`,
    /// `AWS_ALLOW_HTTP=true` (a plain-HTTP endpoint, such as an emulator),
    /// `AWS_PROFILE` with the shared `~/.aws/credentials` and `~/.aws/config`
    /// files, and `AWS_NO_SIGN_REQUEST=true` for public buckets; for GCS
    /// `GOOGLE_APPLICATION_CREDENTIALS` and `STORAGE_EMULATOR_HOST`; for
    /// Azure `AZURE_STORAGE_CONNECTION_STRING`, or `AZURE_STORAGE_ACCOUNT`
    /// (or `_ACCOUNT_NAME`), `AZURE_STORAGE_KEY` (or `_ACCOUNT_KEY`),
    /// `AZURE_STORAGE_SAS_TOKEN` and `AZURE_STORAGE_ENDPOINT`, or
    /// `AZURE_STORAGE_USE_EMULATOR=true` (Azurite at
    /// `AZURITE_BLOB_STORAGE_URL`, by default `http://127.0.0.1:10000`); the
    /// other `AWS_*`, `GOOGLE_*` and `AZURE_*` settings of `object_store`
    /// also apply.
    pub fn open(url: &str) -> Result<Self, LoadError> {
        Self::with_options(url, &[])
    }

    /// Like [`ObjectStoreSource::open`], with settings given in code on top
    /// of the environment's: `object_store` configuration keys and values,
    /// such as `("aws_endpoint", "http://127.0.0.1:9000")`,
    /// `("aws_allow_http", "true")`, `("google_service_account",
    /// "key.json")` or `("azure_storage_account_name", "acct")`.
    pub fn with_options(url: &str, options: &[(&str, &str)]) -> Result<Self, LoadError> {
        let bad = |why: &str| LoadError::BadLocation {
            location: url.to_string(),
            why: why.to_string(),
        };
        let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("not a URL"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let prefix = prefix.trim_matches('/');
        if bucket.is_empty() {
            return Err(bad("no bucket (write scheme://bucket/prefix)"));
        }
        let remote = |message: String| LoadError::Remote {
            location: url.to_string(),
            message,
        };
        let store = config::build(scheme, bucket, retry_policy(), options)
            .map_err(|e| remote(one_line(&e)))?;
        // Taken as typed: `Key::from` would percent-encode `~`, `%` and
        // other characters S3 and GCS keys may hold.
        let prefix_key = Key::parse(prefix).map_err(|e| bad(&e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hp-report-io")
            .enable_all()
            .build()
            .map_err(|e| remote(format!("cannot start the I/O runtime: {e}")))?;
        let root = if prefix.is_empty() {
            format!("{scheme}://{bucket}")
        } else {
            format!("{scheme}://{bucket}/{prefix}")
        };
        Ok(ObjectStoreSource {
            root: PathBuf::from(root),
            store,
            prefix: prefix_key,
            runtime,
        })
    }

    /// The object behind `file` (a path this source named).
    fn key(&self, file: &Path) -> io::Result<Key> {
        let root = self.root.to_string_lossy();
        let rel = file
            .to_str()
            .and_then(|f| f.strip_prefix(root.as_ref()))
            .and_then(|f| f.strip_prefix('/'))
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "not an object of this logdir")
            })?;
        let key = if self.prefix.as_ref().is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.prefix.as_ref())
        };
        Key::parse(key).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
    }

    /// Files and their runs, from one listing of the prefix.
    fn group(&self, listing: Vec<object_store::ObjectMeta>) -> Vec<RunFiles> {
        let mut runs: std::collections::BTreeMap<String, Vec<EventFile>> = Default::default();
        for meta in listing {
            let Some(parts) = meta.location.prefix_match(&self.prefix) else {
                continue;
            };
            let parts: Vec<String> = parts.map(|p| p.as_ref().to_string()).collect();
            let Some((name, dirs)) = parts.split_last() else {
                continue;
            };
            if !crate::logdir::walk::is_event_file(name) {
                continue;
            }
            let run = if dirs.is_empty() {
                ".".to_string()
            } else {
                // Named as a local copy's directories would be.
                let names: Vec<String> = dirs.iter().map(|d| text(d.as_ref())).collect();
                names.join("/")
            };
            let path = PathBuf::from(format!("{}/{}", self.root.display(), parts.join("/")));
            runs.entry(run).or_default().push(EventFile {
                path,
                size: Some(meta.size),
            });
        }
        runs.into_iter()
            .map(|(name, mut files)| {
                files.sort_by(|a, b| a.path.file_name().cmp(&b.path.file_name()));
                RunFiles { name, files }
            })
            .collect()
    }
}

impl Source for ObjectStoreSource {
    fn root(&self) -> &Path {
        &self.root
    }

    fn check(&self) -> Result<(), LoadError> {
        // The listing that `discover` makes anyway tells; a second request
        // here would only add a round trip.
        Ok(())
    }

    fn discover(&self, _warnings: &mut Vec<Warning>) -> Result<Vec<RunFiles>, LoadError> {
        let prefix = (!self.prefix.as_ref().is_empty()).then_some(&self.prefix);
        let listing: Vec<object_store::ObjectMeta> = self
            .runtime
            .block_on(self.store.list(prefix).try_collect())
            .map_err(|e| LoadError::Remote {
                location: self.root.display().to_string(),
                message: one_line(&e),
            })?;
        if listing.is_empty() {
            // A prefix exists only through the objects under it.
            return Err(LoadError::NotFound(self.root.clone()));
        }
        Ok(self.group(listing))
    }

    fn size(&self, file: &Path) -> io::Result<u64> {
        let key = self.key(file)?;
        let head = self.runtime.block_on(self.store.head(&key));
        head.map(|m| m.size).map_err(io_error)
    }

    fn open(&self, file: &EventFile, offset: u64) -> io::Result<FileReader> {
        if file.size.is_some_and(|size| offset >= size) {
            return Ok(Box::new(io::empty()));
        }
        let key = self.key(&file.path)?;
        let options = GetOptions {
            range: (offset > 0).then_some(GetRange::Offset(offset)),
            ..GetOptions::default()
        };
        match self.runtime.block_on(self.store.get_opts(&key, options)) {
            Ok(got) => Ok(Box::new(ObjectReader {
                stream: got.into_stream(),
                chunk: Bytes::new(),
                runtime: self.runtime.handle().clone(),
            })),
            // The object ends at `offset`: nothing new yet.
            Err(e) if offset > 0 && past_the_end(&e) => Ok(Box::new(io::empty())),
            Err(e) => Err(io_error(e)),
        }
    }

    fn parallelism(&self) -> Option<usize> {
        Some(PARALLEL_READS)
    }
}

/// One object's bytes as they arrive.
struct ObjectReader {
    stream: BoxStream<'static, object_store::Result<Bytes>>,
    /// What is left of the last chunk received.
    chunk: Bytes,
    runtime: tokio::runtime::Handle,
}

impl Read for ObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match self.runtime.block_on(self.stream.next()) {
                None => return Ok(0),
                Some(Ok(chunk)) => self.chunk = chunk,
                Some(Err(e)) => return Err(io_error(e)),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

/// Retries for passing failures: up to 5, from 100 ms doubling to 5 s,
/// within a minute, so that an endpoint that is down fails in seconds.
fn retry_policy() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            base: 2.0,
        },
        max_retries: 5,
        retry_timeout: Duration::from_secs(60),
    }
}

/// A read error, keeping "not found" recognisable.
fn io_error(e: object_store::Error) -> io::Error {
    let kind = match e {
        object_store::Error::NotFound { .. } => io::ErrorKind::NotFound,
        object_store::Error::PermissionDenied { .. }
        | object_store::Error::Unauthenticated { .. } => io::ErrorKind::PermissionDenied,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, one_line(&e))
}

/// Whether a ranged GET failed because the range starts at or past the end
/// of the object. The stores say it differently and `object_store` keeps
/// only their words: S3 and GCS answer HTTP 416 (`InvalidRange`), Azure's
/// client refuses with "Wanted range starting at …".
fn past_the_end(e: &object_store::Error) -> bool {
    let text = one_line(e);
    [
        "416",
        "InvalidRange",
        "Range Not Satisfiable",
        "Wanted range starting at",
    ]
    .iter()
    .any(|s| text.contains(s))
}

/// An error and its causes on one line (stores put XML bodies with line
/// breaks into their messages; an S3 or Azure error body is cut down to its
/// code and message); causes already in the text are not repeated.
fn one_line(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cause = c.source();
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    shorten_xml_error(&out).unwrap_or(out)
}

/// `… <?xml …><Error><Code>C</Code><Message>M</Message>…</Error>` as
/// `… C: M`, the part of an error body a user needs.
fn shorten_xml_error(text: &str) -> Option<String> {
    let inner = |tag: &str| {
        let open = format!("<{tag}>");
        let from = text.find(&open)? + open.len();
        let len = text[from..].find(&format!("</{tag}>"))?;
        Some(&text[from..from + len])
    };
    let start = text.find("<?xml").or_else(|| text.find("<Error>"))?;
    let end = text.rfind("</Error>")? + "</Error>".len();
    let (code, message) = (inner("Code")?, inner("Message").unwrap_or(""));
    let said = if message.is_empty() {
        code.to_string()
    } else {
        format!("{code}: {message}")
    };
    Some(format!("{}{said}{}", &text[..start], &text[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_root_and_prefix() {
        let s = ObjectStoreSource::open("s3://bucket/a/b/").unwrap();
        assert_eq!(s.root(), Path::new("s3://bucket/a/b"));
        assert_eq!(s.prefix.as_ref(), "a/b");
        let k = s
            .key(Path::new("s3://bucket/a/b/run/x.tfevents.1"))
            .unwrap();
        assert_eq!(k.as_ref(), "a/b/run/x.tfevents.1");
        assert!(s.key(Path::new("s3://other/x")).is_err());
        let s = ObjectStoreSource::open("s3://bucket").unwrap();
        assert_eq!(s.root(), Path::new("s3://bucket"));
        assert_eq!(s.key(Path::new("s3://bucket/r/f")).unwrap().as_ref(), "r/f");
        assert!(matches!(
            ObjectStoreSource::open("s3:///x"),
            Err(LoadError::BadLocation { .. })
        ));
    }

    #[test]
    fn listings_group_into_runs_like_a_local_copy() {
        let s = ObjectStoreSource::open("s3://bucket/logs").unwrap();
        let meta = |k: &str, size| object_store::ObjectMeta {
            location: Key::parse(k).unwrap(),
            last_modified: Default::default(),
            size,
            e_tag: None,
            version: None,
        };
        let runs = s.group(vec![
            meta("logs/events.out.tfevents.2", 5),
            meta("logs/run-0/train/b.tfevents.2", 7),
            meta("logs/run-0/train/a.tfevents.1", 6),
            meta("logs/run-0/notes.txt", 1),
            meta("logs/w\\xff/x.tfevents.1", 1),
            meta("logs/~user%41/y.tfevents.1", 1),
        ]);
        let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, [".", "run-0/train", "w\\\\xff", "~user%41"]);
        let train: Vec<_> = runs[1]
            .files
            .iter()
            .map(|f| (f.path.clone(), f.size))
            .collect();
        assert_eq!(
            train,
            [
                (
                    PathBuf::from("s3://bucket/logs/run-0/train/a.tfevents.1"),
                    Some(6)
                ),
                (
                    PathBuf::from("s3://bucket/logs/run-0/train/b.tfevents.2"),
                    Some(7)
                ),
            ]
        );
    }

    #[test]
    fn errors_fit_on_one_line() {
        let inner = io::Error::other("<Error>\n  <Code>NoSuchBucket</Code>\n</Error>");
        let outer = io::Error::other(inner);
        let text = one_line(&outer);
        assert_eq!(text, "NoSuchBucket");
        let body = "status 404 Not Found: <?xml version=\"1.0\"?>\n<Error><Code>NoSuchBucket</Code>\
                    <Message>The specified bucket does not exist</Message><RequestId>x</RequestId></Error>";
        assert_eq!(
            one_line(&io::Error::other(body)),
            "status 404 Not Found: NoSuchBucket: The specified bucket does not exist"
        );
        let plain = "HTTP error: Connection refused";
        assert_eq!(one_line(&io::Error::other(plain)), plain);
    }
}
