//! Byte-level comparison with the Keras-written fixture
//! `fixtures/keras_mlp_grid` (TF 2.21, `hp.hparams_config` + `hp.KerasCallback`):
//! for the same inputs, the hparams messages we write decode to the same
//! fields, and the experiment is byte-identical apart from
//! `time_created_secs` (which TensorFlow leaves at 0).

use std::path::{Path, PathBuf};

use crate::common::*;
use hp_report::proto::tensorboard::hparams::h_params_plugin_data::Data;
use hp_report::proto::tensorboard::hparams::HParamsPluginData;
use hp_report::proto::tensorboard::summary;
use hp_report::{Domain, ExperimentConfig, ExperimentWriter, HParam, Metric, Status, Trial};
use prost::Message;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keras_mlp_grid")
}

/// The fixture's experiment, declared through our API in the same order.
fn config() -> ExperimentConfig {
    ExperimentConfig::new()
        .hparam(HParam::new("deep_layers", Domain::int(1, 3).unwrap()))
        .hparam(HParam::new(
            "deep_layer_size",
            Domain::discrete([32, 64, 128]).unwrap(),
        ))
        .hparam(HParam::new(
            "learning_rate",
            Domain::real(0.001, 0.1).unwrap(),
        ))
        .metric(
            Metric::new("epoch_auc")
                .group("validation")
                .display_name("auc (val.)"),
        )
        .metric(
            Metric::new("epoch_loss")
                .group("validation")
                .display_name("loss (val.)"),
        )
        .metric(
            Metric::new("batch_auc")
                .group("train")
                .display_name("auc (train)"),
        )
        .metric(
            Metric::new("batch_loss")
                .group("train")
                .display_name("loss (train)"),
        )
        .metric(
            Metric::new("test_auc")
                .group("test")
                .display_name("auc (test)"),
        )
}

/// The `_hparams_/*` event with `tag` in the single file of `dir`.
fn hparams_event(dir: &Path, tag: &str) -> hp_report::proto::tensorboard::Event {
    dir_events(dir)
        .into_iter()
        .find(|e| {
            matches!(&e.what, Some(hp_report::proto::tensorboard::event::What::Summary(s))
                if s.value.first().is_some_and(|v| v.tag == tag))
        })
        .unwrap_or_else(|| panic!("no {tag} in {}", dir.display()))
}

/// The summary value without its plugin content (tag, tensor, metadata
/// shell), encoded.
fn shell_bytes(ev: &hp_report::proto::tensorboard::Event) -> Vec<u8> {
    let mut v = value(ev).clone();
    if let Some(pd) = v.metadata.as_mut().and_then(|m| m.plugin_data.as_mut()) {
        pd.content.clear();
    }
    v.encode_to_vec()
}

#[test]
fn experiment_matches_keras_byte_for_byte_except_creation_time() {
    let dir = tempfile::tempdir().unwrap();
    ExperimentWriter::create(dir.path(), &config()).unwrap();
    let ours = hparams_event(dir.path(), "_hparams_/experiment");
    let theirs = hparams_event(&fixture(), "_hparams_/experiment");

    let (Data::Experiment(mut a), Data::Experiment(b)) =
        (hparams_data(&ours), hparams_data(&theirs))
    else {
        panic!("not experiments")
    };
    assert!(a.time_created_secs > 1.7e9, "a real creation time");
    assert_eq!(b.time_created_secs, 0.0, "TensorFlow leaves it unset");
    assert_eq!(a.hparam_infos, b.hparam_infos);
    assert_eq!(a.metric_infos, b.metric_infos);
    a.time_created_secs = 0.0;
    assert_eq!(a, b);

    // Same bytes: plugin content with the time zeroed, and the value's tag,
    // null tensor and metadata around it.
    let content = HParamsPluginData {
        version: 0,
        data: Some(Data::Experiment(a)),
    }
    .encode_to_vec();
    assert_eq!(content, hparams_content(&theirs));
    assert_eq!(shell_bytes(&ours), shell_bytes(&theirs));
    assert_eq!(ours.step, theirs.step);
}

#[test]
fn session_start_info_matches_keras_run_0() {
    let dir = tempfile::tempdir().unwrap();
    let exp = ExperimentWriter::create(dir.path(), &config()).unwrap();
    // Keras run-0: hp.KerasCallback with Python ints 32, 1 and float 0.001.
    let trial = Trial::new()
        .with("deep_layer_size", 32)
        .with("deep_layers", 1)
        .with("learning_rate", 0.001);
    exp.session("run-0", &trial)
        .unwrap()
        .end(Status::Success)
        .unwrap();

    let run0 = fixture().join("run-0");
    let ours = hparams_event(&dir.path().join("run-0"), "_hparams_/session_start_info");
    let theirs = hparams_event(&run0, "_hparams_/session_start_info");
    let (Data::SessionStartInfo(a), Data::SessionStartInfo(b)) =
        (hparams_data(&ours), hparams_data(&theirs))
    else {
        panic!("not start infos")
    };
    assert_eq!(
        b.group_name,
        "d9887ce6afeb304b6b3325a7d14e5d3c71c160c66343374405515d82106206f4"
    );
    assert_eq!(a.group_name, b.group_name);
    assert_eq!(a.hparams, b.hparams);
    assert_eq!((a.model_uri, a.monitor_url), (b.model_uri, b.monitor_url));
    assert!(a.start_time_secs > 1.7e9 && b.start_time_secs > 1.7e9);
    assert_eq!(shell_bytes(&ours), shell_bytes(&theirs));
    // Each map entry is byte-identical (the map's entry order is free).
    let theirs_content = hparams_content(&theirs);
    for (k, v) in &a.hparams {
        let entry = hp_report::proto::tensorboard::hparams::SessionStartInfo {
            hparams: [(k.clone(), v.clone())].into_iter().collect(),
            ..Default::default()
        }
        .encode_to_vec();
        let body = &entry[..];
        assert!(
            theirs_content.windows(body.len()).any(|w| w == body),
            "entry {k}"
        );
    }

    let end_a = hparams_event(&dir.path().join("run-0"), "_hparams_/session_end_info");
    let end_b = hparams_event(&run0, "_hparams_/session_end_info");
    match (hparams_data(&end_a), hparams_data(&end_b)) {
        (Data::SessionEndInfo(a), Data::SessionEndInfo(b)) => assert_eq!(a.status, b.status),
        other => panic!("{other:?}"),
    }
    assert_eq!(shell_bytes(&end_a), shell_bytes(&end_b));
}

#[test]
fn scalar_tensors_match_keras() {
    // The fixture's validation epoch_loss points, re-encoded by us: same
    // tensor bytes. (Our metadata adds data_class SCALAR and is written on a
    // tag's first point only; Keras repeats it without a data class.)
    let events = dir_events(&fixture().join("run-0/validation"));
    let mut seen = 0;
    for e in &events {
        let Some(hp_report::proto::tensorboard::event::What::Summary(s)) = &e.what else {
            continue;
        };
        for v in s.value.iter().filter(|v| v.tag == "epoch_loss") {
            let Some(summary::value::Value::Tensor(t)) = &v.value else {
                panic!("{v:?}")
            };
            let x = f32::from_le_bytes(t.tensor_content.as_slice().try_into().unwrap());
            assert_eq!(
                hp_report::summary::scalar_tensor(x).encode_to_vec(),
                t.encode_to_vec()
            );
            seen += 1;
        }
    }
    assert!(seen > 0);
}
