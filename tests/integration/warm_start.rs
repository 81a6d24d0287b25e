//! `hp-report tune --warm-start`: a previous tune run and a Keras fixture
//! as prior observations, with real trial processes
//! (`tests/tune_scripts/mixed.py`). What fits the space is used, the rest
//! is listed; the warm-started search is reproducible and keeps its
//! logdirs for `--resume`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::bin::text;
use hp_report::tune::journal::{self, Record};
use serde_json::Value;

fn python_ok() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import json"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: python3 not found");
    }
    ok
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `hp-report tune --logdir DIR -p … OPTS… -- python3 mixed.py`.
fn tune(dir: &Path, opts: &str) -> Output {
    let script = root().join("tests/tune_scripts/mixed.py");
    let mut c = Command::new(env!("CARGO_BIN_EXE_hp-report"));
    c.args(["tune", "--logdir"]).arg(dir);
    for p in [
        "lr=loguniform(1e-4,1)",
        "units=int(2,32)",
        "opt=choice(adam,sgd)",
    ] {
        c.args(["-p", p]);
    }
    c.args(opts.split_whitespace())
        .arg("--")
        .arg("python3")
        .arg(script);
    c.env_remove("COLUMNS").output().expect("run hp-report")
}

/// The values each trial was launched with.
fn launched(dir: &Path) -> BTreeMap<u64, BTreeMap<String, Value>> {
    let f = std::fs::read_to_string(dir.join(journal::JOURNAL_FILE)).expect("journal");
    f.lines()
        .filter_map(|l| match serde_json::from_str::<Record>(l) {
            Ok(Record::Launch { trial, params, .. }) => Some((trial, params)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_previous_run_and_a_keras_logdir_warm_start_tpe() {
    if !python_ok() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let prev = tmp.path().join("prev");
    let o = tune(
        &prev,
        "--objective loss:min --method random -n 12 -q --seed 1",
    );
    assert!(o.status.success(), "{}", text(&o));

    let keras = root().join("fixtures/keras_mlp_grid");
    let warm = format!("--warm-start {} {}", prev.display(), keras.display());
    let opts = format!("--objective loss:min --method tpe -n 3 --seed 5 --no-table {warm}");
    let a = tmp.path().join("a");
    let o = tune(&a, &opts);
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warm start: 12 prior observations from 2 logdir(s), 6 sessions ignored"),
        "{}",
        text(&o)
    );
    // The Keras logdir has no metric `loss` of its own (epoch_loss, batch_loss):
    // one line for its 6 sessions, with the reader's own message.
    assert!(
        err.contains("keras_mlp_grid (6 sessions): no metric \"loss\""),
        "{err}"
    );
    assert_eq!(
        journal::read_spec(&a).expect("spec").warm_start,
        vec![prev.clone(), keras.clone()]
    );
    // 12 prior results: TPE's model proposes from the first trial on, so
    // the same seed without them starts elsewhere (a Latin hypercube).
    let cold = tmp.path().join("cold");
    let o = tune(&cold, "--objective loss:min --method tpe -n 3 --seed 5 -q");
    assert!(o.status.success(), "{}", text(&o));
    let (wa, wc) = (launched(&a), launched(&cold));
    assert_eq!(wa.len(), 3);
    assert_ne!(wa[&0], wc[&0]);
    // Reproducible: the same warm start, seed and order give the same trials.
    let b = tmp.path().join("b");
    let o = tune(&b, &opts);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(wa, launched(&b));
    // --warm-start is for the model-based methods only.
    let r = tune(
        &tmp.path().join("r"),
        &format!("--objective loss:min {warm}"),
    );
    assert_eq!(r.status.code(), Some(2), "{}", text(&r));
}
