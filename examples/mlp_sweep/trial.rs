//! `mlp_sweep --trial`: trains one configuration, the way a trainer run by
//! `hp-report tune` does. The hparams come from flags (`--num-units {num_units}`
//! placeholders) or from the `HP_NUM_UNITS`, `HP_DROPOUT`, `HP_OPTIMIZER`
//! (and `HP_EPOCHS`, `HP_SEED`) variables tune sets; the scalars go to `DIR/train`, `DIR/validation` and
//! `DIR/test` (DIR defaults to `$HP_TRIAL_DIR`), one event file each,
//! written through at every record so a runner following them sees each
//! epoch. No session is written: tune writes the trial's session itself.
//!
//! ```sh
//! hp-report tune --logdir /tmp/mlp-tune -p num_units='choice(16,32,64)' \
//!     -p dropout='uniform(0.1,0.3)' -p optimizer='choice(adam,sgd)' \
//!     --objective validation/epoch_accuracy:max -n 8 -j 2 \
//!     -- target/release/examples/mlp_sweep --trial
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use hp_report::event::{EventFileWriter, FlushPolicy};
use hp_report::Trial;

use super::mlp::Dataset;
use super::{train, Splits};

/// Options of one trial.
struct TrialArgs {
    dir: PathBuf,
    trial: Trial,
    seed: u64,
    epochs: usize,
}

/// The value of `flag` (consumed from `it`), as text.
fn value_of(flag: &str, it: &mut dyn Iterator<Item = String>) -> Result<String, String> {
    it.next().ok_or(format!("{flag} needs a value"))
}

fn number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("{flag}: not a number: {v:?}"))
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<TrialArgs, String> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut units = env("HP_NUM_UNITS").unwrap_or_else(|| "32".into());
    let mut dropout = env("HP_DROPOUT").unwrap_or_else(|| "0.2".into());
    let mut optimizer = env("HP_OPTIMIZER").unwrap_or_else(|| "adam".into());
    let mut seed = number("HP_SEED", &env("HP_SEED").unwrap_or_else(|| "0".into()))?;
    let mut epochs = number(
        "HP_EPOCHS",
        &env("HP_EPOCHS").unwrap_or_else(|| "10".into()),
    )?;
    let mut dir = env("HP_TRIAL_DIR").map(PathBuf::from);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--num-units" => units = value_of(&arg, &mut it)?,
            "--dropout" => dropout = value_of(&arg, &mut it)?,
            "--optimizer" => optimizer = value_of(&arg, &mut it)?,
            "--seed" => seed = number(&arg, &value_of(&arg, &mut it)?)?,
            "--epochs" => epochs = number(&arg, &value_of(&arg, &mut it)?)?,
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            _ => dir = Some(PathBuf::from(arg)),
        }
    }
    if !matches!(optimizer.as_str(), "adam" | "sgd") {
        return Err(format!(
            "--optimizer: expected adam or sgd, got {optimizer:?}"
        ));
    }
    let trial = Trial::new()
        .with("num_units", number::<i64>("--num-units", &units)?)
        .with("dropout", number::<f64>("--dropout", &dropout)?)
        .with("optimizer", optimizer.as_str());
    Ok(TrialArgs {
        dir: dir.ok_or("no DIR given and HP_TRIAL_DIR is not set")?,
        trial,
        seed,
        epochs,
    })
}

/// Trains the trial, writing its scalars; returns the validation accuracy.
fn run(a: &TrialArgs) -> hp_report::Result<f32> {
    let data: Splits = Dataset::synthetic(2000, a.seed).split(0.2, 0.2);
    let mut writers: BTreeMap<String, EventFileWriter> = BTreeMap::new();
    let mut log = |run: &str, tag: &str, step: i64, v: f64| -> hp_report::Result<()> {
        if !writers.contains_key(run) {
            let w = EventFileWriter::with_policy(a.dir.join(run), FlushPolicy::immediate())?;
            writers.insert(run.to_string(), w);
        }
        match writers.get_mut(run) {
            Some(w) => w.write_scalar(tag, step, v),
            None => Ok(()),
        }
    };
    let accuracy = train(&a.trial, &mut log, &data, a.epochs, a.seed)?;
    for w in writers.into_values() {
        w.close()?;
    }
    Ok(accuracy)
}

/// Why a trial did not train.
pub enum TrialError {
    /// Bad flags or variables (exit status 2).
    Usage(String),
    /// Writing its scalars failed.
    Write(hp_report::Error),
}

/// Trains the trial `args` describe; returns its validation accuracy.
pub fn train_one(args: impl Iterator<Item = String>) -> Result<f32, TrialError> {
    let a = parse(args).map_err(TrialError::Usage)?;
    run(&a).map_err(TrialError::Write)
}

/// `mlp_sweep --trial ARGS`.
pub fn main(args: impl Iterator<Item = String>) -> ExitCode {
    match train_one(args) {
        Ok(accuracy) => {
            println!("validation accuracy {accuracy:.4}");
            ExitCode::SUCCESS
        }
        Err(TrialError::Usage(e)) => {
            eprintln!("mlp_sweep --trial: {e}");
            ExitCode::from(2)
        }
        Err(TrialError::Write(e)) => {
            eprintln!("mlp_sweep --trial: {e}");
            ExitCode::FAILURE
        }
    }
}
