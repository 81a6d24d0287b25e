//! Following a logdir that is still being written.
//!
//! [`Follower`] reads a logdir the way [`crate::logdir::load`] does, then on
//! each [`Follower::poll`] reads only what is new: records appended to known
//! files, new files and new runs. It keeps, per file, the offset where it
//! stopped; a partial record at the end of a file is "not written yet" (no
//! warning), and is read on a later poll once it is complete. The runs'
//! series and hparams are updated in place and the hparams model (experiment,
//! sessions, groups) is rebuilt whenever something changed, so
//! [`Follower::logdir`] always looks like a fresh [`crate::logdir::load`] of
//! the records written so far. (One exception, on crafted files only: a
//! reader reopened at an offset starts with a fresh resync credit, see
//! `record::RecordReader`, so after a damaged header in a file built to
//! exhaust that credit it may skip differently than a fresh load.)
//!
//! Memory: no file is held open between polls (a logdir can have thousands);
//! each poll lists the logdir once, stats every known file (an object
//! store's listing gives the sizes, so there it costs nothing more) and opens
//! only those that grew, from where reading stopped. Files are
//! read in name order within a run, as by `load`; if several files of one run
//! grow at once, their points are appended per poll in that order, which can
//! differ from a later fresh load's order (the last point of a series is then
//! the last one read, as in TensorBoard).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::event::EventFileReader;
use crate::logdir::error::LoadError;
use crate::logdir::load::{in_pool, reading_pool, LoadOptions, Logdir};
use crate::logdir::model::ExperimentView;
use crate::logdir::run::{RunData, RunReader};
use crate::logdir::scan::RunFiles;
use crate::logdir::source::{EventFile, LocalDir, Source};
use crate::logdir::Warning;
use crate::record::RecordError;

/// Where reading one file stopped.
#[derive(Debug)]
struct FileState {
    /// The file, with its size in the latest listing (if the listing has
    /// sizes and the file was in it).
    file: EventFile,
    /// Offset of the next unread record.
    offset: u64,
    /// File size at the last read: an unchanged size is not read again.
    seen_len: Option<u64>,
    /// A problem with the file as a whole (cannot open, got shorter) was
    /// reported and has not gone away.
    reported: bool,
}

/// One run being followed.
struct FollowedRun {
    reader: RunReader,
    files: Vec<FileState>,
}

impl FollowedRun {
    /// Reads what is new in every file; returns (events read, whether any
    /// file changed size, warnings).
    fn poll(&mut self, source: &dyn Source, opts: &LoadOptions) -> (u64, bool, Vec<Warning>) {
        let mut warnings = Vec::new();
        let mut touched = false;
        let events_before = self.reader.events();
        for f in &mut self.files {
            let listed = f.file.size.take();
            let len = match listed.map_or_else(|| source.size(&f.file.path), Ok) {
                Ok(len) => len,
                Err(e) => {
                    if !f.reported {
                        f.reported = true;
                        warnings.push(Warning::file(
                            f.file.path.clone(),
                            format!("cannot read: {e} (retried on later polls)"),
                        ));
                    }
                    continue;
                }
            };
            if Some(len) == f.seen_len {
                continue;
            }
            touched = true;
            if len < f.offset {
                if !f.reported {
                    f.reported = true;
                    warnings.push(Warning::file(
                        f.file.path.clone(),
                        format!(
                            "file shrank to {len} bytes after {} were read (truncated or \
                             replaced?): not read again until it grows past that",
                            f.offset
                        ),
                    ));
                }
                f.seen_len = Some(len);
                continue;
            }
            let at = EventFile {
                path: f.file.path.clone(),
                size: Some(len),
            };
            let src = match source.open(&at, f.offset) {
                Ok(src) => src,
                Err(e) => {
                    if !f.reported {
                        f.reported = true;
                        warnings.push(Warning::file(
                            f.file.path.clone(),
                            format!("cannot open: {e}"),
                        ));
                    }
                    continue;
                }
            };
            let mut reader = EventFileReader::resume(f.file.path.clone(), src, f.offset);
            f.reported = false;
            // A partial record at the end is simply not written yet: the
            // offset stays at its start and the next poll reads it again.
            let _tail: Option<RecordError> =
                self.reader.read(&mut reader, &opts.series, &mut warnings);
            f.offset = reader.offset();
            f.seen_len = Some(len);
        }
        (self.reader.events() - events_before, touched, warnings)
    }

    fn snapshot(&self, name: &str) -> RunData {
        let files: Vec<PathBuf> = self.files.iter().map(|f| f.file.path.clone()).collect();
        let tails: Vec<(PathBuf, u64)> = self
            .files
            .iter()
            .filter(|f| f.seen_len.is_some_and(|len| len > f.offset))
            .map(|f| (f.file.path.clone(), f.offset))
            .collect();
        self.reader.snapshot(name, &files, &tails)
    }
}

/// What one [`Follower::poll`] found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PollUpdate {
    /// Whether anything changed: a file grew, a run appeared or a problem
    /// was found (if not, [`Follower::logdir`] is unchanged).
    pub changed: bool,
    /// Events read in this poll.
    pub new_events: u64,
    /// Runs seen for the first time, by name.
    pub new_runs: Vec<String>,
    /// Event files seen for the first time.
    pub new_files: usize,
    /// Problems found in this poll (also appended to the logdir's warnings).
    /// Each problem is reported once, not on every poll.
    pub warnings: Vec<Warning>,
}

/// Reads a logdir incrementally, poll by poll: each [`Follower::poll`] reads
/// what was written since the last one, and [`Follower::logdir`] is then what
/// a fresh [`crate::logdir::load`] of the records written so far would give.
///
/// ```no_run
/// use hp_report::logdir::{Follower, LoadOptions};
/// # fn main() -> Result<(), hp_report::logdir::LoadError> {
/// let mut follower = Follower::new("logs", &LoadOptions::default())?;
/// loop {
///     let update = follower.poll();
///     for w in &update.warnings {
///         eprintln!("warning: {w}");
///     }
///     if update.changed {
///         println!("{} sessions", follower.logdir().sessions.len());
///     }
///     std::thread::sleep(std::time::Duration::from_secs(2));
/// }
/// # }
/// ```
pub struct Follower {
    source: Box<dyn Source>,
    /// Threads for a source that reads wider than one per core.
    pool: Option<rayon::ThreadPool>,
    opts: LoadOptions,
    runs: BTreeMap<String, FollowedRun>,
    /// Warnings about files and directories (without the model's notes).
    file_warnings: Vec<Warning>,
    /// Walk problems already reported (symlink loops, unreadable dirs).
    walk_seen: HashSet<(PathBuf, String)>,
    logdir: Logdir,
}

impl std::fmt::Debug for Follower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follower")
            .field("root", &self.logdir.root)
            .field("runs", &self.runs.len())
            .finish_non_exhaustive()
    }
}

impl Follower {
    /// A follower of the local directory `root`. Nothing is read until the
    /// first [`Follower::poll`]; the errors are those of
    /// [`crate::logdir::load`].
    pub fn new(root: impl AsRef<Path>, opts: &LoadOptions) -> Result<Self, LoadError> {
        Self::with_source(Box::new(LocalDir::new(root.as_ref())), opts)
    }

    /// A follower of any [`Source`] (see [`crate::logdir::source::open`]).
    pub fn with_source(source: Box<dyn Source>, opts: &LoadOptions) -> Result<Self, LoadError> {
        source.check()?;
        let root = source.root().to_path_buf();
        Ok(Follower {
            pool: reading_pool(source.as_ref()),
            source,
            opts: *opts,
            runs: BTreeMap::new(),
            file_warnings: Vec::new(),
            walk_seen: HashSet::new(),
            logdir: Logdir {
                root,
                runs: BTreeMap::new(),
                experiment: ExperimentView::default(),
                sessions: Vec::new(),
                warnings: Vec::new(),
            },
        })
    }

    /// The logdir as read so far: runs, experiment, sessions, and every
    /// warning reported by the polls so far.
    pub fn logdir(&self) -> &Logdir {
        &self.logdir
    }

    /// Takes the logdir as read so far, ending the follow.
    pub fn into_logdir(self) -> Logdir {
        self.logdir
    }

    /// Looks for new runs, files and records and reads them. A logdir that
    /// cannot be listed this time (an object store that is down) is a
    /// warning, said once until it is readable again; the next poll tries
    /// again.
    pub fn poll(&mut self) -> PollUpdate {
        match self.try_poll() {
            Ok(update) => update,
            Err(e) => {
                let w = Warning::file(
                    self.logdir.root.clone(),
                    format!("cannot list: {e} (retried on later polls)"),
                );
                let mut update = PollUpdate::default();
                if self.walk_seen.insert((w.path.clone(), w.what.clone())) {
                    update.changed = true;
                    update.warnings.push(w);
                    self.file_warnings.extend(update.warnings.iter().cloned());
                    self.logdir.warnings.extend(update.warnings.iter().cloned());
                }
                update
            }
        }
    }

    /// Like [`Follower::poll`], but a logdir that cannot be listed at all
    /// is an error (for a first poll that should fail loudly: a wrong
    /// bucket, denied credentials).
    pub fn try_poll(&mut self) -> Result<PollUpdate, LoadError> {
        let mut update = PollUpdate::default();
        let mut walk_warnings = Vec::new();
        let found = self.source.discover(&mut walk_warnings)?;
        for w in walk_warnings {
            if self.walk_seen.insert((w.path.clone(), w.what.clone())) {
                update.warnings.push(w);
            }
        }
        self.add_files(found, &mut update);
        let changed_runs = self.read_new(&mut update);
        update.changed = !changed_runs.is_empty() || !update.warnings.is_empty();
        for name in changed_runs {
            if let Some(run) = self.runs.get(&name) {
                self.logdir.runs.insert(name.clone(), run.snapshot(&name));
            }
        }
        self.file_warnings.extend(update.warnings.iter().cloned());
        if update.changed {
            let (experiment, sessions, notes) = crate::logdir::load::view_of(&self.logdir.runs);
            self.logdir.experiment = experiment;
            self.logdir.sessions = sessions;
            self.logdir.warnings = self.file_warnings.clone();
            self.logdir.warnings.extend(notes);
        }
        Ok(update)
    }

    /// Takes in this poll's listing: new runs and files, and the sizes the
    /// listing gives for known files.
    fn add_files(&mut self, found: Vec<RunFiles>, update: &mut PollUpdate) {
        for rf in found {
            let run = self.runs.entry(rf.name.clone()).or_insert_with(|| {
                update.new_runs.push(rf.name.clone());
                FollowedRun {
                    reader: RunReader::new(),
                    files: Vec::new(),
                }
            });
            // A map, not a scan per file: a run can hold thousands of files.
            let known: HashMap<&Path, usize> = run
                .files
                .iter()
                .enumerate()
                .map(|(i, f)| (f.file.path.as_path(), i))
                .collect();
            let mut sizes = Vec::new();
            let mut new = Vec::new();
            for f in rf.files {
                match known.get(f.path.as_path()) {
                    Some(&i) => sizes.push((i, f.size)),
                    None => new.push(f),
                }
            }
            drop(known);
            for (i, size) in sizes {
                run.files[i].file.size = size;
            }
            if new.is_empty() {
                continue;
            }
            update.new_files += new.len();
            run.files.extend(new.into_iter().map(|file| FileState {
                file,
                offset: 0,
                seen_len: None,
                reported: false,
            }));
            // Read order is name order, as `load` reads them.
            run.files
                .sort_by(|a, b| a.file.path.file_name().cmp(&b.file.path.file_name()));
        }
    }

    /// Reads what is new in every run; returns the runs that changed.
    fn read_new(&mut self, update: &mut PollUpdate) -> Vec<String> {
        let opts = self.opts;
        let source = self.source.as_ref();
        let runs = &mut self.runs;
        let polled: Vec<(&String, u64, bool, Vec<Warning>)> = in_pool(self.pool.as_ref(), || {
            runs.par_iter_mut()
                .map(|(name, run)| {
                    let (events, touched, warnings) = run.poll(source, &opts);
                    (name, events, touched, warnings)
                })
                .collect()
        });
        let mut changed_runs = Vec::new();
        for (name, events, touched, warnings) in polled {
            update.new_events += events;
            if touched || update.new_runs.contains(name) {
                changed_runs.push(name.clone());
            }
            update.warnings.extend(warnings);
        }
        changed_runs
    }
}
