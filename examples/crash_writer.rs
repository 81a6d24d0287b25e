//! A trainer that is killed mid-run: writes an hparams experiment (once, at
//! the logdir root), one session with its hparams, then `loss` and
//! `accuracy` scalars to `<session>/train` as fast as it can, forever.
//! Prints `ready` once the experiment and session are on disk.
//!
//! `tests/integration/crash_kill.rs` runs this code in child processes and SIGKILLs
//! them at random points; `peers/crash_kill_tb.sh` then has real
//! TensorBoard read what they left.
//!
//! usage: crash_writer LOGDIR SESSION [buffered|immediate]

use std::io::Write;
use std::path::Path;

use hp_report::event::{EventFileWriter, FlushPolicy};
use hp_report::hparams::plugin::{experiment_summary, session_start_summary};
use hp_report::hparams::{ExperimentConfig, HParam, HParamValue, Metric};

/// The loss written at `step` (the reader checks it, as f32).
pub fn loss(step: i64) -> f32 {
    (1.0 / (step as f64 + 1.0)) as f32
}

/// Writes until killed (or until a write fails).
pub fn run(logdir: &Path, session: &str, policy: FlushPolicy) -> hp_report::Result<()> {
    let has_root_file = std::fs::read_dir(logdir).is_ok_and(|d| {
        d.flatten()
            .any(|e| e.file_name().to_string_lossy().contains("tfevents"))
    });
    if !has_root_file {
        let exp = ExperimentConfig::new()
            .hparam(HParam::free("seed"))
            .metric(Metric::new("loss").group("train"))
            .metric(Metric::new("accuracy").group("train"));
        let mut w = EventFileWriter::with_policy(logdir, FlushPolicy::immediate())?;
        w.write_summary(0, experiment_summary(exp.to_proto(0.0)))?;
        w.close()?;
    }
    let seed = HParamValue::Str(session.to_string());
    let mut w = EventFileWriter::with_policy(logdir.join(session), FlushPolicy::immediate())?;
    w.write_summary(0, session_start_summary([("seed", &seed)], "", 1.0))?;
    w.close()?;

    let mut train = EventFileWriter::with_policy(logdir.join(session).join("train"), policy)?;
    println!("ready");
    let _ = std::io::stdout().flush();
    for step in 0.. {
        train.write_scalar("loss", step, f64::from(loss(step)))?;
        train.write_scalar("accuracy", step, 1.0 - f64::from(loss(step)))?;
    }
    Ok(())
}

#[allow(dead_code)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: crash_writer LOGDIR SESSION [buffered|immediate]");
        std::process::exit(2);
    }
    let policy = match args.get(2).map(String::as_str) {
        Some("immediate") => FlushPolicy::immediate(),
        _ => FlushPolicy::default(),
    };
    if let Err(e) = run(Path::new(&args[0]), &args[1], policy) {
        eprintln!("crash_writer: {e}");
        std::process::exit(1);
    }
}
