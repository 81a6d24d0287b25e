//! One trial's process: its command line with `{name}` placeholders filled
//! in (inside their argument only: never through a shell), its environment
//! (`HP_<NAME>`, `HP_PARAMS_FILE`, `HP_TRIAL_DIR`, `CUDA_VISIBLE_DEVICES`),
//! its own process group, its output streamed to `stdout.log`/`stderr.log`
//! with metric lines parsed on the way (module `watch`: one reused thread per
//! running trial), and signals to its whole group.

mod watch;

use std::collections::BTreeSet;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::SyncSender;
use std::sync::Mutex;

use crate::trainer::Trial;
use crate::tune::metrics::MetricTracker;
use crate::tune::space::{env_var_of, format_value};

/// Longest line parsed for metrics; longer lines are logged, not parsed.
const MAX_METRIC_LINE: usize = 64 << 10;

/// What a trial's threads tell the runner.
#[derive(Debug)]
pub enum Event {
    /// A metric point from the output of the trial in `slot`.
    Metric {
        /// The runner's slot.
        slot: usize,
        /// Metric name.
        name: String,
        /// Step (explicit or counted).
        step: i64,
        /// Value.
        value: f64,
    },
    /// The trial in `slot` has exited and its output is all read.
    Exited {
        /// The runner's slot.
        slot: usize,
        /// Exit code, if it exited.
        code: Option<i32>,
        /// Terminating signal, if any.
        signal: Option<i32>,
    },
    /// A remote engine took the trial in `slot` as job `id`
    /// ([`crate::tune::engine`]).
    Submitted {
        /// The runner's slot.
        slot: usize,
        /// The engine's job id.
        id: String,
    },
    /// A remote engine's word about the trial in `slot` (a retried
    /// submission, an unreachable controller, a job submitted again).
    EngineNote {
        /// The runner's slot.
        slot: usize,
        /// One line.
        msg: String,
    },
    /// The engine kept failing: the trial in `slot` is given up on (not
    /// a failure of the trial; `--resume` runs it again).
    EngineFailed {
        /// The runner's slot.
        slot: usize,
        /// What failed.
        error: String,
    },
}

/// A `{...}` in an argument that names a placeholder: letters, digits, `_`,
/// `-`, `.`, `/`, starting with a letter or `_`. Anything else in braces (a
/// JSON literal, `{}`) stays as it is.
fn placeholder_name(inner: &str) -> bool {
    let mut chars = inner.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
}

/// Substitutes `{name}` in one argument (`{{` and `}}` are literal braces).
/// Returns the names it found that `lookup` does not know as `Err`.
fn substitute_arg(
    arg: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, Vec<String>> {
    let mut out = String::with_capacity(arg.len());
    let mut unknown = Vec::new();
    let mut rest = arg;
    while let Some(pos) = rest.find(['{', '}']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('{') {
            if let Some(end) = tail.find('}') {
                let inner = &tail[1..end];
                if placeholder_name(inner) {
                    match lookup(inner) {
                        Some(v) => out.push_str(&v),
                        None => unknown.push(inner.to_string()),
                    }
                    rest = &tail[end + 1..];
                    continue;
                }
            }
        }
        out.push_str(&tail[..1]);
        rest = &tail[1..];
    }
    out.push_str(rest);
    if unknown.is_empty() {
        Ok(out)
    } else {
        Err(unknown)
    }
}

/// Checks that every `{name}` in `command` is one of `names`; the error
/// names the unknown ones.
pub fn check_placeholders(command: &[String], names: &[&str]) -> Result<(), String> {
    let mut unknown = BTreeSet::new();
    let lookup = |n: &str| names.contains(&n).then(String::new);
    for arg in command {
        if let Err(u) = substitute_arg(arg, &lookup) {
            unknown.extend(u);
        }
    }
    if unknown.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = unknown.iter().map(|u| format!("{{{u}}}")).collect();
    Err(format!(
        "the command uses {} but no parameter has that name (parameters: {}); \
         write {{{{ and }}}} for literal braces",
        list.join(", "),
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    ))
}

/// The command of `trial`: each argument with its placeholders replaced by
/// the values ([`format_value`]). Unknown placeholders stay as written (the
/// runner checked them before starting).
pub fn command_for(command: &[String], trial: &Trial) -> Vec<String> {
    let lookup = |n: &str| trial.get(n).map(format_value);
    command
        .iter()
        .map(|a| substitute_arg(a, &lookup).unwrap_or_else(|_| a.clone()))
        .collect()
}

/// The environment a trial gets on top of the runner's.
pub fn trial_env(
    trial: &Trial,
    params_file: &Path,
    dir: &Path,
    gpus: Option<&str>,
) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = trial
        .iter()
        .map(|(k, v)| (env_var_of(k), format_value(v)))
        .collect();
    env.push(("HP_PARAMS_FILE".into(), params_file.display().to_string()));
    env.push(("HP_TRIAL_DIR".into(), dir.display().to_string()));
    if let Some(g) = gpus {
        env.push(("CUDA_VISIBLE_DEVICES".into(), g.to_string()));
    }
    env
}

/// A started trial process.
#[derive(Debug)]
pub struct Process {
    /// Its pid, which is also its process group id.
    pub pid: u32,
}

impl Process {
    /// Sends `sig` to the trial's whole process group.
    pub fn signal(&self, sig: i32) {
        signal_group(self.pid, sig);
    }
}

/// Sends `sig` to process group `pgid` (never to groups 0 or 1, which
/// would mean the runner's own group or every process).
pub fn signal_group(pgid: u32, sig: i32) {
    if pgid > 1 && pgid <= i32::MAX as u32 {
        // SAFETY: kill(2) has no memory effects; a vanished group is ESRCH.
        unsafe {
            libc::kill(-(pgid as i32), sig);
        }
    }
}

/// Spawns `argv` with `env` in its own process group, output to
/// `dir/stdout.log` and `dir/stderr.log`, metric points and the exit sent
/// to `tx` tagged with `slot` (by a pool thread, module `watch`).
pub fn spawn(
    argv: &[String],
    env: &[(String, String)],
    dir: &Path,
    slot: usize,
    tx: &SyncSender<Event>,
) -> std::io::Result<Process> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| std::io::Error::other("empty command"))?;
    let out_log = File::create(dir.join("stdout.log"))?;
    let err_log = File::create(dir.join("stderr.log"))?;
    let child = Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    let pid = child.id();
    let tx = tx.clone();
    // The watcher is detached: it ends by sending `Exited`, which the
    // runner waits for.
    watch::run_detached(Box::new(move || {
        watch::watch(child, (out_log, err_log), slot, &tx)
    }))
    .inspect_err(|_| signal_group(pid, libc::SIGKILL))?;
    Ok(Process { pid })
}

/// Sends the metric points of one output line (also used by the remote
/// engines' followers, [`crate::tune::engine`]).
pub(crate) fn send_points(
    line: &[u8],
    slot: usize,
    tx: &SyncSender<Event>,
    tracker: &Mutex<MetricTracker>,
) {
    let text = String::from_utf8_lossy(line);
    let text = text.trim_end_matches(['\n', '\r']);
    let points = match tracker.lock() {
        Ok(mut t) => t.observe_line(text),
        Err(_) => return,
    };
    for (name, step, value) in points {
        let _ = tx.send(Event::Metric {
            slot,
            name,
            step,
            value,
        });
    }
}

/// Writes the trial's values as a JSON object to `path`.
pub fn write_params(path: &Path, trial: &Trial) -> std::io::Result<()> {
    let map = crate::tune::journal::trial_to_json(trial);
    let text = serde_json::to_vec_pretty(&map).map_err(std::io::Error::other)?;
    std::fs::write(path, text)
}

/// `argv` as one line a POSIX shell would read back as the same words.
pub fn shell_line(argv: &[String]) -> String {
    argv.iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

fn shell_quote(a: &str) -> String {
    let plain = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', "'\\''"))
    }
}

/// Where a trial's files are: `DIR/<session>/`.
pub fn trial_paths(root: &Path, dir: &str) -> (PathBuf, PathBuf) {
    let d = root.join(dir);
    let params = d.join("params.json");
    (d, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn placeholders_substitute_inside_one_argument() {
        let t = Trial::new()
            .with("lr", 0.01)
            .with("opt", "x; rm -rf ~")
            .with("n", 3);
        let cmd = words(&[
            "python",
            "--lr={lr}",
            "{opt}",
            "{n}{n}",
            "{\"a\": 1}",
            "{{lr}}",
            "{}",
        ]);
        assert_eq!(
            command_for(&cmd, &t),
            words(&[
                "python",
                "--lr=0.01",
                "x; rm -rf ~",
                "33",
                "{\"a\": 1}",
                "{lr}",
                "{}"
            ])
        );
    }

    #[test]
    fn unknown_placeholders_are_named() {
        let cmd = words(&["run", "--a={a}", "--b={bee}"]);
        let err = check_placeholders(&cmd, &["a"]).unwrap_err();
        assert!(err.contains("{bee}") && !err.contains("{a},"), "{err}");
        assert!(check_placeholders(&cmd, &["a", "bee"]).is_ok());
    }

    #[test]
    fn env_names_and_quoting() {
        assert_eq!(env_var_of("val/lr-rate"), "HP_VAL_LR_RATE");
        assert_eq!(
            shell_line(&words(&["a b", "it's", "x=1"])),
            "'a b' 'it'\\''s' x=1"
        );
    }
}
