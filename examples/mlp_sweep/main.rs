//! The TensorBoard HParams tutorial, in plain Rust with hp-report.
//!
//! Sweeps a small MLP (see `mlp.rs`) over hidden units, dropout and optimizer
//! on synthetic two-class data and logs every trial the way Keras with
//! `hp.hparams_config` + `hp.KerasCallback` + `callbacks.TensorBoard` does:
//!
//! ```text
//! OUTDIR/events…                  the experiment: hparams and metrics
//! OUTDIR/run-0/events…            session start (hparams) and end (status)
//! OUTDIR/run-0/train/events…      epoch_loss, epoch_accuracy (step = epoch, 0-based)
//! OUTDIR/run-0/validation/events… epoch_loss, epoch_accuracy
//! OUTDIR/run-0/test/events…       test_accuracy (step = last epoch)
//! ```
//!
//! Sessions are named `run-<i>` with `i` zero-padded to the width of the
//! largest index (`run-00` … `run-11` for the 12-trial grid), because
//! TensorBoard sorts run names as strings (`run-10` < `run-2`).
//!
//! ```sh
//! cargo run --release --example mlp_sweep -- /tmp/mlp [--sessions 6] [--seed 1]
//! hp-report /tmp/mlp                 # or: tensorboard --logdir /tmp/mlp
//! ```

mod mlp;
pub mod trial;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use hp_report::{
    grid, random, DatasetKind, Domain, ExperimentConfig, ExperimentWriter, HParam, Metric, Status,
    Trial,
};
use mlp::{Config, Dataset, Mlp, Optimizer, Rng};

const USAGE: &str = "\
usage: mlp_sweep OUTDIR [--sessions N] [--seed S] [--epochs E] [--threads T]
       mlp_sweep --trial [--num-units N] [--dropout D] [--optimizer O] [--seed S] [--epochs E] [DIR]

Trains a small MLP on synthetic data for each trial of a sweep over
num_units {16, 32, 64}, dropout [0.1, 0.3] and optimizer {adam, sgd}, and
writes TensorBoard hparams logs to OUTDIR (a new or empty directory).

  --sessions N  N seeded random trials instead of the full 12-trial grid
  --seed S      seed of the data, the random trials and the weights [0]
  --epochs E    training epochs per session [10]
  --threads T   sessions trained in parallel [2]

--trial trains one configuration, for `hp-report tune` (see trial.rs): its
hparams from the flags or HP_NUM_UNITS/HP_DROPOUT/HP_OPTIMIZER, its scalars
into DIR or $HP_TRIAL_DIR (train/, validation/, test/), no session of its own.
";

/// Command-line options.
struct Args {
    outdir: PathBuf,
    sessions: Option<usize>,
    seed: u64,
    epochs: usize,
    threads: usize,
}

/// `Ok(None)` means `--help`.
fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut args = Args {
        outdir: PathBuf::new(),
        sessions: None,
        seed: 0,
        epochs: 10,
        threads: 2,
    };
    let mut outdir = None;
    while let Some(arg) = it.next() {
        let mut number = || -> Result<u64, String> {
            let v = it.next().ok_or(format!("{arg} needs a value"))?;
            v.parse().map_err(|_| format!("{arg}: not a number: {v:?}"))
        };
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--sessions" => args.sessions = Some(number()? as usize),
            "--seed" => args.seed = number()?,
            "--epochs" => args.epochs = number()? as usize,
            "--threads" => args.threads = (number()? as usize).max(1),
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            _ if outdir.is_some() => return Err(format!("unexpected argument {arg:?}")),
            _ => outdir = Some(PathBuf::from(arg)),
        }
    }
    args.outdir = outdir.ok_or("missing OUTDIR")?;
    Ok(Some(args))
}

/// The experiment: TensorBoard's HPARAMS columns, like the tutorial's.
fn experiment_config() -> hp_report::Result<ExperimentConfig> {
    let mut config = ExperimentConfig::new()
        .hparam(HParam::new("num_units", Domain::discrete([16, 32, 64])?))
        .hparam(HParam::new("dropout", Domain::real(0.1, 0.3)?))
        .hparam(HParam::new("optimizer", Domain::discrete(["adam", "sgd"])?));
    // A metric is a (sub-run, tag) pair: the sub-run is the metric's group.
    for (group, dataset) in [
        ("train", DatasetKind::Training),
        ("validation", DatasetKind::Validation),
    ] {
        for tag in ["epoch_loss", "epoch_accuracy"] {
            config = config.metric(Metric::new(tag).group(group).dataset(dataset));
        }
    }
    Ok(config.metric(Metric::new("test_accuracy").group("test")))
}

/// (train, validation, test) data, shared read-only by all sessions.
type Splits = (Dataset, Dataset, Dataset);

/// Where [`train`] logs a scalar: (sub-run, tag, step, value).
type Log<'a> = dyn FnMut(&str, &str, i64, f64) -> hp_report::Result<()> + 'a;

/// Trains one trial, logging per epoch; returns the final validation accuracy.
fn train(
    trial: &Trial,
    log: &mut Log<'_>,
    data: &Splits,
    epochs: usize,
    seed: u64,
) -> hp_report::Result<f32> {
    let (train_set, val_set, test_set) = data;
    let optimizer = match trial.get_str("optimizer") {
        Some("sgd") => Optimizer::Sgd,
        _ => Optimizer::Adam,
    };
    let config = Config {
        hidden_units: trial.get_i64("num_units").unwrap_or(32) as usize,
        dropout: trial.get_f64("dropout").unwrap_or(0.0),
        optimizer,
        learning_rate: match optimizer {
            Optimizer::Adam => 0.01,
            Optimizer::Sgd => 0.1,
        },
        batch_size: 32,
        seed,
    };
    let input_dim = train_set.x.first().map_or(0, Vec::len);
    let mut model = Mlp::new(input_dim, &config);
    let mut rng = Rng::new(seed ^ 0xA5A5);
    let mut val = model.evaluate(val_set);
    for epoch in 0..epochs as i64 {
        let train = model.train_epoch(train_set, &mut rng);
        val = model.evaluate(val_set);
        for (run, stats) in [("train", train), ("validation", val)] {
            log(run, "epoch_loss", epoch, stats.loss.into())?;
            log(run, "epoch_accuracy", epoch, stats.accuracy.into())?;
        }
    }
    let last_epoch = epochs.saturating_sub(1) as i64;
    let test = model.evaluate(test_set).accuracy;
    log("test", "test_accuracy", last_epoch, test.into())?;
    Ok(val.accuracy)
}

/// Opens session `name`, trains it, and ends it with its status.
fn run_session(
    experiment: &ExperimentWriter,
    name: &str,
    trial: &Trial,
    epochs: usize,
    data: &Splits,
    seed: u64,
) -> hp_report::Result<f32> {
    // Writes the session's hparams (start info) before training starts.
    let mut session = experiment.session(name, trial)?;
    let mut log = |run: &str, tag: &str, step: i64, v: f64| session.scalar(run, tag, step, v);
    let trained = train(trial, &mut log, data, epochs, seed);
    match trained {
        Ok(accuracy) => session.end(Status::Success).map(|()| accuracy),
        Err(e) => {
            // Without this, dropping the session would leave STATUS_UNKNOWN.
            let _ = session.end(Status::Failure);
            Err(e)
        }
    }
}

fn run(args: &Args) -> hp_report::Result<()> {
    // 1. Declare the experiment once, at the logdir root.
    let config = experiment_config()?;
    let experiment = ExperimentWriter::create(&args.outdir, &config)?;

    // 2. The trials: the full grid (2 dropout points: 0.1 and 0.3) or a
    //    reproducible random draw.
    let trials = match args.sessions {
        None => grid(&config, 2)?,
        Some(n) => random(&config, n, args.seed)?,
    };
    let data: Splits = Dataset::synthetic(2000, args.seed).split(0.2, 0.2);
    let width = trials.len().saturating_sub(1).to_string().len();

    // 3. One session per trial, on `threads` worker threads: the writer is
    //    shared by reference, each session lives in the thread training it.
    let next = AtomicUsize::new(0);
    let first_error = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..args.threads.min(trials.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(trial) = trials.get(i) else { break };
                let name = format!("run-{i:0width$}");
                let seed = args.seed.wrapping_add(i as u64);
                match run_session(&experiment, &name, trial, args.epochs, &data, seed) {
                    Ok(acc) => println!("{name}  {trial:<44}  val_accuracy {acc:.4}"),
                    Err(e) => {
                        let mut slot = first_error.lock().unwrap_or_else(|p| p.into_inner());
                        slot.get_or_insert(e);
                        break;
                    }
                }
            });
        }
    });
    if let Some(e) = first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    println!("\n{} sessions written. Next:", trials.len());
    println!("  hp-report {}", args.outdir.display());
    Ok(())
}

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("--trial") {
        return trial::main(std::env::args().skip(2));
    }
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let usage = USAGE.lines().next().unwrap_or_default();
            eprintln!("mlp_sweep: {e}\n{usage}\n(--help for more)");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mlp_sweep: {e}");
            ExitCode::FAILURE
        }
    }
}
