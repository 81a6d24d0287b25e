//! A one-line progress indicator on stderr for long reads, shown only when
//! stderr is a terminal and the read takes more than a moment.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Prints `reading runs: done/total` at most ten times a second after the
/// first half second; clears the line when dropped.
pub(crate) struct Progress {
    start: Instant,
    last: Mutex<Option<Instant>>,
    enabled: bool,
}

impl Progress {
    pub(crate) fn new(enabled: bool) -> Self {
        Progress {
            start: Instant::now(),
            last: Mutex::new(None),
            enabled: enabled && std::io::stderr().is_terminal(),
        }
    }

    pub(crate) fn update(&self, done: usize, total: usize) {
        if !self.enabled || self.start.elapsed() < Duration::from_millis(500) {
            return;
        }
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) && done < total {
            return;
        }
        *last = Some(Instant::now());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\rreading runs: {done}/{total}");
        let _ = err.flush();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.enabled && self.last.lock().is_ok_and(|l| l.is_some()) {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}
