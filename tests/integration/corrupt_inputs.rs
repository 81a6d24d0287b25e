//! Damaged logdirs, made from the fixtures: a copy of `keras_mlp_grid` with
//! one file of one session damaged (truncated at every record boundary and
//! inside every record, bytes flipped, emptied, replaced by garbage, made
//! unreadable). Every intact session must come out exactly as from the
//! pristine logdir, the damaged file must lose at most the damaged records,
//! and the damage must be reported once, as a warning naming the file and
//! the offset of the damaged record.

use std::fs;
use std::path::{Path, PathBuf};

use hp_report::logdir::{self, LoadOptions, Logdir, Warning};

const SESSION: &str = "run-2";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keras_mlp_grid")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            fs::copy(e.path(), dst).unwrap();
        }
    }
}

/// The single event file of `run` in the fixture.
fn file_of(run: &str) -> PathBuf {
    let dir = fixture().join(run);
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    assert_eq!(files.len(), 1);
    files.pop().unwrap()
}

/// Record start offsets and the file length.
fn record_bounds(bytes: &[u8]) -> Vec<usize> {
    let mut out = vec![0];
    let mut at = 0;
    while at + 12 <= bytes.len() {
        let len = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
        at += len + 16;
        out.push(at);
    }
    assert_eq!(at, bytes.len());
    out
}

struct Case {
    _dir: tempfile::TempDir,
    root: PathBuf,
    /// The damaged file in the copy.
    file: PathBuf,
}

/// A copy of the fixture with `run`'s file replaced by `bytes`.
fn damaged(run: &str, bytes: &[u8]) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("logs");
    copy_dir(&fixture(), &root);
    let rel = file_of(run).strip_prefix(fixture()).unwrap().to_path_buf();
    let file = root.join(rel);
    fs::write(&file, bytes).unwrap();
    Case {
        _dir: dir,
        root,
        file,
    }
}

impl Case {
    /// Replaces the damaged file's contents.
    fn write(&self, bytes: &[u8]) {
        fs::write(&self.file, bytes).unwrap();
    }
}

fn load(root: &Path) -> Logdir {
    logdir::load(root, &LoadOptions::default()).unwrap()
}

/// The warnings about `file`, and a check that nothing else is warned about.
fn warnings_about<'a>(ld: &'a Logdir, file: &Path, what: &str) -> Vec<&'a Warning> {
    let (about, other): (Vec<_>, Vec<_>) = ld.warnings.iter().partition(|w| w.path == file);
    assert!(other.is_empty(), "{what}: unrelated warnings {other:?}");
    for w in &about {
        let s = w.to_string();
        assert!(s.contains(&file.display().to_string()), "{what}: {s}");
        assert!(!w.what.is_empty());
    }
    about
}

/// Every session other than `SESSION` is exactly as in `pristine`; for
/// `SESSION`, the hparams are intact if `hparams_intact`.
fn assert_intact(ld: &Logdir, pristine: &Logdir, hparams_intact: bool, what: &str) {
    for want in &pristine.sessions {
        if want.name == SESSION {
            continue;
        }
        let got = ld
            .session(&want.name)
            .unwrap_or_else(|| panic!("{what}: session {} lost", want.name));
        assert_eq!(got, want, "{what}: session {} differs", want.name);
    }
    if hparams_intact {
        let got = ld
            .session(SESSION)
            .unwrap_or_else(|| panic!("{what}: damaged session lost its hparams"));
        let want = pristine.session(SESSION).unwrap();
        assert_eq!(got.hparams, want.hparams, "{what}");
    }
}

/// Which run names belong to `SESSION`'s damaged file, for event counts.
fn run_name(file: &str) -> String {
    if file.is_empty() {
        SESSION.to_string()
    } else {
        format!("{SESSION}/{file}")
    }
}

#[test]
fn truncation_at_every_boundary_and_inside_every_record() {
    let pristine = load(&fixture());
    assert!(pristine.warnings.is_empty(), "{:?}", pristine.warnings);
    for sub in ["", "train"] {
        let run = run_name(sub);
        let original = fs::read(file_of(&run)).unwrap();
        let bounds = record_bounds(&original);
        let records = bounds.len() - 1;
        let mut cuts: Vec<usize> = Vec::new();
        for w in bounds.windows(2) {
            let (a, b) = (w[0], w[1]);
            cuts.extend([a, a + 1, a + 8, a + 11, a + 12, (a + b) / 2, b - 4, b - 1]);
        }
        cuts.push(original.len());
        cuts.sort();
        cuts.dedup();
        let case = damaged(&run, &original);
        for cut in cuts {
            let what = format!("{run} cut at {cut}");
            case.write(&original[..cut]);
            let ld = load(&case.root);
            let complete = bounds.iter().filter(|&&b| b > 0 && b <= cut).count();
            let got = ld.runs.get(&run).map_or(0, |r| r.events);
            assert_eq!(got, complete as u64, "{what}: events");
            // The session file's hparams are in its second record.
            assert_intact(&ld, &pristine, !sub.is_empty() || complete >= 2, &what);
            let w = warnings_about(&ld, &case.file, &what);
            if bounds.contains(&cut) {
                assert!(w.is_empty(), "{what}: {w:?}");
            } else {
                let start = bounds.iter().rev().find(|&&b| b <= cut).unwrap();
                assert_eq!(w.len(), 1, "{what}: {w:?}");
                assert_eq!(w[0].offset, Some(*start as u64), "{what}");
                assert!(
                    w[0].to_string().contains(&format!(": byte {start}: ")),
                    "{}",
                    w[0]
                );
                assert!(
                    w[0].what.starts_with(
                        "incomplete record at the end of the file (still being written, or cut off)"
                    ),
                    "{what}: {}",
                    w[0]
                );
            }
        }
        assert!(records > 2);
    }
}

#[test]
fn flipped_bytes_lose_at_most_the_damaged_record() {
    let pristine = load(&fixture());
    for sub in ["", "train"] {
        let run = run_name(sub);
        let original = fs::read(file_of(&run)).unwrap();
        let bounds = record_bounds(&original);
        let total = pristine.runs[&run].events;
        // Every byte of the small session file, every 13th of the metrics
        // file (headers, payloads and checksums all get hit).
        let step = if original.len() > 1000 { 13 } else { 1 };
        let case = damaged(&run, &original);
        for at in (0..original.len()).step_by(step) {
            {
                let mask = if at % 2 == 0 { 0x01u8 } else { 0xff };
                let what = format!("{run} byte {at} ^ {mask:#x}");
                let mut bytes = original.clone();
                bytes[at] ^= mask;
                case.write(&bytes);
                let ld = load(&case.root);
                let record = bounds.iter().rposition(|&b| b <= at).unwrap();
                let got = ld.runs.get(&run).map_or(0, |r| r.events);
                assert_eq!(got, total - 1, "{what}: exactly the damaged record is lost");
                assert_intact(&ld, &pristine, !sub.is_empty() || record != 1, &what);
                let w = warnings_about(&ld, &case.file, &what);
                assert_eq!(w.len(), 1, "{what}: {w:?}");
                assert_eq!(w[0].offset, Some(bounds[record] as u64), "{what}: {}", w[0]);
                // Damage in a metrics file keeps every other point.
                if sub == "train" {
                    let s = ld.session(SESSION).unwrap();
                    let p = pristine.session(SESSION).unwrap();
                    let lost: u64 = p
                        .scalars
                        .iter()
                        .map(|(k, v)| v.count - s.scalars.get(k).map_or(0, |x| x.count))
                        .sum();
                    assert!(lost <= 1, "{what}: {lost} points lost");
                }
            }
        }
    }
}

#[test]
fn empty_garbage_and_unreadable_files() {
    let pristine = load(&fixture());
    for sub in ["", "train"] {
        let run = run_name(sub);
        // Zero length: a file just created. Nothing to read, nothing wrong.
        let case = damaged(&run, b"");
        let ld = load(&case.root);
        assert_intact(&ld, &pristine, !sub.is_empty(), "empty");
        assert!(warnings_about(&ld, &case.file, "empty").is_empty());

        // Not an event file at all, though named like one.
        let mut garbage = b"PK\x03\x04 this is a zip file, not TFRecord\n".to_vec();
        garbage.extend((0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
        let case = damaged(&run, &garbage);
        let ld = load(&case.root);
        assert_intact(&ld, &pristine, !sub.is_empty(), "garbage");
        let w = warnings_about(&ld, &case.file, "garbage");
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].offset, None, "a whole-file problem has no place");
        assert!(
            w[0].what
                .starts_with("not an event file: no valid record in its"),
            "{}",
            w[0]
        );

        // Garbage next to the event files but not named like one: ignored.
        let case = damaged(&run, &fs::read(file_of(&run)).unwrap());
        fs::write(case.file.with_file_name("notes.txt"), &garbage).unwrap();
        let ld = load(&case.root);
        assert_intact(&ld, &pristine, true, "notes.txt");
        assert!(ld.warnings.is_empty(), "{:?}", ld.warnings);

        // Unreadable (as root, permissions do not deny: a dangling link
        // stands in for a file that cannot be opened).
        let case = damaged(&run, &fs::read(file_of(&run)).unwrap());
        unreadable(&case.file);
        let ld = load(&case.root);
        assert_intact(&ld, &pristine, !sub.is_empty(), "unreadable");
        let w = warnings_about(&ld, &case.file, "unreadable");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].what.contains("cannot open") || w[0].what.contains("dangling symlink"),
            "{}",
            w[0]
        );
    }
}

#[cfg(unix)]
fn unreadable(file: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(file, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::File::open(file).is_ok() {
        fs::remove_file(file).unwrap();
        std::os::unix::fs::symlink("gone", file).unwrap();
    }
}

#[cfg(not(unix))]
fn unreadable(file: &Path) {
    fs::remove_file(file).unwrap();
    fs::create_dir(file).unwrap();
}

#[test]
fn damage_in_two_sessions_is_reported_per_file() {
    let pristine = load(&fixture());
    let run = run_name("train");
    let mut bytes = fs::read(file_of(&run)).unwrap();
    let bounds = record_bounds(&bytes);
    bytes[bounds[3] + 20] ^= 0x10;
    bytes.truncate(bytes.len() - 5);
    let case = damaged(&run, &bytes);
    let ld = load(&case.root);
    assert_intact(&ld, &pristine, true, "two problems");
    let w = warnings_about(&ld, &case.file, "two problems");
    let offsets: Vec<u64> = w.iter().filter_map(|w| w.offset).collect();
    assert_eq!(offsets.len(), w.len(), "{w:?}");
    assert_eq!(
        offsets,
        [bounds[3] as u64, bounds[bounds.len() - 2] as u64],
        "{w:?}"
    );
    for w in &w {
        eprintln!("example warning: {w}");
    }
}
