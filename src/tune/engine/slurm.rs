//! `--backend slurm`: one `sbatch` job per trial, followed with `scontrol`,
//! cancelled with `scancel` (runner-notes Part A §3.2 has the observed CLI
//! contract).
//!
//! # How the command reaches the job without a shell interpreting it
//!
//! `sbatch` runs a *script*, so some shell is unavoidable; what matters is
//! that it interprets nothing. The job script written to
//! `TRIAL_DIR/job.sh` is `#!/bin/sh` and one line, `exec` followed by every
//! argument in single quotes. Inside POSIX single quotes no character is
//! special (no `$`, backquote, glob or backslash expansion, newlines
//! included); a `'` itself is written `'\''` (end the quote, an escaped
//! quote, open again). So the trial gets exactly the argv of a local run,
//! and `exec` leaves no shell process behind. `--wrap` would do the same
//! through `sh -c` with the same quoting, but the script file stays in the
//! trial directory as the record of what ran.
//!
//! The environment (`HP_<NAME>`, `HP_TRIAL_DIR`, ...) is not written into
//! the script: it is set on the `sbatch` process, and sbatch's default
//! `--export=ALL` carries it into the job (an `--export=` list would split
//! values at commas).
//!
//! The job's stdout and stderr go to `stdout.log` and `stderr.log` in the
//! trial directory (`--output`, `--error`), so the trial directory must be
//! on a filesystem the compute nodes share; the follower tails both files.
//!
//! States come from `scontrol show job -o ID` (finished jobs stay there for
//! `MinJobAge`, 300 s by default; `sacct` needs slurmdbd, which many small
//! clusters do not run).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{EngineError, JobSpec, JobState, Output, Remote};
use crate::tune::trial::shell_line;

/// `--backend slurm` options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SlurmOptions {
    /// Extra `sbatch` options, each one argument (`--partition=gpu`).
    pub sbatch_args: Vec<String>,
    /// Between state polls (default 1 s).
    pub poll: Option<Duration>,
    /// Engine failures in a row before giving up (default [`super::RETRIES`]).
    pub retries: Option<u32>,
}

/// The Slurm client: the `sbatch`, `scontrol` and `scancel` commands.
pub struct Slurm {
    opts: SlurmOptions,
}

impl Slurm {
    /// A client with `opts`.
    pub fn new(opts: SlurmOptions) -> Self {
        Slurm { opts }
    }
}

/// The job script: `exec` and every argument single-quoted (module doc).
pub fn job_script(argv: &[String]) -> String {
    let quoted: Vec<String> = argv.iter().map(|a| single_quote(a)).collect();
    format!(
        "#!/bin/sh\n# hp-report tune: the trial's command, every argument quoted \
         literally\nexec {}\n",
        quoted.join(" ")
    )
}

fn single_quote(a: &str) -> String {
    format!("'{}'", a.replace('\'', "'\\''"))
}

/// The `sbatch` argv for `job` (the script path last).
pub fn sbatch_argv(job: &JobSpec, extra: &[String]) -> Vec<String> {
    let d = &job.dir;
    let mut argv = vec![
        "sbatch".to_string(),
        "--parsable".into(),
        format!("--job-name={}", job.name),
        format!("--output={}", d.join("stdout.log").display()),
        format!("--error={}", d.join("stderr.log").display()),
    ];
    argv.extend(extra.iter().cloned());
    argv.push(d.join("job.sh").display().to_string());
    argv
}

/// Runs a Slurm command; its stdout, or an error with its stderr.
fn run(argv: &[String], env: &[(String, String)]) -> Result<String, EngineError> {
    let out = Command::new(&argv[0])
        .args(&argv[1..])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| EngineError::transient(format!("cannot run {}: {e}", argv[0])))?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    Err(EngineError {
        msg: format!("`{}` failed: {}", shell_line(argv), line.trim()),
        gone: err.contains("Invalid job id"),
    })
}

impl Remote for Slurm {
    fn name(&self) -> &'static str {
        "slurm"
    }

    fn submit(&mut self, job: &JobSpec) -> Result<String, EngineError> {
        let script = job.dir.join("job.sh");
        std::fs::File::create(&script)
            .and_then(|mut f| f.write_all(job_script(&job.argv).as_bytes()))
            .map_err(|e| EngineError::transient(format!("{}: {e}", script.display())))?;
        let out = run(&sbatch_argv(job, &self.opts.sbatch_args), &job.env)?;
        // `--parsable`: "ID" or "ID;CLUSTER".
        let id = out.trim().split(';').next().unwrap_or("").trim();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
            return Err(EngineError::transient(format!(
                "sbatch printed {:?}, not a job id",
                out.trim()
            )));
        }
        Ok(id.to_string())
    }

    fn poll(&mut self, id: &str) -> Result<JobState, EngineError> {
        let argv = ["scontrol", "show", "job", "-o", id].map(String::from);
        let out = run(&argv, &[])?;
        parse_scontrol(&out).ok_or_else(|| {
            EngineError::transient(format!("scontrol: no JobState for job {id}: {out:?}"))
        })
    }

    fn cancel(&mut self, id: &str, force: bool) -> Result<(), EngineError> {
        let mut argv = vec!["scancel".to_string()];
        if force {
            argv.push("--signal=KILL".into());
            argv.push("--full".into());
        }
        argv.push(id.to_string());
        match run(&argv, &[]) {
            Err(e) if e.gone => Ok(()),
            r => r.map(drop),
        }
    }

    fn output(&mut self, _id: &str, _done: bool) -> Result<Output, EngineError> {
        Ok(Output::Files)
    }

    fn poll_every(&self) -> Duration {
        self.opts.poll.unwrap_or(Duration::from_secs(1))
    }

    fn retries(&self) -> u32 {
        self.opts.retries.unwrap_or(super::RETRIES)
    }
}

/// The state in one `scontrol show job -o` line.
pub fn parse_scontrol(line: &str) -> Option<JobState> {
    let field = |key: &str| {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
    };
    let state = field("JobState")?;
    let (code, sig) = field("ExitCode")
        .and_then(|e| e.split_once(':'))
        .map(|(c, s)| (c.parse::<i32>().ok(), s.parse::<i32>().ok()))
        .unwrap_or((None, None));
    let signal = sig.filter(|&s| s != 0);
    let done = |note: Option<&str>, fallback: Option<i32>| JobState::Done {
        code: if signal.is_some() { None } else { code },
        signal: signal.or(fallback),
        note: note.map(str::to_string),
    };
    Some(match state {
        "PENDING" | "CONFIGURING" | "REQUEUED" | "REQUEUE_HOLD" | "REQUEUE_FED" | "SUSPENDED"
        | "RESV_DEL_HOLD" => JobState::Pending,
        "RUNNING" | "COMPLETING" | "STAGE_OUT" | "SIGNALING" | "RESIZING" | "STOPPED" => {
            JobState::Running
        }
        "COMPLETED" => done(None, None),
        "FAILED" if code.is_some() || signal.is_some() => done(None, None),
        "CANCELLED" => done(Some("CANCELLED"), Some(libc::SIGTERM)),
        "TIMEOUT" => done(
            Some("TIMEOUT (the job's Slurm time limit)"),
            Some(libc::SIGTERM),
        ),
        "OUT_OF_MEMORY" => done(Some("OUT_OF_MEMORY"), Some(libc::SIGKILL)),
        "NODE_FAIL" | "BOOT_FAIL" | "PREEMPTED" => JobState::Lost(state.to_string()),
        other => done(Some(other), None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_quotes_every_argument_literally() {
        let argv: Vec<String> = ["python", "it's", "$HOME `x` \\n", "a\nb"]
            .map(String::from)
            .to_vec();
        let s = job_script(&argv);
        assert!(
            s.ends_with("exec 'python' 'it'\\''s' '$HOME `x` \\n' 'a\nb'\n"),
            "{s}"
        );
    }

    #[test]
    fn scontrol_states() {
        let l = "JobId=1 JobName=t JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0 X=y";
        assert_eq!(
            parse_scontrol(l),
            Some(JobState::Done {
                code: Some(3),
                signal: None,
                note: None
            })
        );
        let l = "JobId=1 JobState=COMPLETED ExitCode=0:0";
        assert!(matches!(
            parse_scontrol(l),
            Some(JobState::Done {
                code: Some(0),
                signal: None,
                ..
            })
        ));
        let l = "JobId=1 JobState=CANCELLED ExitCode=0:15";
        assert!(matches!(
            parse_scontrol(l),
            Some(JobState::Done {
                code: None,
                signal: Some(15),
                ..
            })
        ));
        assert_eq!(
            parse_scontrol("JobState=PENDING ExitCode=0:0"),
            Some(JobState::Pending)
        );
        assert_eq!(
            parse_scontrol("JobState=NODE_FAIL ExitCode=0:0"),
            Some(JobState::Lost("NODE_FAIL".into()))
        );
        assert_eq!(parse_scontrol("nothing here"), None);
    }
}
