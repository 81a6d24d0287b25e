//! Finding the runs of a logdir: every directory that directly holds a file
//! whose name contains `tfevents` is a run, named by its path relative to the
//! logdir with `/` separators (`.` for the logdir itself), as both TensorBoard
//! loaders name them (names that are not UTF-8, or look escaped, are
//! escaped: see `text`). Files of a run are sorted by name, which is the order
//! TensorBoard reads them in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::logdir::Warning;

/// An event file found by [`Source::discover`](crate::logdir::Source::discover).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventFile {
    /// How the file is named in runs and warnings: a local path, or for an
    /// object the logdir's URL joined with the object's relative key.
    pub path: PathBuf,
    /// The size when the listing gave it (object stores do; the local walk
    /// does not stat files, reading to the end costs nothing extra there).
    pub size: Option<u64>,
}

/// A run and its event files, in read order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFiles {
    /// Run name (`.` for the root, else `a/b`).
    pub name: String,
    /// Event files, sorted by file name.
    pub files: Vec<EventFile>,
}

/// The run name of directory `dir` under `root`.
pub fn run_name(root: &Path, dir: &Path) -> String {
    match dir.strip_prefix(root) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
        Ok(rel) => rel
            .components()
            .map(|c| text(c.as_os_str()))
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => text(dir.as_os_str()),
    }
}

/// A file name as text, one-to-one: names that are UTF-8 come out as they
/// are (as TensorBoard shows them), except that a backslash followed by `\`
/// or by `x` and two hex digits is doubled; bytes that are not UTF-8 are
/// written `\xNN`. So no two directory names give the same run name (with
/// U+FFFD for bad bytes, two directories differing only there merged into one
/// run and one session's start info hid the other's). The doubling touches
/// only names that already look escaped.
pub(crate) fn text(name: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    {
        use std::fmt::Write as _;
        use std::os::unix::ffi::OsStrExt;
        let bytes = name.as_bytes();
        if let Ok(s) = std::str::from_utf8(bytes) {
            if !s.contains('\\') {
                return s.to_string();
            }
        }
        let mut out = String::with_capacity(bytes.len());
        for chunk in bytes.utf8_chunks() {
            let valid = chunk.valid();
            for (i, c) in valid.char_indices() {
                out.push(c);
                if c == '\\' {
                    let rest = &valid.as_bytes()[i + 1..];
                    let escape_follows = match rest {
                        // Next come this chunk's bad bytes, written `\xNN`.
                        [] => !chunk.invalid().is_empty(),
                        [b'\\', ..] => true,
                        [b'x', a, b, ..] => a.is_ascii_hexdigit() && b.is_ascii_hexdigit(),
                        _ => false,
                    };
                    if escape_follows {
                        out.push('\\');
                    }
                }
            }
            for b in chunk.invalid() {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

/// Walks `root` (following symlinks, as TensorBoard's Rust loader does; loops
/// are detected and reported) and returns its runs sorted by name. Unreadable
/// directories and other walk errors become warnings.
pub fn discover(root: &Path, warnings: &mut Vec<Warning>) -> Vec<RunFiles> {
    let found = crate::logdir::walk::walk(root);
    warnings.extend(found.warnings);
    let runs = found.runs;
    // Names are one-to-one on Unix (`text`); elsewhere two directories could
    // still share one (lossy conversion): their files are read as one run,
    // and that is said.
    let mut named: BTreeMap<String, (PathBuf, Vec<PathBuf>)> = BTreeMap::new();
    for (dir, files) in runs {
        let name = run_name(root, &dir);
        match named.get_mut(&name) {
            Some((first, all)) => {
                warnings.push(Warning::file(
                    dir.clone(),
                    format!(
                        "run name {name:?} is also that of {}: their files are read as one run",
                        first.display()
                    ),
                ));
                all.extend(files);
                all.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
            }
            None => {
                named.insert(name, (dir, files));
            }
        }
    }
    named
        .into_iter()
        .map(|(name, (_, files))| {
            let files = files
                .into_iter()
                .map(|path| EventFile { path, size: None })
                .collect();
            RunFiles { name, files }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn names_runs_like_tensorboard() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        for p in [
            "events.out.tfevents.1",
            "0/events.out.tfevents.2",
            "0/train/x.tfevents.3",
            "0/notes.txt",
            "empty/readme",
        ] {
            let p = root.join(p);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, b"").unwrap();
        }
        let mut w = Vec::new();
        let runs = discover(root, &mut w);
        let names: Vec<_> = runs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, [".", "0", "0/train"]);
        assert!(w.is_empty());
    }

    /// Directory names that are not UTF-8 keep distinct run names (their
    /// bad bytes escaped) instead of merging into one U+FFFD run, also next
    /// to a directory whose literal name looks like such an escape, and
    /// their sub-runs keep the same prefix.
    #[cfg(target_os = "linux")] // macOS refuses names that are not UTF-8
    #[test]
    fn non_utf8_directory_names_stay_apart() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        for raw in [
            &b"a\xff"[..],
            b"a\xfe",
            b"caf\xc3\xa9",
            b"a\\xff",      // literally a, backslash, x, f, f
            b"a\\\xff",     // a, backslash, then the byte 0xff
            b"a\\\\xff",    // a, two backslashes, x, f, f
            b"w\\in",       // a backslash not before an escape: as is
            b"a\xff/train", // a sub-run of the 0xff directory
        ] {
            let dir = root.join(OsStr::from_bytes(raw));
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join("events.out.tfevents.1"), b"").unwrap();
        }
        let mut w = Vec::new();
        let runs = discover(root, &mut w);
        let mut names: Vec<_> = runs.iter().map(|r| r.name.as_str()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "a\\\\\\\\xff", // two literal backslashes, both doubled
                "a\\\\\\xff",   // backslash (doubled) + byte 0xff
                "a\\\\xff",     // literal backslash, doubled
                "a\\xfe",
                "a\\xff",
                "a\\xff/train",
                "café",
                "w\\in",
            ]
        );
        assert!(w.is_empty(), "{w:?}");
        assert!(runs.iter().all(|r| r.files.len() == 1));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_reported_not_followed() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        fs::create_dir_all(root.join("a")).unwrap();
        fs::write(root.join("a/events.out.tfevents.1"), b"").unwrap();
        std::os::unix::fs::symlink(root, root.join("a/loop")).unwrap();
        let mut w = Vec::new();
        let runs = discover(root, &mut w);
        assert_eq!(runs.len(), 1);
        assert!(w.iter().any(|w| w.what.contains("symlink loop")), "{w:?}");
    }
}
