//! Loading a logdir: discovery, then every run read in parallel.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::logdir::error::LoadError;
use crate::logdir::model::{self, ExperimentView, Session};
use crate::logdir::run::{read_run, RunData};
use crate::logdir::scan::RunFiles;
use crate::logdir::series::SeriesOptions;
use crate::logdir::source::{LocalDir, Source};
use crate::logdir::Warning;

/// What to keep while reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Per-series extras (curves, tails, a step).
    pub series: SeriesOptions,
}

/// A loaded logdir: every run's data, and what TensorBoard's hparams view
/// makes of it.
#[derive(Clone, Debug)]
pub struct Logdir {
    /// The directory given.
    pub root: PathBuf,
    /// Runs by name.
    pub runs: BTreeMap<String, RunData>,
    /// The experiment (explicit or inferred).
    pub experiment: ExperimentView,
    /// Sessions sorted by name.
    pub sessions: Vec<Session>,
    /// Problems found, in the order found per run.
    pub warnings: Vec<Warning>,
}

impl Logdir {
    /// Event files read.
    pub fn file_count(&self) -> usize {
        self.runs.values().map(|r| r.files.len()).sum()
    }

    /// Events read.
    pub fn event_count(&self) -> u64 {
        self.runs.values().map(|r| r.events).sum()
    }

    /// Bytes read.
    pub fn byte_count(&self) -> u64 {
        self.runs.values().map(|r| r.bytes).sum()
    }

    /// Frees what was read per run once the sessions are built (`runs`
    /// becomes empty; the sessions keep their series, which they share with
    /// the runs), for a caller that needs only the experiment, the sessions
    /// and the warnings, as the ranked table does. On a logdir of 10,000
    /// short sessions the runs' own data (file lists, hparams records, tag
    /// names) is about a third of what a load keeps.
    pub fn release_runs(&mut self) {
        self.runs = BTreeMap::new();
    }

    /// The session called `name`.
    pub fn session(&self, name: &str) -> Option<&Session> {
        self.sessions
            .binary_search_by(|s| s.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.sessions[i])
    }
}

/// Loads `root` with `opts`.
pub fn load(root: impl AsRef<Path>, opts: &LoadOptions) -> Result<Logdir, LoadError> {
    load_with_progress(root, opts, &|_, _| {})
}

/// Like [`load`], calling `progress(runs_done, runs_total)` as runs finish
/// (from worker threads).
pub fn load_with_progress(
    root: impl AsRef<Path>,
    opts: &LoadOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Logdir, LoadError> {
    load_source(&LocalDir::new(root.as_ref()), opts, progress)
}

/// Like [`load_with_progress`], reading from any [`Source`] (a local
/// directory, a bucket prefix: see [`crate::logdir::source::open`]).
pub fn load_source(
    source: &dyn Source,
    opts: &LoadOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Logdir, LoadError> {
    source.check()?;
    let mut warnings = Vec::new();
    let found = source.discover(&mut warnings)?;
    let total = found.len();
    let done = AtomicUsize::new(0);
    let pool = reading_pool(source);
    let mut runs: BTreeMap<String, RunData> = BTreeMap::new();
    let mut found = found.into_iter().peekable();
    while found.peek().is_some() {
        let chunk: Vec<RunFiles> = found.by_ref().take(RUNS_PER_CHUNK).collect();
        let read_chunk = || -> (Vec<(String, RunData)>, Vec<Vec<Warning>>) {
            chunk
                .into_par_iter()
                .map(|rf| {
                    let mut w = Vec::new();
                    let data = read_run(source, rf.name, rf.files, &opts.series, &mut w);
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                    ((data.name.clone(), data), w)
                })
                .unzip()
        };
        let (read, w) = in_pool(pool.as_ref(), read_chunk);
        warnings.extend(w.into_iter().flatten());
        // Collected, not inserted one by one: a B-tree built from an
        // iterator fills its nodes, one built by inserts in key order leaves
        // them half empty (30,000 runs of 10,000 sessions: 12 MB against
        // 6). Chunk by chunk, so that the vector and the sort's scratch
        // space a collect needs stay small next to the tree (`append`
        // merges without either).
        let mut part: BTreeMap<String, RunData> = read.into_iter().collect();
        runs.append(&mut part);
    }
    let (experiment, sessions, notes) = view_of(&runs);
    warnings.extend(notes);
    Ok(Logdir {
        root: source.root().to_path_buf(),
        runs,
        experiment,
        sessions,
        warnings,
    })
}

/// The experiment and its rows: TensorBoard's hparams sessions, or when
/// the logdir has none (its HPARAMS tab is empty; `diagnose` says why) its
/// runs as rows.
pub(crate) fn view_of(
    runs: &BTreeMap<String, RunData>,
) -> (ExperimentView, Vec<Session>, Vec<Warning>) {
    model::build(runs).unwrap_or_else(|| crate::logdir::runs::build(runs))
}

/// Runs read before their data joins the map of all runs (see
/// [`load_source`]).
const RUNS_PER_CHUNK: usize = 4096;

/// A thread pool as wide as `source` wants to read, if it wants other
/// than one thread per core (a remote source waits on the network).
pub(crate) fn reading_pool(source: &dyn Source) -> Option<rayon::ThreadPool> {
    let n = source.parallelism()?;
    rayon::ThreadPoolBuilder::new().num_threads(n).build().ok()
}

/// Runs `f` in `pool` if there is one, else in the global pool.
pub(crate) fn in_pool<T: Send>(
    pool: Option<&rayon::ThreadPool>,
    f: impl FnOnce() -> T + Send,
) -> T {
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}
