//! What the runner asks of the operating system: SIGINT/SIGTERM handlers
//! that only set a flag, the lock that keeps two runners off one experiment,
//! the runner's own CPU time, syncing the experiment's filesystem, and finding a trial an earlier runner left
//! running.

use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};

use crate::tune::error::{io_err, TuneError};
use crate::tune::trial;

/// `SIGINT`, `SIGTERM`, `signal 7`.
pub fn signal_name(sig: i32) -> String {
    match sig {
        libc::SIGINT => "SIGINT".into(),
        libc::SIGTERM => "SIGTERM".into(),
        libc::SIGKILL => "SIGKILL".into(),
        libc::SIGSEGV => "SIGSEGV".into(),
        libc::SIGABRT => "SIGABRT".into(),
        libc::SIGHUP => "SIGHUP".into(),
        n => format!("signal {n}"),
    }
}

/// The signal that asked the runner to stop (0: none).
static STOP_SIGNAL: AtomicI32 = AtomicI32::new(0);
/// How many stop signals arrived.
static STOP_COUNT: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_stop_signal(sig: libc::c_int) {
    STOP_SIGNAL.store(sig, Ordering::SeqCst);
    STOP_COUNT.fetch_add(1, Ordering::SeqCst);
}

/// SIGINT and SIGTERM handlers for the duration of a run; the previous
/// handlers come back on drop.
pub(crate) struct SignalGuard {
    previous: Vec<(i32, libc::sighandler_t)>,
}

impl SignalGuard {
    pub(crate) fn install() -> Self {
        STOP_SIGNAL.store(0, Ordering::SeqCst);
        STOP_COUNT.store(0, Ordering::SeqCst);
        let handler = on_stop_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        let previous = [libc::SIGINT, libc::SIGTERM]
            .into_iter()
            // SAFETY: the handler only stores to atomics (async-signal-safe).
            .map(|s| (s, unsafe { libc::signal(s, handler) }))
            .collect();
        SignalGuard { previous }
    }
}

impl Drop for SignalGuard {
    fn drop(&mut self) {
        for &(s, h) in &self.previous {
            // SAFETY: restores the handler that was there before.
            unsafe {
                libc::signal(s, h);
            }
        }
    }
}

/// An exclusive lock on the experiment directory, held while the runner
/// runs and released by the kernel when it dies, however it dies.
pub(crate) struct DirLock {
    _file: std::fs::File,
}

impl DirLock {
    pub(crate) fn take(dir: &Path) -> Result<Self, TuneError> {
        use std::os::fd::AsRawFd;
        let path = dir.join(".tune.lock");
        let file = std::fs::File::create(&path).map_err(|e| io_err("cannot create", &path, e))?;
        // SAFETY: flock on a descriptor we own.
        let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if r != 0 {
            return Err(TuneError::Usage(format!(
                "{}: another `hp-report tune` is running on this experiment",
                dir.display()
            )));
        }
        Ok(DirLock { _file: file })
    }
}

/// The signal that asked the runner to stop (0: none yet).
pub(crate) fn stop_signal() -> i32 {
    STOP_SIGNAL.load(Ordering::SeqCst)
}

/// How many stop signals arrived.
pub(crate) fn stop_count() -> i32 {
    STOP_COUNT.load(Ordering::SeqCst)
}

/// CPU seconds (user + system) of this process, children excluded.
pub(crate) fn own_cpu_secs() -> Option<f64> {
    // SAFETY: a zeroed rusage is a valid out-parameter for getrusage.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes only into `ru`.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return None;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    Some(secs(ru.ru_utime) + secs(ru.ru_stime))
}

/// Makes everything written to the filesystem holding `dir` durable
/// (`syncfs(2)`): once per run, instead of an fsync per trial file.
pub(crate) fn sync_filesystem(dir: &Path) -> std::io::Result<()> {
    let f = std::fs::File::open(dir)?;
    // SAFETY: syncfs only reads the descriptor, which `f` keeps open.
    let r = unsafe { libc::syncfs(std::os::fd::AsRawFd::as_raw_fd(&f)) };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Kills process group `pid` if it is still a trial of `dir` (its
/// environment names that trial directory): a trial an earlier runner left
/// behind when it was killed. True if it was killed.
pub(crate) fn kill_orphan(pid: u32, dir: &Path) -> bool {
    let Ok(env) = std::fs::read(format!("/proc/{pid}/environ")) else {
        return false;
    };
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let want = format!("HP_TRIAL_DIR={}", dir.display());
    if env.split(|&b| b == 0).any(|kv| kv == want.as_bytes()) {
        trial::signal_group(pid, libc::SIGKILL);
        return true;
    }
    false
}
