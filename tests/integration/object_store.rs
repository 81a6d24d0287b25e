//! Logdirs in S3, against a real S3 implementation: moto's server, started by
//! `peers/s3_emulator.sh` (tests/all.sh does it and exports
//! `HP_REPORT_S3_ENDPOINT`, `HP_REPORT_S3_AUTH_ENDPOINT` and
//! `HP_REPORT_S3_PYTHON`; without them these tests say why and pass).
//!
//! The fixtures and a damaged logdir are uploaded with boto3; `hp-report
//! s3://…` must print exactly what it prints for the local directory (paths
//! aside), warnings included. A wrong bucket, refused credentials and an
//! endpoint that is down each end with one line and exit status 3; an object
//! deleted between the listing and its read is a warning; following a
//! growing object reads what was appended.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use hp_report::logdir::source::{EventFile, FileReader, ObjectStoreSource, Source};
use hp_report::logdir::{load, load_source, Follower, LoadError, LoadOptions, RunFiles, Warning};

/// The emulator's settings, or `None` (with the reason printed) when the
/// tests run without one.
struct S3 {
    endpoint: String,
    auth_endpoint: String,
    python: String,
}

fn s3() -> Option<S3> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (
        var("HP_REPORT_S3_ENDPOINT"),
        var("HP_REPORT_S3_AUTH_ENDPOINT"),
        var("HP_REPORT_S3_PYTHON"),
    ) {
        (Some(endpoint), Some(auth_endpoint), Some(python)) => Some(S3 {
            endpoint,
            auth_endpoint,
            python,
        }),
        _ => {
            eprintln!(
                "skipped: no S3 emulator (run `eval \"$(bash peers/s3_emulator.sh start)\"` \
                 first; tests/all.sh does)"
            );
            None
        }
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A bucket name of its own for each test (moto keeps buckets while it runs).
fn bucket(test: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "hp-report-{test}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

impl S3 {
    /// Uploads each (prefix, dir) with boto3.
    fn upload(&self, bucket: &str, dirs: &[(&str, &Path)]) {
        let mut cmd = Command::new(&self.python);
        cmd.arg(root().join("peers/s3_upload.py"))
            .arg(&self.endpoint)
            .arg(bucket);
        for (prefix, dir) in dirs {
            cmd.arg(prefix).arg(dir);
        }
        let out = cmd.output().expect("run peers/s3_upload.py");
        assert!(
            out.status.success(),
            "upload: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs boto3 code with `s3` a client of the open endpoint.
    fn boto(&self, code: &str) {
        boto(&self.python, &self.endpoint, code);
    }

    /// The logdir at `url` on the open endpoint, settings given in code.
    fn source(&self, url: &str) -> ObjectStoreSource {
        let options = [
            ("aws_access_key_id", "testing"),
            ("aws_secret_access_key", "testing"),
            ("aws_region", "us-east-1"),
            ("aws_endpoint", self.endpoint.as_str()),
            ("aws_allow_http", "true"),
        ];
        ObjectStoreSource::with_options(url, &options).unwrap()
    }

    /// `hp-report args` with the emulator's credentials and `endpoint`.
    fn run(&self, endpoint: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_hp-report"))
            .args(args)
            .env_remove("COLUMNS")
            .envs(env_for(endpoint))
            .output()
            .expect("run hp-report")
    }
}

/// Runs boto3 `code` with `s3` a client of `endpoint`.
fn boto(python: &str, endpoint: &str, code: &str) {
    let script = format!(
        "import boto3\ns3 = boto3.client('s3', endpoint_url={endpoint:?}, \
         aws_access_key_id='testing', aws_secret_access_key='testing', \
         region_name='us-east-1')\n{code}\n"
    );
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn env_for(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_ENDPOINT_URL", endpoint.to_string()),
        ("AWS_ALLOW_HTTP", "true".to_string()),
    ]
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

/// `hp-report s3://…/X --format json` and its warnings equal the local run's,
/// with the local path replaced by the URL, for every fixture and a damaged
/// logdir; so does `diagnose --json`.
#[test]
fn every_fixture_reads_from_s3_as_from_disk() {
    let Some(s3) = s3() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let damaged = damaged_copy(tmp.path());
    let mut dirs: Vec<(String, PathBuf)> = [
        "keras_mlp_grid",
        "keras_mlp_repeats",
        "tbx_hparams",
        "tbrs_sweep",
    ]
    .iter()
    .map(|f| (format!("fixtures/{f}"), root().join("fixtures").join(f)))
    .collect();
    dirs.push(("damaged".to_string(), damaged));
    let b = bucket("fixtures");
    let pairs: Vec<(&str, &Path)> = dirs
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_path()))
        .collect();
    s3.upload(&b, &pairs);
    for (prefix, dir) in &dirs {
        let local = dir.to_str().unwrap();
        let url = format!("s3://{b}/{prefix}");
        for args in [&["--format", "json"][..], &["diagnose", "--json"][..]] {
            let with = |logdir: &str| -> Vec<String> {
                match args {
                    ["diagnose", rest @ ..] => [&["diagnose", logdir][..], rest].concat(),
                    _ => [&[logdir][..], args].concat(),
                }
                .iter()
                .map(|s| s.to_string())
                .collect()
            };
            let l_args = with(local);
            let r_args = with(&url);
            let l = s3.run(
                &s3.endpoint,
                &l_args.iter().map(String::as_str).collect::<Vec<_>>(),
            );
            let r = s3.run(
                &s3.endpoint,
                &r_args.iter().map(String::as_str).collect::<Vec<_>>(),
            );
            assert_eq!(
                l.status.code(),
                r.status.code(),
                "{url} {args:?}: {}",
                text(&r.stderr)
            );
            assert!(r.status.success(), "{url}: {}", text(&r.stderr));
            assert_eq!(
                text(&l.stdout).replace(local, &url),
                text(&r.stdout),
                "{url} {args:?}"
            );
            assert_eq!(
                text(&l.stderr).replace(local, &url),
                text(&r.stderr),
                "{url}"
            );
        }
    }
    // The damaged copy did warn (so the comparison above covered warnings).
    let r = s3.run(
        &s3.endpoint,
        &[&format!("s3://{b}/damaged"), "--format", "json"],
    );
    let err = text(&r.stderr);
    assert!(err.contains("checksum mismatch"), "{err}");
    assert!(err.contains("incomplete record at the end"), "{err}");
    assert!(err.contains("not an event file"), "{err}");
}

/// A missing bucket, refused credentials and an endpoint that is down:
/// exit 3, one line that carries the store's own words, for the table, a
/// subcommand and `--watch`.
#[test]
fn store_failures_are_one_line_and_exit_3() {
    let Some(s3) = s3() else { return };
    let b = bucket("failures");
    s3.upload(&b, &[("x", &root().join("fixtures/tbx_hparams"))]);
    let down = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let cases = [
        (
            s3.endpoint.as_str(),
            "s3://hp-report-no-such-bucket/x",
            "NoSuchBucket",
        ),
        (
            s3.auth_endpoint.as_str(),
            &*format!("s3://{b}/x"),
            "InvalidAccessKeyId",
        ),
        (down.as_str(), &*format!("s3://{b}/x"), "Connection refused"),
        (
            s3.endpoint.as_str(),
            &*format!("s3://{b}/nothing-here"),
            "does not exist",
        ),
    ];
    for (endpoint, url, said) in cases {
        for args in [
            vec![url, "--format", "json"],
            vec!["diagnose", url],
            vec![url, "--watch", "1", "--watch-count", "1"],
        ] {
            let out = s3.run(endpoint, &args);
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(3), "{endpoint} {args:?}: {err}");
            assert!(out.stdout.is_empty(), "{args:?}");
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
            assert!(
                err.starts_with(&format!("hp-report: logdir {url}")),
                "{err}"
            );
            assert!(err.contains(said), "{endpoint} {args:?}: {err}");
        }
    }
}

/// Wraps a source and deletes one object right after listing it, as a
/// cleanup job racing the reader would.
#[derive(Debug)]
struct DeletesAfterListing {
    inner: ObjectStoreSource,
    python: String,
    endpoint: String,
    bucket: String,
    key: String,
}

impl Source for DeletesAfterListing {
    fn root(&self) -> &Path {
        self.inner.root()
    }
    fn check(&self) -> Result<(), LoadError> {
        self.inner.check()
    }
    fn discover(&self, warnings: &mut Vec<Warning>) -> Result<Vec<RunFiles>, LoadError> {
        let found = self.inner.discover(warnings)?;
        let code = format!(
            "s3.delete_object(Bucket={:?}, Key={:?})",
            self.bucket, self.key
        );
        boto(&self.python, &self.endpoint, &code);
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
    let Some(s3) = s3() else { return };
    let b = bucket("vanish");
    let dir = root().join("fixtures/keras_mlp_grid");
    s3.upload(&b, &[("grid", &dir)]);
    let victim = only_file(&dir.join("run-2/validation"));
    let name = victim.file_name().unwrap().to_str().unwrap();
    let url = format!("s3://{b}/grid");
    let src = DeletesAfterListing {
        inner: s3.source(&url),
        python: s3.python.clone(),
        endpoint: s3.endpoint.clone(),
        bucket: b.clone(),
        key: format!("grid/run-2/validation/{name}"),
    };
    let ld = load_source(&src, &LoadOptions::default(), &|_, _| {}).unwrap();
    let local = load(&dir, &LoadOptions::default()).unwrap();
    assert_eq!(ld.sessions.len(), local.sessions.len());
    assert_eq!(
        ld.event_count() + local.runs["run-2/validation"].events,
        local.event_count()
    );
    let w: Vec<String> = ld.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter().any(
            |w| w.contains(&format!("{url}/run-2/validation/{name}: cannot open"))
                && w.contains("not found")
        ),
        "{w:?}"
    );
}

/// Following an object that a trainer re-uploads as it grows: each poll
/// reads what was appended, a cut record waits for its end, and the result
/// equals a fresh load of the whole logdir.
#[test]
fn following_a_growing_object_reads_the_new_bytes() {
    let Some(s3) = s3() else { return };
    let b = bucket("follow");
    s3.boto(&format!("s3.create_bucket(Bucket={b:?})"));
    let run_name = "lr0.001_adam";
    let file = root().join("fixtures/tbx_hparams/lr0.001_adam/events.out.tfevents.1795362314.vm");
    let rel = format!("{run_name}/events.out.tfevents.1795362314.vm");
    let bytes = std::fs::read(&file).unwrap();
    let put = |upto: usize| {
        let tmp = tempfile::tempdir().unwrap();
        let part = tmp.path().join("part");
        std::fs::write(&part, &bytes[..upto]).unwrap();
        s3.boto(&format!(
            "s3.upload_file({:?}, {:?}, {:?})",
            part.to_str().unwrap(),
            b,
            format!("logs/{rel}")
        ));
    };
    put(bytes.len() / 3);
    let url = format!("s3://{b}/logs");
    let mut f = Follower::with_source(Box::new(s3.source(&url)), &LoadOptions::default()).unwrap();
    let first = f.try_poll().unwrap();
    assert!(
        first.new_events > 0 && first.warnings.is_empty(),
        "{first:?}"
    );
    // Nothing new: the object's size is unchanged, nothing is fetched.
    let idle = f.try_poll().unwrap();
    assert!(!idle.changed && idle.new_events == 0, "{idle:?}");
    put(bytes.len() * 2 / 3);
    let second = f.try_poll().unwrap();
    assert!(second.new_events > 0, "{second:?}");
    put(bytes.len());
    f.try_poll().unwrap();
    let whole = {
        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join(&rel);
        std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
        std::fs::write(&copy, &bytes).unwrap();
        load(tmp.path(), &LoadOptions::default()).unwrap()
    };
    assert_eq!(f.logdir().event_count(), whole.event_count());
    assert!(f.logdir().warnings.is_empty(), "{:?}", f.logdir().warnings);
    assert_eq!(
        format!("{:?}", f.logdir().runs[run_name].scalars),
        format!("{:?}", whole.runs[run_name].scalars)
    );
}
