//! Logdirs in object storage, against real implementations of the three
//! stores' APIs run locally: moto's server for S3, fake-gcs-server for GCS
//! and Azurite for Azure Blob, started by `peers/s3_emulator.sh`,
//! `peers/gcs_emulator.sh` and `peers/azure_emulator.sh` (tests/all.sh
//! starts them and exports `HP_REPORT_S3_ENDPOINT`, `HP_REPORT_GCS_ENDPOINT`,
//! `HP_REPORT_AZURE_ENDPOINT` and the Python of each store's client). A
//! store whose variables are missing is skipped with a note.
//!
//! The fixtures and a damaged logdir are uploaded with each cloud's own
//! client (`peers/blob_store.py`); `hp-report URL --format json` must print
//! exactly what it prints for the local directory (paths aside), warnings
//! included. A wrong bucket, refused credentials and an endpoint that is
//! down each end with one line and exit status 3; an object deleted
//! between the listing and its read, or while it is followed, is a warning;
//! following a growing object reads only what was appended.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use hp_report::logdir::source::{EventFile, FileReader, ObjectStoreSource, Source};
use hp_report::logdir::{load, load_source, Follower, LoadError, LoadOptions, RunFiles, Warning};

/// Azurite's development account and its published key.
const AZURITE_ACCOUNT: &str = "devstoreaccount1";
const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    S3,
    Gcs,
    Azure,
}

/// Environment variables for a run of hp-report.
type Env = Vec<(&'static str, String)>;

/// A running emulator of one store.
struct Store {
    kind: Kind,
    endpoint: String,
    python: String,
    /// S3 only: a second server that checks credentials.
    auth_endpoint: Option<String>,
}

/// The stores whose emulators run, each missing one noted.
fn stores() -> Vec<Store> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut out = Vec::new();
    for (kind, prefix, script) in [
        (Kind::S3, "HP_REPORT_S3", "s3_emulator.sh"),
        (Kind::Gcs, "HP_REPORT_GCS", "gcs_emulator.sh"),
        (Kind::Azure, "HP_REPORT_AZURE", "azure_emulator.sh"),
    ] {
        match (
            var(&format!("{prefix}_ENDPOINT")),
            var(&format!("{prefix}_PYTHON")),
        ) {
            (Some(endpoint), Some(python)) => out.push(Store {
                kind,
                endpoint,
                python,
                auth_endpoint: var(&format!("{prefix}_AUTH_ENDPOINT")),
            }),
            _ => eprintln!(
                "skipped {kind:?}: no emulator (run `eval \"$(bash peers/{script} start)\"` \
                 first; tests/all.sh does)"
            ),
        }
    }
    out
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A bucket name of its own for each test (emulators keep buckets while
/// they run); valid for all three stores.
fn bucket(test: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "hp-report-{test}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// An address where nothing listens.
fn down_endpoint() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", l.local_addr().unwrap())
}

impl Store {
    fn scheme(&self) -> &'static str {
        match self.kind {
            Kind::S3 => "s3",
            Kind::Gcs => "gs",
            Kind::Azure => "az",
        }
    }

    fn url(&self, bucket: &str, prefix: &str) -> String {
        format!("{}://{bucket}/{prefix}", self.scheme())
    }

    /// `peers/blob_store.py` on `bucket` with the store's own client.
    fn client(&self, bucket: &str, args: &[&str]) {
        let out = Command::new(&self.python)
            .arg(root().join("peers/blob_store.py"))
            .arg(self.scheme())
            .arg(&self.endpoint)
            .arg(bucket)
            .args(args)
            .output()
            .expect("run peers/blob_store.py");
        assert!(
            out.status.success(),
            "blob_store {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn upload(&self, bucket: &str, dirs: &[(&str, &Path)]) {
        let mut args = vec!["upload"];
        for (prefix, dir) in dirs {
            args.push(prefix);
            args.push(dir.to_str().unwrap());
        }
        self.client(bucket, &args);
    }

    fn put(&self, bucket: &str, key: &str, bytes: &[u8]) {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("object");
        std::fs::write(&file, bytes).unwrap();
        self.client(bucket, &["put", key, file.to_str().unwrap()]);
    }

    fn delete(&self, bucket: &str, key: &str) {
        self.client(bucket, &["delete", key]);
    }

    /// The logdir at `url`, settings given in code.
    fn source(&self, url: &str) -> ObjectStoreSource {
        let azure = format!("{}/{AZURITE_ACCOUNT}", self.endpoint);
        let options: Vec<(&str, &str)> = match self.kind {
            Kind::S3 => vec![
                ("aws_access_key_id", "testing"),
                ("aws_secret_access_key", "testing"),
                ("aws_region", "us-east-1"),
                ("aws_endpoint", &self.endpoint),
                ("aws_allow_http", "true"),
            ],
            Kind::Gcs => vec![
                ("google_base_url", &self.endpoint),
                ("google_skip_signature", "true"),
                ("allow_http", "true"),
            ],
            Kind::Azure => vec![
                ("azure_storage_account_name", AZURITE_ACCOUNT),
                ("azure_storage_account_key", AZURITE_KEY),
                ("azure_storage_endpoint", &azure),
                ("allow_http", "true"),
            ],
        };
        ObjectStoreSource::with_options(url, &options).unwrap()
    }

    /// The environment a user of each cloud's tools would set for the
    /// emulator at `endpoint`.
    fn env(&self, endpoint: &str) -> Env {
        match self.kind {
            Kind::S3 => vec![
                ("AWS_ACCESS_KEY_ID", "testing".to_string()),
                ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
                ("AWS_REGION", "us-east-1".to_string()),
                ("AWS_ENDPOINT_URL", endpoint.to_string()),
                ("AWS_ALLOW_HTTP", "true".to_string()),
            ],
            Kind::Gcs => vec![(
                "STORAGE_EMULATOR_HOST",
                endpoint.trim_start_matches("http://").to_string(),
            )],
            Kind::Azure => vec![(
                "AZURE_STORAGE_CONNECTION_STRING",
                azure_connection_string(endpoint, AZURITE_KEY),
            )],
        }
    }

    /// `hp-report args` with `env`.
    fn run(&self, env: &Env, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_hp-report"))
            .args(args)
            .env_remove("COLUMNS")
            .envs(env.iter().cloned())
            .output()
            .expect("run hp-report")
    }

    /// (environment, URL, words the one-line error must hold) for a missing
    /// bucket, refused credentials, an endpoint that is down and a prefix
    /// with nothing under it; `good` is a bucket holding prefix `x`.
    fn failures(&self, good: &str) -> Vec<(Env, String, &'static str)> {
        let ok = self.env(&self.endpoint);
        let down = self.env(&down_endpoint());
        let in_good = self.url(good, "x");
        let mut cases = vec![
            (ok.clone(), self.url(good, "nothing-here"), "does not exist"),
            (down, in_good.clone(), "Connection refused"),
        ];
        let missing = self.url("hp-report-no-such-bucket", "x");
        match self.kind {
            Kind::S3 => {
                cases.push((ok, missing, "NoSuchBucket"));
                if let Some(auth) = &self.auth_endpoint {
                    cases.push((self.env(auth), in_good, "InvalidAccessKeyId"));
                }
            }
            Kind::Gcs => {
                // fake-gcs-server answers a missing bucket with a 500 (GCS
                // itself with a 404), so this one is retried first.
                cases.push((ok, missing, "no bucket named"));
                // A service-account file whose key is not a key.
                let key = std::env::temp_dir()
                    .join(format!("hp-report-bad-sa-{}.json", std::process::id()));
                let text = format!(
                    r#"{{"type":"service_account","client_email":"x@example.com","private_key":"not a key","private_key_id":"k","gcs_base_url":"{}"}}"#,
                    self.endpoint
                );
                std::fs::write(&key, text).unwrap();
                let creds = vec![(
                    "GOOGLE_APPLICATION_CREDENTIALS",
                    key.to_str().unwrap().to_string(),
                )];
                cases.push((creds, in_good, "pem"));
            }
            Kind::Azure => {
                cases.push((ok, missing, "ContainerNotFound"));
                let wrong = vec![(
                    "AZURE_STORAGE_CONNECTION_STRING",
                    azure_connection_string(&self.endpoint, "d3Jvbmcga2V5"),
                )];
                cases.push((wrong, in_good.clone(), "AuthorizationFailure"));
                // The emulator switch, at an address where nothing listens.
                let switch = vec![
                    ("AZURE_STORAGE_USE_EMULATOR", "true".to_string()),
                    ("AZURITE_BLOB_STORAGE_URL", down_endpoint()),
                ];
                cases.push((switch, in_good, "Connection refused"));
            }
        }
        cases
    }
}

/// The connection string the Azure tools take for Azurite at `endpoint`.
fn azure_connection_string(endpoint: &str, key: &str) -> String {
    format!(
        "DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={key};\
         BlobEndpoint={endpoint}/{AZURITE_ACCOUNT};"
    )
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// A copy of a fixture with damage an object can hold: a flipped payload
/// byte, a file cut inside its last record, a file that is no event file.
fn damaged_copy(into: &Path) -> PathBuf {
    let dir = into.join("damaged");
    copy_dir(&root().join("fixtures/keras_mlp_grid"), &dir);
    let train = only_file(&dir.join("run-1/train"));
    let mut b = std::fs::read(&train).unwrap();
    let mid = b.len() / 2;
    b[mid] ^= 0x55;
    std::fs::write(&train, &b).unwrap();
    let test = only_file(&dir.join("run-2/test"));
    let b = std::fs::read(&test).unwrap();
    std::fs::write(&test, &b[..b.len() - 7]).unwrap();
    std::fs::write(
        dir.join("run-3/events.out.tfevents.9.junk"),
        b"not a record",
    )
    .unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn only_file(dir: &Path) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{}", dir.display());
    files.remove(0)
}

/// `args` with `logdir` put where a subcommand or the table takes it.
fn with_logdir(args: &[&str], logdir: &str) -> Vec<String> {
    match args {
        ["diagnose", rest @ ..] => [&["diagnose", logdir][..], rest].concat(),
        _ => [&[logdir][..], args].concat(),
    }
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// `hp-report URL --format json` and its warnings equal the local run's,
/// with the local path replaced by the URL, for every fixture and a damaged
/// logdir, on every store; so does `diagnose --json`.
#[test]
fn every_fixture_reads_from_each_store_as_from_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let damaged = damaged_copy(tmp.path());
    let mut dirs: Vec<(String, PathBuf)> = [
        "keras_mlp_grid",
        "keras_mlp_repeats",
        "tbx_hparams",
        "tbrs_sweep",
        "lightning_sweep",
    ]
    .iter()
    .map(|f| (format!("fixtures/{f}"), root().join("fixtures").join(f)))
    .filter(|(_, d)| d.is_dir())
    .collect();
    dirs.push(("damaged".to_string(), damaged));
    let pairs: Vec<(&str, &Path)> = dirs
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_path()))
        .collect();
    for store in stores() {
        let b = bucket("fixtures");
        store.upload(&b, &pairs);
        let env = store.env(&store.endpoint);
        for (prefix, dir) in &dirs {
            let local = dir.to_str().unwrap();
            let url = store.url(&b, prefix);
            for args in [&["--format", "json"][..], &["diagnose", "--json"][..]] {
                let strs = |v: &[String]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
                let l_args = strs(&with_logdir(args, local));
                let r_args = strs(&with_logdir(args, &url));
                let l = store.run(&env, &l_args.iter().map(String::as_str).collect::<Vec<_>>());
                let r = store.run(&env, &r_args.iter().map(String::as_str).collect::<Vec<_>>());
                let what = format!("{url} {args:?}");
                assert_eq!(
                    l.status.code(),
                    r.status.code(),
                    "{what}: {}",
                    text(&r.stderr)
                );
                assert!(r.status.success(), "{what}: {}", text(&r.stderr));
                assert_eq!(
                    text(&l.stdout).replace(local, &url),
                    text(&r.stdout),
                    "{what}"
                );
                assert_eq!(
                    text(&l.stderr).replace(local, &url),
                    text(&r.stderr),
                    "{what}"
                );
            }
        }
        // The damaged copy did warn (so the comparison above covered warnings).
        let r = store.run(&env, &[&store.url(&b, "damaged"), "--format", "json"]);
        let err = text(&r.stderr);
        assert!(err.contains("checksum mismatch"), "{:?}: {err}", store.kind);
        assert!(err.contains("incomplete record at the end"), "{err}");
        assert!(err.contains("not an event file"), "{err}");
    }
}

/// A missing bucket, refused credentials and an endpoint that is down:
/// exit 3, one line that carries the store's own words, for the table, a
/// subcommand and `--watch`, on every store.
#[test]
fn store_failures_are_one_line_and_exit_3() {
    for store in stores() {
        let b = bucket("failures");
        store.upload(&b, &[("x", &root().join("fixtures/tbx_hparams"))]);
        for (env, url, said) in store.failures(&b) {
            for args in [
                vec![url.as_str(), "--format", "json"],
                vec!["diagnose", url.as_str()],
                vec![url.as_str(), "--watch", "1", "--watch-count", "1"],
            ] {
                let out = store.run(&env, &args);
                let err = text(&out.stderr);
                let what = format!("{:?} {env:?} {args:?}: {err}", store.kind);
                assert_eq!(out.status.code(), Some(3), "{what}");
                assert!(out.stdout.is_empty(), "{what}");
                assert_eq!(err.lines().count(), 1, "{what}");
                assert!(
                    err.starts_with(&format!("hp-report: logdir {url}")),
                    "{what}"
                );
                assert!(err.contains(said), "{what}");
            }
        }
    }
}

/// Wraps a source and deletes one object right after listing it, as a
/// cleanup job racing the reader would.
#[derive(Debug)]
struct DeletesAfterListing<'a> {
    inner: ObjectStoreSource,
    store: &'a Store,
    bucket: String,
    key: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} at {}", self.kind, self.endpoint)
    }
}

impl Source for DeletesAfterListing<'_> {
    fn root(&self) -> &Path {
        self.inner.root()
    }
    fn check(&self) -> Result<(), LoadError> {
        self.inner.check()
    }
    fn discover(&self, warnings: &mut Vec<Warning>) -> Result<Vec<RunFiles>, LoadError> {
        let found = self.inner.discover(warnings)?;
        self.store.delete(&self.bucket, &self.key);
        Ok(found)
    }
    fn size(&self, file: &Path) -> std::io::Result<u64> {
        self.inner.size(file)
    }
    fn open(&self, file: &EventFile, offset: u64) -> std::io::Result<FileReader> {
        self.inner.open(file, offset)
    }
    fn parallelism(&self) -> Option<usize> {
        self.inner.parallelism()
    }
}

/// An object deleted after the listing is a warning about that file; every
/// other run is read.
#[test]
fn an_object_gone_before_its_read_is_a_warning() {
    let dir = root().join("fixtures/keras_mlp_grid");
    let victim = only_file(&dir.join("run-2/validation"));
    let name = victim.file_name().unwrap().to_str().unwrap();
    let local = load(&dir, &LoadOptions::default()).unwrap();
    for store in stores() {
        let b = bucket("vanish");
        store.upload(&b, &[("grid", &dir)]);
        let url = store.url(&b, "grid");
        let src = DeletesAfterListing {
            inner: store.source(&url),
            store: &store,
            bucket: b.clone(),
            key: format!("grid/run-2/validation/{name}"),
        };
        let ld = load_source(&src, &LoadOptions::default(), &|_, _| {}).unwrap();
        assert_eq!(ld.sessions.len(), local.sessions.len());
        assert_eq!(
            ld.event_count() + local.runs["run-2/validation"].events,
            local.event_count()
        );
        let w: Vec<String> = ld.warnings.iter().map(|w| w.to_string()).collect();
        let file = format!("{url}/run-2/validation/{name}: cannot open");
        assert!(
            w.iter().any(|w| w.contains(&file)),
            "{:?}: {w:?}",
            store.kind
        );
    }
}

/// Reading from the end of an object (or past it) is "nothing new", not an
/// error, whatever each store answers (S3 and GCS: HTTP 416; Azure's client
/// refuses the range itself); a read from an offset gives that object's
/// tail only.
#[test]
fn reading_at_the_end_of_an_object_is_empty() {
    use std::io::Read;
    for store in stores() {
        let b = bucket("eof");
        store.put(&b, "logs/r/x.tfevents.1", b"0123456789");
        let src = store.source(&store.url(&b, "logs"));
        let path = PathBuf::from(format!("{}://{b}/logs/r/x.tfevents.1", store.scheme()));
        assert_eq!(src.size(&path).unwrap(), 10);
        // No listed size: the store is asked, and answers for itself.
        let file = EventFile { path, size: None };
        for (offset, want) in [(4, "456789"), (10, ""), (25, "")] {
            let mut got = String::new();
            let mut r = src.open(&file, offset).unwrap_or_else(|e| {
                panic!("{:?} from {offset}: {e}", store.kind);
            });
            r.read_to_string(&mut got).unwrap();
            assert_eq!(got, want, "{:?} from {offset}", store.kind);
        }
    }
}

/// Following an object that a trainer re-uploads as it grows: each poll
/// reads what was appended, an unchanged object is not fetched, a cut
/// record waits for its end, the result equals a fresh load of the whole
/// file; an object deleted later is a warning and its data stays.
#[test]
fn following_a_growing_object_reads_the_new_bytes() {
    let run_name = "lr0.001_adam";
    let file = root().join("fixtures/tbx_hparams/lr0.001_adam/events.out.tfevents.1795362314.vm");
    let rel = format!("{run_name}/events.out.tfevents.1795362314.vm");
    let bytes = std::fs::read(&file).unwrap();
    let whole = {
        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join(&rel);
        std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
        std::fs::write(&copy, &bytes).unwrap();
        load(tmp.path(), &LoadOptions::default()).unwrap()
    };
    for store in stores() {
        let b = bucket("follow");
        let key = format!("logs/{rel}");
        let put = |upto: usize| store.put(&b, &key, &bytes[..upto]);
        put(bytes.len() / 3);
        let url = store.url(&b, "logs");
        let mut f =
            Follower::with_source(Box::new(store.source(&url)), &LoadOptions::default()).unwrap();
        let first = f.try_poll().unwrap();
        let kind = store.kind;
        assert!(
            first.new_events > 0 && first.warnings.is_empty(),
            "{kind:?} {first:?}"
        );
        let idle = f.try_poll().unwrap();
        assert!(!idle.changed && idle.new_events == 0, "{kind:?} {idle:?}");
        put(bytes.len() * 2 / 3);
        let second = f.try_poll().unwrap();
        assert!(second.new_events > 0, "{kind:?} {second:?}");
        put(bytes.len());
        let third = f.try_poll().unwrap();
        assert_eq!(
            first.new_events + second.new_events + third.new_events,
            whole.event_count(),
            "{kind:?}: each event read once"
        );
        assert!(
            f.logdir().warnings.is_empty(),
            "{kind:?} {:?}",
            f.logdir().warnings
        );
        assert_eq!(
            format!("{:?}", f.logdir().runs[run_name].scalars),
            format!("{:?}", whole.runs[run_name].scalars),
            "{kind:?}"
        );
        store.delete(&b, &key);
        // Another object keeps the prefix listed; the deleted one is asked
        // for by name, and that it is gone is a warning.
        store.put(&b, "logs/other/y.tfevents.1", b"");
        let gone = f.poll();
        let w: Vec<String> = gone.warnings.iter().map(|w| w.to_string()).collect();
        assert!(
            w.iter()
                .any(|w| w.contains(&rel) && w.contains("cannot read")),
            "{kind:?}: {w:?}"
        );
        assert_eq!(f.logdir().event_count(), whole.event_count(), "{kind:?}");
    }
}
