//! `--backend ray`: one Ray job per trial through the Jobs REST API of the
//! head's dashboard (`--ray-address`, default `http://127.0.0.1:8265`;
//! runner-notes Part A §3.3):
//!
//! * `POST /api/jobs/` with the entrypoint, our `submission_id` and the
//!   trial's environment as `runtime_env.env_vars`;
//! * `GET /api/jobs/{id}` for the state (`PENDING`, `RUNNING`, `STOPPED`,
//!   `SUCCEEDED`, `FAILED`, with `driver_exit_code`);
//! * `GET /api/jobs/{id}/logs` for the output: Ray's own lines interleave
//!   with the trial's (the metric grammar passes over them); the follower
//!   keeps the whole log as the trial's `stdout.log`;
//! * `POST /api/jobs/{id}/stop` to cancel.
//!
//! Ray runs the entrypoint through a shell, so it is the argv with every
//! argument single-quoted ([`crate::tune::trial::shell_line`]: nothing is
//! expanded), after `exec` and a `cd` to the runner's working directory (the
//! trial directory must be on a filesystem the Ray workers share, as with
//! Slurm).

use std::time::Duration;

use serde_json::{json, Value};

use super::http::{request, Base};
use super::{EngineError, JobSpec, JobState, Output, Remote};
use crate::tune::trial::shell_line;

/// `--backend ray` options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RayOptions {
    /// The dashboard's address, `http://127.0.0.1:8265`.
    pub address: String,
    /// Between state polls (default 1 s).
    pub poll: Option<Duration>,
    /// Engine failures in a row before giving up (default [`super::RETRIES`]).
    pub retries: Option<u32>,
}

/// The Ray Jobs client.
pub struct Ray {
    opts: RayOptions,
    base: Base,
}

/// Time allowed for one API call.
const TIMEOUT: Duration = Duration::from_secs(30);

impl Ray {
    /// A client of the Ray head at `opts.address`.
    pub fn new(opts: RayOptions) -> Result<Self, String> {
        let base = Base::parse(&opts.address)?;
        Ok(Ray { opts, base })
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, EngineError> {
        let (status, bytes) = request(&self.base, method, path, body, TIMEOUT)
            .map_err(|e| EngineError::transient(format!("ray {}: {e}", self.opts.address)))?;
        let text = String::from_utf8_lossy(&bytes);
        if status == 404 {
            return Err(EngineError {
                msg: format!("{method} {path}: 404 {}", first_line(&text)),
                gone: true,
            });
        }
        if !(200..300).contains(&status) {
            return Err(EngineError::transient(format!(
                "{method} {path}: HTTP {status} {}",
                first_line(&text)
            )));
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            EngineError::transient(format!(
                "{method} {path}: not JSON ({e}): {}",
                first_line(&text)
            ))
        })
    }
}

fn first_line(s: &str) -> &str {
    let l = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    l.get(..200).unwrap_or(l)
}

/// The entrypoint of `job`: `cd` to the runner's directory, `exec` the
/// argv, every word single-quoted.
pub fn entrypoint(argv: &[String]) -> String {
    let cwd = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|_| "/".into());
    format!("cd {} && exec {}", shell_line(&[cwd]), shell_line(argv))
}

/// The `POST /api/jobs/` body for `job` with submission id `id`.
pub fn submission(job: &JobSpec, id: &str) -> Value {
    let env: serde_json::Map<String, Value> = job
        .env
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    json!({
        "entrypoint": entrypoint(&job.argv),
        "submission_id": id,
        "runtime_env": {"env_vars": env},
        "metadata": {"hp_report_job": job.name},
    })
}

impl Remote for Ray {
    fn name(&self) -> &'static str {
        "ray"
    }

    fn submit(&mut self, job: &JobSpec) -> Result<String, EngineError> {
        // Unique across the cluster's history (a re-created experiment
        // reuses names); journaled, so reattaching does not need to guess.
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let id = format!("{}-{millis}", job.name);
        let v = self.call("POST", "/api/jobs/", Some(&submission(job, &id)))?;
        Ok(v.get("submission_id")
            .and_then(Value::as_str)
            .unwrap_or(&id)
            .to_string())
    }

    fn poll(&mut self, id: &str) -> Result<JobState, EngineError> {
        let v = self.call("GET", &format!("/api/jobs/{id}"), None)?;
        parse_status(&v).ok_or_else(|| {
            EngineError::transient(format!(
                "ray job {id}: no status in {}",
                first_line(&v.to_string())
            ))
        })
    }

    fn cancel(&mut self, id: &str, _force: bool) -> Result<(), EngineError> {
        match self.call("POST", &format!("/api/jobs/{id}/stop"), None) {
            Err(e) if e.gone => Ok(()),
            r => r.map(drop),
        }
    }

    fn output(&mut self, id: &str, done: bool) -> Result<Output, EngineError> {
        let v = self.call("GET", &format!("/api/jobs/{id}/logs"), None)?;
        let logs = v.get("logs").and_then(Value::as_str).unwrap_or("");
        Ok(Output::Fetched(trial_lines(logs, done)))
    }

    fn poll_every(&self) -> Duration {
        self.opts.poll.unwrap_or(Duration::from_secs(1))
    }

    fn retries(&self) -> u32 {
        self.opts.retries.unwrap_or(super::RETRIES)
    }
}

/// The trial's own lines of a Ray job log: Ray's lines go (its
/// timestamped `INFO file.py:N -- ...` lines, and `Running entrypoint for
/// job ID: CMD`, which repeats the command line and so would report its
/// `--lr=0.1` as a metric). Only whole lines are kept until `done`, so what
/// is returned only ever grows.
pub fn trial_lines(logs: &str, done: bool) -> String {
    let complete = if done {
        logs
    } else {
        logs.rfind('\n').map_or("", |i| &logs[..=i])
    };
    let mut out = String::with_capacity(complete.len());
    for line in complete.split_inclusive('\n') {
        if !ray_line(line) {
            out.push_str(line);
        }
    }
    out
}

/// `2026-11-30 11:57:18,723\tINFO job_manager.py:581 -- ...` or the
/// entrypoint announcement.
fn ray_line(line: &str) -> bool {
    if line.starts_with("Running entrypoint for job ") {
        return true;
    }
    let b = line.as_bytes();
    let stamp = b.len() > 24
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[10] == b' '
        && b[19] == b','
        && b[13] == b':'
        && b[23] == b'\t';
    stamp && line.contains(" -- ")
}

/// The state in a `GET /api/jobs/{id}` answer.
pub fn parse_status(v: &Value) -> Option<JobState> {
    let code = v
        .get("driver_exit_code")
        .and_then(Value::as_i64)
        .and_then(|c| i32::try_from(c).ok());
    let message = v
        .get("message")
        .and_then(Value::as_str)
        .map(|m| first_line(m).to_string());
    Some(match v.get("status")?.as_str()? {
        "PENDING" => JobState::Pending,
        "RUNNING" => JobState::Running,
        "SUCCEEDED" => JobState::Done {
            code: Some(code.unwrap_or(0)),
            signal: None,
            note: None,
        },
        "STOPPED" => JobState::Done {
            code: None,
            signal: Some(libc::SIGTERM),
            note: Some("STOPPED".into()),
        },
        // A driver that never ran (runtime env failed) has no exit code.
        "FAILED" => JobState::Done {
            code,
            signal: None,
            note: if code.is_none() { message } else { None },
        },
        other => JobState::Done {
            code,
            signal: None,
            note: Some(other.to_string()),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        let v = json!({"status": "FAILED", "driver_exit_code": 3, "message": "x"});
        assert_eq!(
            parse_status(&v),
            Some(JobState::Done {
                code: Some(3),
                signal: None,
                note: None
            })
        );
        assert_eq!(
            parse_status(&json!({"status": "PENDING"})),
            Some(JobState::Pending)
        );
        assert!(matches!(
            parse_status(&json!({"status": "STOPPED"})),
            Some(JobState::Done {
                signal: Some(15),
                ..
            })
        ));
        assert_eq!(parse_status(&json!({})), None);
    }

    #[test]
    fn ray_lines_go() {
        let logs =
            "2026-11-30 11:57:18,723\tINFO job_manager.py:581 -- Runtime env is setting up.\n\
                    loss=7\nRunning entrypoint for job p: echo lr=1\nstep=3 loss=2";
        assert_eq!(trial_lines(logs, false), "loss=7\n");
        assert_eq!(trial_lines(logs, true), "loss=7\nstep=3 loss=2");
    }

    #[test]
    fn submission_body() {
        let job = JobSpec {
            name: "hp-1-trial-0000".into(),
            argv: vec!["python".into(), "it's $HOME".into()],
            env: vec![("HP_LR".into(), "0.1,0.2".into())],
            dir: "/x".into(),
            slot: 0,
        };
        let v = submission(&job, "id1");
        let e = v["entrypoint"].as_str().unwrap();
        assert!(e.ends_with("&& exec python 'it'\\''s $HOME'"), "{e}");
        assert_eq!(v["runtime_env"]["env_vars"]["HP_LR"], "0.1,0.2");
        assert_eq!(v["submission_id"], "id1");
    }
}
