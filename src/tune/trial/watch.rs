//! Watching one trial process: its stdout and stderr copied to their log
//! files with metric lines parsed on the way, then its exit, all from one
//! thread that polls both pipes; threads are kept and reused for the next
//! trial ([`run_detached`]).
//!
//! One reused thread per trial instead of three new ones (a reader per
//! stream and a waiter): creating, starting and tearing down threads was a
//! large part of the runner's own CPU on short trials (docs/benchmarks.md).
//!
//! The order of things at the end is the old waiter's: the process is
//! waited for without being reaped (`waitid` with `WNOWAIT`), what is left
//! of its process group is killed (a child that outlives its parent would
//! otherwise hold the pipes open, or keep running unseen), then it is
//! reaped: the group id cannot be reused in between, because the unreaped
//! leader still holds it. While the pipes stay open, the leader's exit is
//! seen through a pidfd polled with them (or, without pidfds, checked every
//! [`CHECK_EVERY`]), so a group member holding them is killed as soon as the
//! leader ends.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::ExitStatusExt;
use std::process::Child;
use std::sync::mpsc::{channel, Sender, SyncSender};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{send_points, signal_group, Event, MAX_METRIC_LINE};
use crate::tune::metrics::MetricTracker;

/// How often the leader's exit is checked while its pipes stay open, on a
/// kernel without pidfds.
const CHECK_EVERY: Duration = Duration::from_millis(250);

/// Bytes read from a pipe at once.
const READ_CHUNK: usize = 64 << 10;

/// A job for a pool thread.
type Job = Box<dyn FnOnce() + Send>;

/// Idle pool threads, each waiting on its own channel.
static IDLE: Mutex<Vec<Sender<Job>>> = Mutex::new(Vec::new());

/// Runs `job` on an idle pool thread, or on a new one (which joins the pool
/// when `job` is done). Pool threads live as long as the process; there are
/// never more than the most jobs that ran at once.
pub(super) fn run_detached(job: Job) -> std::io::Result<()> {
    let idle = IDLE.lock().ok().and_then(|mut v| v.pop());
    let job = match idle {
        // An idle thread always holds its receiver: the send cannot fail,
        // but if it did, the job comes back and gets a new thread.
        Some(tx) => match tx.send(job) {
            Ok(()) => return Ok(()),
            Err(e) => e.0,
        },
        None => job,
    };
    let (tx, rx) = channel::<Job>();
    std::thread::Builder::new()
        .name("trial-watch".into())
        .spawn(move || {
            let mut job = job;
            loop {
                job();
                match IDLE.lock() {
                    Ok(mut v) => v.push(tx.clone()),
                    Err(_) => return,
                }
                match rx.recv() {
                    Ok(j) => job = j,
                    Err(_) => return,
                }
            }
        })
        .map(drop)
}

/// One output stream of the trial: its pipe, its log, the line being read.
struct Stream {
    pipe: File,
    log: BufWriter<File>,
    /// The current line, kept up to [`MAX_METRIC_LINE`] bytes.
    line: Vec<u8>,
    /// The current line is longer than that: logged, not parsed.
    too_long: bool,
    /// End of file (or a read error): nothing more to read.
    done: bool,
}

impl Stream {
    fn new(pipe: impl Into<OwnedFd>, log: File) -> Self {
        Stream {
            pipe: File::from(pipe.into()),
            log: BufWriter::with_capacity(64 << 10, log),
            line: Vec::new(),
            too_long: false,
            done: false,
        }
    }

    /// Reads what the pipe has (one `read`, which does not block after
    /// `poll` said so), logs it and sends the metric points of each line
    /// it completes.
    fn read_some(&mut self, buf: &mut [u8], slot: usize, ctx: &Ctx) {
        let n = match self.pipe.read(buf) {
            Ok(0) => {
                self.done = true;
                return;
            }
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return,
            Err(_) => {
                self.done = true;
                return;
            }
        };
        let data = &buf[..n];
        let _ = self.log.write_all(data);
        for piece in data.split_inclusive(|&b| b == b'\n') {
            if self.line.len() + piece.len() <= MAX_METRIC_LINE {
                self.line.extend_from_slice(piece);
            } else {
                self.too_long = true;
            }
            if piece.ends_with(b"\n") {
                if !self.too_long {
                    send_points(&self.line, slot, ctx.tx, &ctx.tracker);
                }
                self.line.clear();
                self.too_long = false;
            }
        }
    }

    /// The last line if it had no newline; the log flushed.
    fn finish(mut self, slot: usize, ctx: &Ctx) {
        if !self.line.is_empty() && !self.too_long {
            send_points(&self.line, slot, ctx.tx, &ctx.tracker);
        }
        let _ = self.log.flush();
    }
}

/// What the streams of one trial share.
struct Ctx<'a> {
    tx: &'a SyncSender<Event>,
    /// Per-name step counters, across stdout and stderr.
    tracker: Mutex<MetricTracker>,
}

/// Watches `child` to its end: copies and parses its output, then waits,
/// kills its group's leftovers, reaps it and sends [`Event::Exited`] for
/// `slot` (after every metric point of its output).
pub(super) fn watch(
    mut child: Child,
    (out_log, err_log): (File, File),
    slot: usize,
    tx: &SyncSender<Event>,
) {
    let pid = child.id();
    let ctx = Ctx {
        tx,
        tracker: Mutex::new(MetricTracker::new()),
    };
    let mut out = child.stdout.take().map(|p| Stream::new(p, out_log));
    let mut err = child.stderr.take().map(|p| Stream::new(p, err_log));
    let mut buf = vec![0u8; READ_CHUNK];
    let mut leader_gone = false;
    let mut last_check = Instant::now();
    let pidfd = pidfd_open(pid);
    loop {
        let mut fds = Vec::with_capacity(3);
        for s in [out.as_ref(), err.as_ref()].into_iter().flatten() {
            if !s.done {
                fds.push(libc::pollfd {
                    fd: s.pipe.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                });
            }
        }
        if fds.is_empty() {
            break;
        }
        let pidfd = pidfd.as_ref().filter(|_| !leader_gone);
        if let Some(p) = pidfd {
            fds.push(libc::pollfd {
                fd: p.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            });
        }
        let timeout = if leader_gone || pidfd.is_some() {
            -1
        } else {
            CHECK_EVERY.as_millis() as i32
        };
        // SAFETY: `fds` is a valid array of `fds.len()` pollfd structs.
        let r = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
        if r < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            break;
        }
        for f in fds.iter().filter(|f| f.revents != 0) {
            for s in [out.as_mut(), err.as_mut()].into_iter().flatten() {
                if s.pipe.as_raw_fd() == f.fd {
                    s.read_some(&mut buf, slot, &ctx);
                }
            }
        }
        let pid_ready =
            pidfd.is_some_and(|p| fds.iter().any(|f| f.fd == p.as_raw_fd() && f.revents != 0));
        if !leader_gone && (pid_ready || r == 0 || last_check.elapsed() >= CHECK_EVERY) {
            last_check = Instant::now();
            // A readable pidfd means the process has exited.
            if pid_ready || has_exited(pid) {
                signal_group(pid, libc::SIGKILL);
                leader_gone = true;
            }
        }
    }
    for s in [out, err].into_iter().flatten() {
        s.finish(slot, &ctx);
    }
    wait_no_reap(pid);
    signal_group(pid, libc::SIGKILL);
    let (code, signal) = match child.wait() {
        Ok(s) => (s.code(), s.signal()),
        Err(_) => (None, None),
    };
    let _ = tx.send(Event::Exited { slot, code, signal });
}

/// A pidfd of `pid` (readable once it exits), if the kernel has them
/// (Linux 5.3); without, the exit is checked every [`CHECK_EVERY`].
fn pidfd_open(pid: u32) -> Option<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor
    // or -1; it touches no memory of ours.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
    if fd < 0 {
        return None;
    }
    // SAFETY: `fd` is a new descriptor that nothing else owns.
    Some(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// `waitid` for the exit of `pid` with `WNOWAIT` (it stays unreaped) and
/// `extra` flags: `Ok(si_pid)` (0 if `WNOHANG` found it running) or the
/// error.
fn wait_exit(pid: u32, extra: libc::c_int) -> std::io::Result<libc::pid_t> {
    // SAFETY: a zeroed siginfo_t is a valid out-parameter for waitid.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: waitid writes only into `info`.
    let r = unsafe {
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOWAIT | extra,
        )
    };
    if r != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: reading si_pid of a siginfo_t filled (or left zeroed) above.
    Ok(unsafe { info.si_pid() })
}

/// Whether `pid` has exited (left unreaped).
fn has_exited(pid: u32) -> bool {
    // With WNOHANG, a child that has not exited leaves si_pid at 0.
    wait_exit(pid, libc::WNOHANG).is_ok_and(|p| p != 0)
}

/// Blocks until `pid` has exited, leaving it unreaped.
fn wait_no_reap(pid: u32) {
    while let Err(e) = wait_exit(pid, 0) {
        if e.kind() != std::io::ErrorKind::Interrupted {
            return;
        }
    }
}
