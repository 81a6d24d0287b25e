//! Generates a large Keras-layout hparams logdir with hp-report's own writer,
//! for the read benchmarks (`bench/run.sh`).
//!
//! ```text
//! cargo run --release --no-default-features --example gen_logdir -- OUT \
//!     [--sessions 200] [--steps 2000] [--tags 3] [--seed 0]
//! ```
//!
//! Layout, as Keras' TensorBoard callback with `hp.hparams_config` makes it:
//!
//! * `OUT/events…`: `_hparams_/experiment` (4 hparams, a metric per sub-run
//!   and tag);
//! * `OUT/run-K/events…`: `_hparams_/session_start_info`, then
//!   `_hparams_/session_end_info` (every 50th session has none and reads as
//!   `STATUS_UNKNOWN`);
//! * `OUT/run-K/{train,validation}/events…`: the tags `epoch_loss`,
//!   `epoch_accuracy`, `epoch_auc`, `epoch_metric_3`, … one point per step.
//!
//! Sessions are written in parallel. The last line on stdout is a JSON
//! summary (sessions, scalar events, bytes, seconds).

use std::path::{Path, PathBuf};
use std::time::Instant;

use hp_report::event::EventFileWriter;
use hp_report::hparams::{
    default_group_name, plugin, Domain, ExperimentConfig, HParam, HParamValue, Metric, Status,
};
use hp_report::rng::SplitMix64;
use rayon::prelude::*;

const SPLITS: [&str; 2] = ["train", "validation"];
const OPTIMIZERS: [&str; 3] = ["adam", "sgd", "rmsprop"];

struct Args {
    out: PathBuf,
    sessions: usize,
    steps: usize,
    tags: usize,
    seed: u64,
}

fn usage() -> ! {
    eprintln!(
        "usage: gen_logdir OUT [--sessions 200] [--steps 2000] [--tags 3] [--seed 0]\n\
         Writes OUT/run-K/{{train,validation}} with our writer (Keras layout)."
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut out = None;
    let (mut sessions, mut steps, mut tags, mut seed) = (200, 2000, 3, 0);
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut num = |name: &str| -> u64 {
            it.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
                eprintln!("gen_logdir: {name} needs a number");
                usage()
            })
        };
        match a.as_str() {
            "--sessions" => sessions = num("--sessions") as usize,
            "--steps" => steps = num("--steps") as usize,
            "--tags" => tags = num("--tags") as usize,
            "--seed" => seed = num("--seed"),
            "-h" | "--help" => usage(),
            s if s.starts_with('-') => {
                eprintln!("gen_logdir: unknown option {s}");
                usage()
            }
            s => out = Some(PathBuf::from(s)),
        }
    }
    let Some(out) = out else { usage() };
    Args {
        out,
        sessions,
        steps,
        tags,
        seed,
    }
}

/// Keras' names for the first tags, then numbered ones.
fn tag_names(n: usize) -> Vec<String> {
    let base = ["epoch_loss", "epoch_accuracy", "epoch_auc"];
    (0..n)
        .map(|i| match base.get(i) {
            Some(b) => b.to_string(),
            None => format!("epoch_metric_{i}"),
        })
        .collect()
}

fn experiment(tags: &[String]) -> hp_report::Result<ExperimentConfig> {
    let mut cfg = ExperimentConfig::new()
        .hparam(HParam::new("learning_rate", Domain::log_real(1e-4, 1e-1)?))
        .hparam(HParam::new("layers", Domain::int(1, 8)?))
        .hparam(HParam::new("optimizer", Domain::discrete(OPTIMIZERS)?))
        .hparam(HParam::new("batch_norm", Domain::discrete([false, true])?));
    for split in SPLITS {
        for t in tags {
            cfg = cfg.metric(Metric::new(t.clone()).group(split));
        }
    }
    Ok(cfg)
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn session_hparams(rng: &mut SplitMix64) -> Vec<(&'static str, HParamValue)> {
    let lr = 10f64.powf(-4.0 + 3.0 * rng.next_f64());
    vec![
        (
            "learning_rate",
            HParamValue::Float((lr * 1e6).round() / 1e6),
        ),
        ("layers", HParamValue::Int(1 + rng.below(8) as i64)),
        (
            "optimizer",
            HParamValue::Str(OPTIMIZERS[rng.below(3) as usize].to_string()),
        ),
        ("batch_norm", HParamValue::Bool(rng.below(2) == 1)),
    ]
}

/// Writes one session; returns the scalar events written.
fn write_session(
    root: &Path,
    k: usize,
    steps: usize,
    tags: &[String],
    seed: u64,
) -> hp_report::Result<u64> {
    let dir = root.join(format!("run-{k}"));
    let mut rng = SplitMix64::new(seed.wrapping_mul(1_000_003).wrapping_add(k as u64));
    let hp = session_hparams(&mut rng);
    let group = default_group_name(hp.iter().map(|(k, v)| (*k, v)));
    let mut session = EventFileWriter::create(&dir)?;
    let start = now();
    session.write_summary(
        0,
        plugin::session_start_summary(hp.iter().map(|(k, v)| (*k, v)), &group, start),
    )?;
    let mut events = 0u64;
    for (s, split) in SPLITS.iter().enumerate() {
        let mut w = EventFileWriter::create(dir.join(split))?;
        // Per tag: a loss decays towards a floor, scores rise towards a
        // ceiling; a little noise on each.
        let shape: Vec<(f64, f64)> = (0..tags.len())
            .map(|_| {
                (
                    (1.0 + 5.0 * rng.next_f64()) / steps.max(1) as f64,
                    0.05 + 0.35 * rng.next_f64() + 0.02 * s as f64,
                )
            })
            .collect();
        for step in 0..steps {
            for (t, tag) in tags.iter().enumerate() {
                let (rate, level) = shape[t];
                let decay = (-rate * step as f64).exp();
                let noise = 0.01 * (rng.next_f64() - 0.5);
                let v = if t == 0 {
                    level + 2.0 * decay
                } else {
                    1.0 - level - (0.5 - level) * decay
                };
                w.write_scalar(tag, step as i64, v + noise)?;
                events += 1;
            }
        }
        w.close()?;
    }
    if k % 50 != 49 {
        let end = now();
        session.write_summary(0, plugin::session_end_summary(Status::Success, end))?;
    }
    session.close()?;
    Ok(events)
}

fn main() {
    let a = parse_args();
    let t0 = Instant::now();
    let tags = tag_names(a.tags);
    let run = || -> hp_report::Result<u64> {
        let cfg = experiment(&tags)?;
        let mut root = EventFileWriter::create(&a.out)?;
        let now = now();
        root.write_summary(0, plugin::experiment_summary(cfg.to_proto(now)))?;
        root.close()?;
        (0..a.sessions)
            .into_par_iter()
            .map(|k| write_session(&a.out, k, a.steps, &tags, a.seed))
            .try_reduce(|| 0, |x, y| Ok(x + y))
    };
    let events = match run() {
        Ok(n) => n,
        Err(e) => {
            eprintln!("gen_logdir: {e}");
            std::process::exit(1);
        }
    };
    let bytes: u64 = walkdir::WalkDir::new(&a.out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    let secs = t0.elapsed().as_secs_f64();
    eprintln!(
        "gen_logdir: {} sessions x 2 runs x {} tags x {} steps = {events} scalar events, {:.1} MB, {secs:.1}s",
        a.sessions,
        a.tags,
        a.steps,
        bytes as f64 / 1e6
    );
    println!(
        "{{\"sessions\": {}, \"steps\": {}, \"tags\": {}, \"scalar_events\": {events}, \"bytes\": {bytes}, \"seconds\": {secs:.3}}}",
        a.sessions, a.steps, a.tags
    );
}
