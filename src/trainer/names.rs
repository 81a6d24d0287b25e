//! Validation of session and sub-run names, which become directories and,
//! relative to the logdir, TensorBoard run names.
//!
//! A name is a relative path of plain components separated by `/`: not
//! empty, not absolute, no `.`/`..` or empty components (`a//b`, `a/`), no
//! backslash (a separator on Windows, so `a\b` would mean different runs on
//! different systems) and no NUL. Anything else could escape the logdir or
//! name the logdir root, whose session would get no metrics in TensorBoard.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// Checks `name` (a `what`, e.g. "session name") and returns it as a path
/// relative to its parent directory.
pub(crate) fn relative_path(what: &str, name: &str) -> Result<PathBuf> {
    let bad = |why: &str| Err(Error::invalid(format!("{what} {name:?} {why}")));
    if name.is_empty() {
        return bad("must not be empty");
    }
    if name.starts_with('/') {
        return bad("must be a relative path, not an absolute one");
    }
    if name.contains('\\') || name.contains('\0') {
        return bad("must not contain a backslash or NUL (use '/' to nest)");
    }
    for part in name.split('/') {
        match part {
            "" => return bad("has an empty path component"),
            "." | ".." => return bad("must not contain '.' or '..' components"),
            _ => {}
        }
    }
    // Catches what the OS would still read specially (e.g. `C:` on Windows).
    if !Path::new(name)
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return bad("is not a plain relative path");
    }
    Ok(PathBuf::from(name))
}

#[cfg(test)]
mod tests {
    use super::relative_path;

    #[test]
    fn accepts_plain_and_nested_names() {
        for ok in ["run-0", "a/b", "train", "01", "name with space", "ü"] {
            assert!(relative_path("name", ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_escaping_and_degenerate_names() {
        for bad in [
            "", ".", "..", "../x", "a/../b", "a/./b", "/abs", "a//b", "a/", "a\\b", "a\0",
        ] {
            let e = relative_path("session name", bad).unwrap_err();
            assert!(e.to_string().contains("session name"), "{e}");
        }
    }
}
