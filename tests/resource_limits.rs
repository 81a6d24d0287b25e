//! Resource limits: absurd length fields, deep or huge protobuf fields, and
//! logdir layouts that could make a reader loop or block are rejected or
//! reported, with memory bounded by the record limit
//! (`record::DEFAULT_MAX_RECORD_LEN`) and far below it for short files.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use hp_report::event::view::{summary_values, EventView, Payload};
use hp_report::event::{EventFileWriter, FlushPolicy};
use hp_report::hparams::plugin::{decode_plugin_data, session_start_summary};
use hp_report::hparams::HParamValue;
use hp_report::logdir::{self, LoadOptions, Logdir};
use hp_report::proto::tensorboard::{event, summary, Event, Summary};
use hp_report::record::{encode_record, masked_crc32c, DEFAULT_MAX_RECORD_LEN};
use prost::Message;

/// Counts live heap bytes and their peak, to check that a length claim
/// does not turn into an allocation.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Tests here measure the heap, so they run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Peak extra heap while `f` runs.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

/// A session run with hparams, whose event file the test then appends to.
fn session_logdir() -> (tempfile::TempDir, std::path::PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let lr = HParamValue::Float(0.1);
    let mut w =
        EventFileWriter::with_policy(d.path().join("s0"), FlushPolicy::immediate()).unwrap();
    w.write_summary(0, session_start_summary([("lr", &lr)], "", 1.0))
        .unwrap();
    let path = w.path().to_path_buf();
    w.close().unwrap();
    (d, path)
}

fn append(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap()
        .write_all(bytes)
        .unwrap();
}

/// A header claiming `len` bytes, with a valid length checksum.
fn header(len: u64) -> Vec<u8> {
    let mut h = len.to_le_bytes().to_vec();
    h.extend_from_slice(&masked_crc32c(&len.to_le_bytes()).to_le_bytes());
    h
}

fn scalar_record(tag: &str, step: i64, value: f32) -> Vec<u8> {
    let ev = Event {
        wall_time: 5.0,
        step,
        what: Some(event::What::Summary(hp_report::summary::scalar_summary(
            tag, value, true,
        ))),
        source_metadata: None,
    };
    let mut out = Vec::new();
    encode_record(&ev.encode_to_vec(), &mut out);
    out
}

fn load(root: &Path) -> Logdir {
    logdir::load(root, &LoadOptions::default()).unwrap()
}

#[test]
fn a_length_of_2_pow_63_and_a_4_gib_claim_are_rejected_without_allocating() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for claim in [1u64 << 63, 4 << 30, u64::MAX, DEFAULT_MAX_RECORD_LEN + 1] {
        let (d, path) = session_logdir();
        let good = fs::metadata(&path).unwrap().len();
        append(&path, &header(claim));
        append(&path, &[0xab; 100]);
        // An intact record after the damage is still found.
        append(&path, &scalar_record("acc", 1, 0.5));
        let (ld, peak) = peak_during(|| load(d.path()));
        assert!(peak < 32 << 20, "claim {claim}: peak heap {peak} bytes");
        let s = ld.session("s0").expect("session still read");
        assert_eq!(s.hparams["lr"], HParamValue::Float(0.1));
        assert_eq!(s.scalars.values().next().map(|s| s.count), Some(1));
        let w: Vec<_> = ld.warnings.iter().filter(|w| w.path == path).collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].offset, Some(good));
        assert!(
            w[0].what.contains(&format!(
                "record length {claim} over the {DEFAULT_MAX_RECORD_LEN}-byte limit"
            )),
            "{}",
            w[0]
        );
    }
}

#[test]
fn a_large_claim_within_the_limit_in_a_short_file_is_a_tail_and_allocates_little() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (d, path) = session_logdir();
    let good = fs::metadata(&path).unwrap().len();
    append(&path, &header(200 << 20));
    append(&path, &[0; 1000]);
    let (ld, peak) = peak_during(|| load(d.path()));
    assert!(peak < 32 << 20, "peak heap {peak} bytes");
    assert!(ld.session("s0").is_some());
    assert_eq!(ld.runs["s0"].tails, vec![(path.clone(), good)]);
    let w: Vec<_> = ld.warnings.iter().filter(|w| w.path == path).collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].what.contains("incomplete record at the end"),
        "{}",
        w[0]
    );
    assert!(w[0].what.contains("1012 bytes of 209715216"), "{}", w[0]);
}

/// `n` nested `Value { list_value { values: [ ... ] } }`, built in linear
/// time: sizes inside out, then the bytes outside in.
fn nested_value(n: usize) -> Vec<u8> {
    // Value.list_value = 6; ListValue.values = 1; innermost Value { null_value: 0 }.
    let vlen = |x: usize| {
        let mut b = Vec::new();
        put_varint(&mut b, x as u64);
        b.len()
    };
    let mut value_len = vec![2usize];
    let mut list_len = vec![0usize];
    for k in 1..=n {
        let list = 1 + vlen(value_len[k - 1]) + value_len[k - 1];
        list_len.push(list);
        value_len.push(1 + vlen(list) + list);
    }
    let mut out = Vec::with_capacity(value_len[n]);
    for k in (1..=n).rev() {
        out.push(0x32);
        put_varint(&mut out, list_len[k] as u64);
        out.push(0x0a);
        put_varint(&mut out, value_len[k - 1] as u64);
    }
    out.extend_from_slice(&[0x08, 0x00]);
    assert_eq!(out.len(), value_len[n]);
    out
}

fn put_varint(out: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        out.push((x as u8) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

fn field(out: &mut Vec<u8>, number: u32, bytes: &[u8]) {
    put_varint(out, u64::from(number) << 3 | 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

#[test]
fn deeply_nested_hparam_values_are_an_error_not_a_stack_overflow() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // HParamsPluginData.session_start_info (3) { hparams (1): map entry
    // { key (1): "x", value (2): <nested> } }
    for depth in [20, 60, 100_000] {
        let mut entry = Vec::new();
        field(&mut entry, 1, b"x");
        field(&mut entry, 2, &nested_value(depth));
        let mut start = Vec::new();
        field(&mut start, 1, &entry);
        let mut data = Vec::new();
        field(&mut data, 3, &start);
        // Runs on a small stack to show the decoder does not recurse deeper
        // than its limit.
        let r = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || decode_plugin_data(&data).map(|_| ()))
            .unwrap()
            .join()
            .expect("no stack overflow");
        if depth < 40 {
            assert!(r.is_ok(), "depth {depth}: {r:?}");
        } else {
            let e = r.unwrap_err();
            assert_eq!(e, "undecodable hparams data: recursion limit reached");
        }
    }
}

#[test]
fn deeply_nested_and_huge_fields_in_events_are_skipped_or_read() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // A summary value whose tensor is a deeply nested unknown message: the
    // wire reader is iterative and never descends into it.
    let mut tensor = vec![0x08, 0x01];
    let mut deep = Vec::new();
    for _ in 0..10_000 {
        let mut outer = Vec::new();
        field(&mut outer, 15, &deep);
        deep = outer;
    }
    tensor.extend_from_slice(&deep);
    let mut value = Vec::new();
    field(&mut value, 1, b"deep");
    field(&mut value, 8, &tensor);
    let mut summary = Vec::new();
    field(&mut summary, 1, &value);
    let mut ev = vec![0x09];
    ev.extend_from_slice(&1.0f64.to_le_bytes());
    field(&mut ev, 5, &summary);
    let r = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || {
            let v = EventView::parse(&ev).unwrap();
            let Payload::Summary(s) = v.payload else {
                panic!("not a summary")
            };
            let vals: Vec<_> = summary_values(s).collect::<Result<_, _>>().unwrap();
            // Not a scalar (the fallback full decode hits prost's limit).
            vals[0].scalar()
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert_eq!(r, None);

    // A field claiming 2^62 bytes inside a small payload: malformed.
    let mut bad = vec![0x2a];
    put_varint(&mut bad, 1 << 62);
    bad.extend_from_slice(&[0; 16]);
    assert!(EventView::parse(&bad).is_err());
    assert!(Event::decode(&bad[..]).is_err());

    // A 20 MB tag is read (it is within the record limit), not choked on.
    let (d, path) = session_logdir();
    let tag = "t".repeat(20 << 20);
    let ev = Event {
        wall_time: 5.0,
        step: 1,
        what: Some(event::What::Summary(Summary {
            value: vec![summary::Value {
                tag: tag.clone(),
                value: Some(summary::value::Value::SimpleValue(1.0)),
                ..Default::default()
            }],
        })),
        source_metadata: None,
    };
    let mut rec = Vec::new();
    encode_record(&ev.encode_to_vec(), &mut rec);
    append(&path, &rec);
    let ld = load(d.path());
    assert!(ld.runs["s0"].scalars.contains_key(&tag));
    assert!(ld.warnings.is_empty(), "{:?}", ld.warnings);
}

#[cfg(unix)]
#[test]
fn symlink_loops_dangling_links_and_fifos_are_reported_not_followed() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (d, _) = session_logdir();
    let root = d.path();
    std::os::unix::fs::symlink(root, root.join("s0/loop")).unwrap();
    std::os::unix::fs::symlink("a", root.join("b")).unwrap();
    std::os::unix::fs::symlink("b", root.join("a")).unwrap();
    std::os::unix::fs::symlink("nowhere", root.join("s0/events.out.tfevents.dangling")).unwrap();
    // A FIFO named like an event file would block a reader forever.
    let fifo = root.join("s0/events.out.tfevents.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let ld = load(root);
    assert!(ld.session("s0").is_some());
    let says = |what: &str| ld.warnings.iter().any(|w| w.to_string().contains(what));
    assert!(says("symlink loop"), "{:?}", ld.warnings);
    assert!(says("dangling"), "{:?}", ld.warnings);
    if made {
        assert!(says("not a regular file"), "{:?}", ld.warnings);
    } else {
        eprintln!("note: mkfifo unavailable, FIFO case not tested");
    }
}

/// Checks the load of a logdir with an unreadable directory and file.
fn check_unreadable(root: &Path) {
    let ld = load(root);
    assert!(ld.session("s0").is_some());
    let w: Vec<_> = ld.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter()
            .any(|w| w.contains("locked") && w.contains("ermission denied")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|w| w.contains("s1/events.out.tfevents.1") && w.contains("cannot open")),
        "{w:?}"
    );
    assert_eq!(w.len(), 2, "{w:?}");
}

const UNPRIV_ENV: &str = "HP_REPORT_UNPRIV_ROOT";

/// Permissions deny: a directory and a file that cannot be read are warnings.
/// As root (where mode 000 denies nothing) the check re-runs this test
/// binary as `nobody` through `setpriv`, or says why it cannot.
#[cfg(unix)]
#[test]
fn an_unreadable_directory_and_file_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(root) = std::env::var(UNPRIV_ENV) {
        check_unreadable(Path::new(&root));
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (d, path) = session_logdir();
    let root = d.path();
    let locked = root.join("locked");
    fs::create_dir_all(&locked).unwrap();
    fs::copy(&path, locked.join("events.out.tfevents.1")).unwrap();
    let unreadable_file = root.join("s1/events.out.tfevents.1");
    fs::create_dir_all(unreadable_file.parent().unwrap()).unwrap();
    fs::copy(&path, &unreadable_file).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(&unreadable_file, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read_dir(&locked).is_err() {
        check_unreadable(root);
    } else {
        // Privileged: let an unprivileged user look.
        fs::set_permissions(root, fs::Permissions::from_mode(0o755)).unwrap();
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&exe)
            .args(["--exact", "an_unreadable_directory_and_file_are_reported"])
            .env(UNPRIV_ENV, root)
            .output();
        match out {
            Ok(o) if o.status.success() => {
                assert!(String::from_utf8_lossy(&o.stdout).contains("1 passed"));
            }
            Ok(o) if o.status.code() == Some(101) => panic!(
                "as nobody: {}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
            other => eprintln!(
                "note: running as root and cannot drop privileges ({other:?}): \
                 unreadable directory/file cases not tested"
            ),
        }
    }
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
}
