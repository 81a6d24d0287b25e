//! Reading an experiment directory, running or finished: `tune status`
//! (counts by state, what runs, the best, why it ended) and `tune best`
//! (rebuilding a lost journal is the runner's, in `runner/rebuild.rs`).
//!
//! Both read only `tune.json` and `trials.jsonl` (one pass, no event file),
//! so 10,000 trials take a few milliseconds.

use std::collections::BTreeMap;
use std::path::Path;

use crate::tune::journal::{self, Attempt, History, Spec, State};
use crate::tune::trial::shell_line;

/// An experiment read from its directory.
#[derive(Debug)]
pub struct Experiment {
    /// `tune.json`.
    pub spec: Spec,
    /// The journal, folded.
    pub history: History,
    /// Whether a runner holds the experiment now.
    pub runner_alive: bool,
}

impl Experiment {
    /// Reads `dir`.
    pub fn read(dir: &Path) -> Result<Self, String> {
        let spec = journal::read_spec(dir)?;
        let history = journal::history(dir)
            .map_err(|e| format!("{}: {e}", dir.join(journal::JOURNAL_FILE).display()))?;
        Ok(Experiment {
            spec,
            history,
            runner_alive: runner_alive(dir),
        })
    }

    /// The latest attempt of each trial with its state (`None`: running, or
    /// interrupted if no runner is alive).
    pub fn latest(&self) -> impl Iterator<Item = (u64, &Attempt, Option<State>)> {
        let alive = self.runner_alive;
        self.history.latest().map(move |(i, a)| {
            let state = match &a.end {
                Some(e) => Some(e.state),
                None if alive => None,
                None => Some(State::Interrupted),
            };
            (i, a, state)
        })
    }

    /// The best succeeded trial by the objective (NaN never best).
    pub fn best(&self) -> Option<(u64, &Attempt, f64)> {
        let minimize = self.spec.minimize;
        self.latest()
            .filter(|(_, _, s)| *s == Some(State::Succeeded))
            .filter_map(|(i, a, _)| {
                let v = a.end.as_ref()?.objective?;
                (!v.is_nan()).then_some((i, a, v))
            })
            .fold(None, |best: Option<(u64, &Attempt, f64)>, cur| match best {
                Some(b) if (minimize && b.2 <= cur.2) || (!minimize && b.2 >= cur.2) => Some(b),
                _ => Some(cur),
            })
    }
}

/// Whether a runner holds the experiment's lock.
fn runner_alive(dir: &Path) -> bool {
    use std::os::fd::AsRawFd;
    let Ok(f) = std::fs::File::open(dir.join(".tune.lock")) else {
        return false;
    };
    // SAFETY: flock on a descriptor we own; the lock is released with it.
    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) };
    r != 0
}

/// A compact `name=value` list of a trial's parameters.
fn params_line(params: &BTreeMap<String, serde_json::Value>) -> String {
    params
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The last non-empty line of a trial's `stderr.log` (read from its last
/// 4 KiB), shortened to 200 characters.
fn stderr_tail(trial_dir: &Path) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(trial_dir.join("stderr.log")).ok()?;
    let len = f.metadata().ok()?.len();
    f.seek(SeekFrom::Start(len.saturating_sub(4096))).ok()?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf);
    let line = text.lines().rev().map(str::trim).find(|l| !l.is_empty())?;
    let short: String = line.chars().filter(|c| !c.is_control()).take(200).collect();
    Some(short)
}

/// The text `tune status DIR` prints.
pub fn status_text(dir: &Path, e: &Experiment) -> String {
    let s = &e.spec;
    let mut out = format!(
        "experiment {}: {} trials planned ({}, seed {}), objective {} ({}, {})\n",
        dir.display(),
        s.max_trials,
        s.method,
        s.seed,
        s.objective,
        if s.minimize { "min" } else { "max" },
        s.strategy
    );
    out += &format!("state: {}\n", state_line(e));
    out += &trials_text(dir, e);
    out += &decisions_text(e);
    out += &lineage_text(e);
    match e.best() {
        Some((_, a, v)) => {
            out += &format!(
                "best: {} {}={v} ({})\n",
                a.dir,
                s.objective,
                params_line(&a.params)
            )
        }
        None => out += "best: none yet\n",
    }
    if e.history.bad_lines > 0 {
        out += &format!(
            "warning: {} unreadable lines in {}\n",
            e.history.bad_lines,
            journal::JOURNAL_FILE
        );
    }
    out
}

/// Whether the experiment runs, ended (and why) or was interrupted.
fn state_line(e: &Experiment) -> String {
    if e.runner_alive {
        format!("running (runner pid {})", e.history.runner_pid.unwrap_or(0))
    } else if let Some(r) = &e.history.finished {
        format!("ended: {r}")
    } else {
        "interrupted (no runner): continue with `hp-report tune --logdir DIR --resume`".into()
    }
}

/// The count of trials per state, the running trials, and the last
/// failed or killed ones with how they ended and their stderr's last line.
fn trials_text(dir: &Path, e: &Experiment) -> String {
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    let mut running = Vec::new();
    let mut failures = Vec::new();
    for (i, a, state) in e.latest() {
        match state {
            None => running.push(a),
            Some(st) => {
                *counts.entry(st.as_str()).or_default() += 1;
                if st.is_failure() || st == State::Killed {
                    failures.push((i, a, st));
                }
            }
        }
    }
    let started = e.history.trials.len() as u64;
    let mut parts: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    parts.push(format!("running {}", running.len()));
    parts.push(format!(
        "not started {}",
        e.spec.max_trials.saturating_sub(started)
    ));
    let mut out = format!("trials: {}\n", parts.join(", "));
    for a in running {
        out += &format!("  running {} ({})\n", a.dir, params_line(&a.params));
    }
    const SHOWN: usize = 10;
    for (_, a, st) in failures.iter().rev().take(SHOWN).rev() {
        let how = a.end.as_ref().map_or(String::new(), |end| {
            match (end.exit_code, end.signal, &end.error) {
                (_, _, Some(err)) => format!(": {err}"),
                (Some(c), _, _) if c != 0 => format!(": exit {c}"),
                (_, Some(sig), _) => format!(": {}", crate::tune::signal_name(sig)),
                _ => String::new(),
            }
        });
        out += &format!(
            "  {} {}{how} ({})\n",
            st.as_str(),
            a.dir,
            params_line(&a.params)
        );
        if let Some(tail) = stderr_tail(&dir.join(&a.dir)) {
            out += &format!("      stderr: {tail}\n");
        }
    }
    if failures.len() > SHOWN {
        out += &format!("  … and {} more not succeeded\n", failures.len() - SHOWN);
    }
    out
}

/// The `--early-stop` rule and its last decisions (stops first, then the
/// latest continues), for `tune status`.
fn decisions_text(e: &Experiment) -> String {
    let Some(rule) = &e.spec.early_stop else {
        return String::new();
    };
    let d = &e.history.decisions;
    let stops = d.iter().filter(|x| x.decision == "stop").count();
    let mut out = format!("early stop: {rule}, {} decisions, {stops} stops\n", d.len());
    const SHOWN: usize = 5;
    for x in d.iter().rev().take(SHOWN).rev() {
        out += &format!(
            "  {} {} at step {}: {}\n",
            x.decision,
            journal::attempt_dir(x.trial, x.attempt),
            x.step,
            x.why
        );
    }
    out
}

/// `--method pbt`: the generations, the best objective in each, and the
/// latest exploits (who copied whom, what exploring changed).
fn lineage_text(e: &Experiment) -> String {
    let Some(p) = e.spec.population.filter(|p| *p > 0) else {
        return String::new();
    };
    let generations = e.spec.max_trials.div_ceil(p);
    let mut best: BTreeMap<u64, f64> = BTreeMap::new();
    for (i, a, state) in e.latest() {
        let Some(v) = a.end.as_ref().and_then(|end| end.objective) else {
            continue;
        };
        if state != Some(State::Succeeded) || v.is_nan() {
            continue;
        }
        let b = best.entry(i / p).or_insert(v);
        if (e.spec.minimize && v < *b) || (!e.spec.minimize && v > *b) {
            *b = v;
        }
    }
    let current = e.history.lineage.values().map(|l| l.generation + 1).max();
    let current = current.unwrap_or(0);
    // The latest generations only: a long run's line stays one line.
    const GENERATIONS_SHOWN: u64 = 12;
    let first = current.saturating_sub(GENERATIONS_SHOWN);
    let mut per_gen: Vec<String> = (first..current)
        .map(|g| best.get(&g).map_or("-".into(), |v| format!("{v:.6}")))
        .collect();
    if first > 0 {
        per_gen.insert(0, format!("({first} earlier) …"));
    }
    let mut out = format!(
        "pbt: population {p}, generation {current} of {generations}; best per generation: {}\n",
        if per_gen.is_empty() {
            "none yet".into()
        } else {
            per_gen.join(" ")
        }
    );
    let exploits: Vec<(u64, &journal::Lineage)> = e
        .history
        .lineage
        .iter()
        .filter(|(_, l)| l.exploit)
        .map(|(&i, l)| (i, l))
        .collect();
    const SHOWN: usize = 6;
    for (i, l) in exploits.iter().rev().take(SHOWN).rev() {
        let dir = |t: u64| {
            e.history
                .trials
                .get(&t)
                .and_then(|a| a.last())
                .map_or_else(|| journal::attempt_dir(t, 1), |a| a.dir.clone())
        };
        let parent = l.parent.map_or("-".into(), dir);
        out += &format!(
            "  {} <- {parent} (exploit; {})\n",
            dir(*i),
            if l.explore.is_empty() {
                "unchanged".into()
            } else {
                l.explore.join(", ")
            }
        );
    }
    out
}

/// The best trial as JSON (`tune best --format json`).
pub fn best_json(e: &Experiment) -> Option<serde_json::Value> {
    let (i, a, v) = e.best()?;
    Some(serde_json::json!({
        "trial": i,
        "dir": a.dir,
        "objective_name": e.spec.objective,
        "objective": v,
        "params": a.params,
        "command": a.argv,
    }))
}

/// The best trial as text: directory, objective, parameters, command line.
pub fn best_text(e: &Experiment) -> Option<String> {
    let (_, a, v) = e.best()?;
    Some(format!(
        "best: {} {}={v}\nparams: {}\ncommand: {}\n",
        a.dir,
        e.spec.objective,
        params_line(&a.params),
        shell_line(&a.argv)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tune::journal::Lineage;

    /// A PBT run of 200 generations prints its latest 12, on one line.
    #[test]
    fn a_long_pbt_run_shows_its_latest_generations() {
        let spec: Spec = serde_json::from_value(serde_json::json!({
            "params": [], "fingerprint": "", "method": "pbt", "population": 2,
            "seed": 0, "max_trials": 400, "objective": "loss", "minimize": true,
            "strategy": "last", "command": ["train"], "created": 0.0,
        }))
        .expect("a valid spec");
        let mut history = History::default();
        for i in 0..400 {
            let l = Lineage {
                generation: i / 2,
                member: i % 2,
                parent: None,
                exploit: false,
                explore: Vec::new(),
            };
            history.lineage.insert(i, l);
        }
        let e = Experiment {
            spec,
            history,
            runner_alive: false,
        };
        let text = lineage_text(&e);
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(
            text.starts_with(
                "pbt: population 2, generation 200 of 200; best per generation: (188 earlier) … -"
            ),
            "{text}"
        );
        assert_eq!(text.matches(" -").count(), 12, "{text}");
    }
}
