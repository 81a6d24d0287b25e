//! The follower of one remote job: a thread that submits it (or reattaches
//! to it), polls its state, pumps its output through the metric grammar
//! and turns the runner's signals into the engine's cancel, retrying what
//! the engine fails at with backoff.
//!
//! The runner and the follower share only two atomics (cancel requested,
//! forced): the runner never waits on the engine.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{backoff, EngineError, JobSpec, JobState, Output, Remote};
use crate::tune::metrics::MetricTracker;
use crate::tune::trial::{send_points, Event};

/// Longest unterminated line kept for the metric grammar.
const MAX_PARTIAL: usize = 64 << 10;

/// No cancel asked.
const RUN: u8 = 0;
/// Cancel asked (SIGTERM).
const CANCEL: u8 = 1;
/// Cancel at once (SIGKILL).
const FORCE: u8 = 2;

/// The runner's side of a followed job.
#[derive(Debug)]
pub struct RemoteJob {
    wanted: Arc<AtomicU8>,
}

impl RemoteJob {
    /// Asks the follower to cancel the job (`force`: without grace).
    pub fn cancel(&self, force: bool) {
        let v = if force { FORCE } else { CANCEL };
        self.wanted.fetch_max(v, Ordering::SeqCst);
    }
}

/// Starts the follower thread of `job`.
pub(super) fn start(
    client: Box<dyn Remote>,
    job: JobSpec,
    reattach: Option<String>,
    tx: SyncSender<Event>,
) -> std::io::Result<RemoteJob> {
    let wanted = Arc::new(AtomicU8::new(RUN));
    let w = wanted.clone();
    std::fs::create_dir_all(&job.dir)?;
    std::thread::Builder::new()
        .name(format!("follow-{}", job.name))
        .spawn(move || {
            let mut f = Follower::new(client, job, w, tx);
            f.run(reattach);
        })?;
    Ok(RemoteJob { wanted })
}

/// One output stream being tailed: bytes read so far and the line not yet
/// ended.
struct Tail {
    path: PathBuf,
    offset: u64,
    partial: Vec<u8>,
}

impl Tail {
    fn new(path: PathBuf) -> Self {
        Tail {
            path,
            offset: 0,
            partial: Vec::new(),
        }
    }

    /// New bytes of the file since the last call (none if it is missing).
    fn read_new(&mut self) -> Vec<u8> {
        let Ok(mut f) = File::open(&self.path) else {
            return Vec::new();
        };
        let mut buf = Vec::new();
        if f.seek(SeekFrom::Start(self.offset)).is_ok() && f.read_to_end(&mut buf).is_ok() {
            self.offset += buf.len() as u64;
        }
        buf
    }
}

struct Follower {
    client: Box<dyn Remote>,
    job: JobSpec,
    wanted: Arc<AtomicU8>,
    /// What has been asked of the engine (RUN, CANCEL, FORCE).
    sent: u8,
    tx: SyncSender<Event>,
    tracker: Mutex<MetricTracker>,
    out: Tail,
    err: Tail,
    /// Bytes of a fetched log already handled.
    fetched: usize,
    failures: u32,
}

enum Step {
    Again,
    Ended(Option<i32>, Option<i32>),
}

impl Follower {
    fn new(
        client: Box<dyn Remote>,
        job: JobSpec,
        wanted: Arc<AtomicU8>,
        tx: SyncSender<Event>,
    ) -> Self {
        let out = Tail::new(job.dir.join("stdout.log"));
        let err = Tail::new(job.dir.join("stderr.log"));
        Follower {
            client,
            job,
            wanted,
            sent: RUN,
            tx,
            tracker: Mutex::new(MetricTracker::new()),
            out,
            err,
            fetched: 0,
            failures: 0,
        }
    }

    fn note(&self, msg: String) {
        let _ = self.tx.send(Event::EngineNote {
            slot: self.job.slot,
            msg,
        });
    }

    /// Counts an engine failure: `true` to go on (after the backoff, cut
    /// short by a cancel), `false` when it is the last one allowed.
    fn failed(&mut self, what: &str, e: &EngineError) -> bool {
        self.failures += 1;
        let retries = self.client.retries().max(1);
        if self.failures >= retries {
            let _ = self.tx.send(Event::EngineFailed {
                slot: self.job.slot,
                error: format!(
                    "{} {what} failed {} times, giving up: {}",
                    self.client.name(),
                    self.failures,
                    e.msg
                ),
            });
            return false;
        }
        let wait = backoff(self.failures - 1);
        self.note(format!(
            "{}: {} {what} failed ({}); retry {} of {} in {}s",
            self.job.name,
            self.client.name(),
            e.msg,
            self.failures,
            retries - 1,
            wait.as_secs()
        ));
        self.sleep(wait);
        true
    }

    /// Sleeps `d`, waking early when a new cancel is asked.
    fn sleep(&self, d: Duration) {
        let end = Instant::now() + d;
        while Instant::now() < end && self.wanted.load(Ordering::SeqCst) == self.sent {
            std::thread::sleep(Duration::from_millis(50).min(end - Instant::now()));
        }
    }

    fn run(&mut self, reattach: Option<String>) {
        let mut id = match reattach {
            Some(id) => id,
            None => match self.submit() {
                Some(id) => id,
                None => return,
            },
        };
        loop {
            match self.step(&id) {
                Ok(Step::Again) => {
                    self.failures = 0;
                    self.sleep(self.client.poll_every());
                }
                Ok(Step::Ended(code, signal)) => {
                    self.pump(&id, true);
                    let _ = self.tx.send(Event::Exited {
                        slot: self.job.slot,
                        code,
                        signal,
                    });
                    return;
                }
                Err(Lost::Resubmit(why)) => {
                    self.note(format!(
                        "{}: {} lost job {id} ({why}); submitting it again",
                        self.job.name,
                        self.client.name()
                    ));
                    self.out = Tail::new(self.out.path.clone());
                    self.err = Tail::new(self.err.path.clone());
                    self.fetched = 0;
                    *self.tracker.lock().unwrap_or_else(|p| p.into_inner()) = MetricTracker::new();
                    match self.submit() {
                        Some(new) => id = new,
                        None => return,
                    }
                }
                Err(Lost::Engine(what, e)) => {
                    if !self.failed(what, &e) {
                        return;
                    }
                }
            }
        }
    }

    /// Submits with retries; `None` when it gave up (or was cancelled
    /// before the engine took the job: then it reports an exit by SIGTERM).
    fn submit(&mut self) -> Option<String> {
        loop {
            if self.wanted.load(Ordering::SeqCst) != RUN {
                let _ = self.tx.send(Event::Exited {
                    slot: self.job.slot,
                    code: None,
                    signal: Some(libc::SIGTERM),
                });
                return None;
            }
            match self.client.submit(&self.job) {
                Ok(id) => {
                    self.failures = 0;
                    let _ = self.tx.send(Event::Submitted {
                        slot: self.job.slot,
                        id: id.clone(),
                    });
                    return Some(id);
                }
                Err(e) => {
                    if !self.failed("submission", &e) {
                        return None;
                    }
                }
            }
        }
    }

    /// One poll: cancel if asked, read output, look at the state.
    fn step(&mut self, id: &str) -> Result<Step, Lost> {
        let wanted = self.wanted.load(Ordering::SeqCst);
        if wanted > self.sent {
            self.client
                .cancel(id, wanted == FORCE)
                .map_err(|e| Lost::Engine("cancel", e))?;
            self.sent = wanted;
        }
        self.pump(id, false);
        match self.client.poll(id) {
            Ok(JobState::Pending | JobState::Running) => Ok(Step::Again),
            Ok(JobState::Done { code, signal, note }) => {
                if let Some(n) = note.filter(|_| self.sent == RUN) {
                    self.note(format!(
                        "{}: {} says {n}",
                        self.job.name,
                        self.client.name()
                    ));
                }
                Ok(Step::Ended(code, signal))
            }
            Ok(JobState::Lost(why)) if self.sent == RUN => Err(Lost::Resubmit(why)),
            Ok(JobState::Lost(why)) => Ok(Step::Ended(None, None)).inspect(|_| {
                self.note(format!("{}: lost while cancelled ({why})", self.job.name));
            }),
            Err(e) if e.gone => {
                self.note(format!(
                    "{}: {} no longer knows job {id} ({})",
                    self.job.name,
                    self.client.name(),
                    e.msg
                ));
                Ok(Step::Ended(None, None))
            }
            Err(e) => Err(Lost::Engine("poll", e)),
        }
    }

    /// Reads what is new of the job's output and sends its metric points.
    /// `last`: the job ended, parse an unterminated last line too.
    fn pump(&mut self, id: &str, last: bool) {
        match self.client.output(id, last) {
            Ok(Output::Files) => {
                let out = self.out.read_new();
                let err = self.err.read_new();
                self.lines(&out, Which::Out, last);
                self.lines(&err, Which::Err, last);
            }
            Ok(Output::Fetched(all)) => {
                let bytes = all.as_bytes();
                let new = bytes.get(self.fetched..).unwrap_or_default().to_vec();
                if !new.is_empty() {
                    // The whole log each time: a reattached follower starts
                    // from 0 and must not append it twice.
                    let _ = std::fs::write(&self.out.path, bytes);
                    self.fetched = bytes.len();
                }
                self.lines(&new, Which::Out, last);
            }
            Err(_) => {}
        }
    }

    fn lines(&mut self, new: &[u8], which: Which, last: bool) {
        let slot = self.job.slot;
        let tail = match which {
            Which::Out => &mut self.out,
            Which::Err => &mut self.err,
        };
        tail.partial.extend_from_slice(new);
        let mut start = 0;
        while let Some(i) = tail.partial[start..].iter().position(|&b| b == b'\n') {
            send_points(
                &tail.partial[start..=start + i],
                slot,
                &self.tx,
                &self.tracker,
            );
            start += i + 1;
        }
        tail.partial.drain(..start);
        if tail.partial.len() > MAX_PARTIAL {
            // A line this long is logged, not parsed (as for local trials).
            tail.partial.clear();
        }
        if last && !tail.partial.is_empty() {
            send_points(&tail.partial, slot, &self.tx, &self.tracker);
            tail.partial.clear();
        }
    }
}

enum Which {
    Out,
    Err,
}

enum Lost {
    /// The engine lost the job: submit again.
    Resubmit(String),
    /// The engine failed at `what`: retry.
    Engine(&'static str, EngineError),
}
