//! The trainer API end to end: a small sweep written into a temp dir and
//! decoded record by record — layout, file names, experiment, session start
//! and end infos, scalar encoding, wall times — plus what a panicking or a
//! plainly dropped session leaves on disk, and sessions on parallel threads.

use std::path::Path;

use crate::common::*;
use hp_report::proto::google::protobuf::{value::Kind, Value};
use hp_report::proto::tensorboard::hparams::h_params_plugin_data::Data;
use hp_report::proto::tensorboard::hparams::{h_param_info, DataType as HpType};
use hp_report::proto::tensorboard::{event, summary, DataType};
use hp_report::{
    grid, DatasetKind, Domain, ExperimentConfig, ExperimentWriter, HParam, Metric, Status, Trial,
};

fn config() -> ExperimentConfig {
    let mut cfg = ExperimentConfig::new()
        .hparam(HParam::new(
            "num_units",
            Domain::discrete([32, 16]).unwrap(),
        ))
        .hparam(HParam::new("dropout", Domain::real(0.1, 0.3).unwrap()).display_name("Dropout"))
        .hparam(HParam::new(
            "optimizer",
            Domain::discrete(["sgd", "adam"]).unwrap(),
        ));
    for (group, kind) in [
        ("train", DatasetKind::Training),
        ("validation", DatasetKind::Validation),
    ] {
        for tag in ["epoch_loss", "epoch_accuracy"] {
            cfg = cfg.metric(Metric::new(tag).group(group).dataset(kind));
        }
    }
    cfg.metric(
        Metric::new("test_accuracy")
            .group("test")
            .display_name("Test accuracy"),
    )
}

fn loss(epoch: i64) -> f64 {
    1.0 / (epoch as f64 + 1.5)
}

/// Writes sessions `run-0`, `run-1` of the grid with 3 epochs each.
fn write_sweep(logdir: &Path) -> Vec<Trial> {
    let cfg = config();
    let exp = ExperimentWriter::create(logdir, &cfg).unwrap();
    let trials: Vec<Trial> = grid(&cfg, 2).unwrap().into_iter().take(2).collect();
    for (i, trial) in trials.iter().enumerate() {
        let mut s = exp.session(&format!("run-{i}"), trial).unwrap();
        for epoch in 0..3 {
            for run in ["train", "validation"] {
                s.scalar(run, "epoch_loss", epoch, loss(epoch)).unwrap();
                s.scalar(run, "epoch_accuracy", epoch, 0.5 + 0.1 * epoch as f64)
                    .unwrap();
            }
        }
        s.scalar("test", "test_accuracy", 0, 0.75).unwrap();
        s.end(Status::Success).unwrap();
    }
    trials
}

fn check_file_name(path: &Path) {
    let name = path.file_name().unwrap().to_str().unwrap();
    let parts: Vec<&str> = name.split('.').collect();
    assert_eq!(&parts[..3], ["events", "out", "tfevents"], "{name}");
    assert_eq!(parts.len(), 8, "{name}");
    assert!(parts[3].len() == 10 && parts[3].bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(parts[5], std::process::id().to_string());
    assert!(
        parts[6].bytes().all(|b| b.is_ascii_digit()),
        "counter {name}"
    );
    assert_eq!(parts[7], "v2");
}

/// First event `brain.Event:2`; wall times never decrease.
fn check_header_and_times(events: &[hp_report::proto::tensorboard::Event]) {
    let first = &events[0];
    assert_eq!(
        first.what,
        Some(event::What::FileVersion("brain.Event:2".into()))
    );
    assert_eq!(first.source_metadata.as_ref().unwrap().writer, "hp-report");
    for w in events.windows(2) {
        assert!(w[0].wall_time <= w[1].wall_time, "{w:?}");
    }
    assert!(events
        .iter()
        .all(|e| e.wall_time.is_finite() && e.wall_time > 1e9));
}

#[test]
fn a_small_sweep_decodes_as_tensorboard_expects() {
    let dir = tempfile::tempdir().unwrap();
    let before = now();
    let trials = write_sweep(dir.path());
    let after = now();

    // The experiment root run: one file, the experiment at step 0.
    let root = only_event_file(dir.path());
    check_file_name(&root);
    let events = read_events(&root);
    check_header_and_times(&events);
    assert_eq!(events.len(), 2);
    let v = value(&events[1]);
    assert_eq!(v.tag, "_hparams_/experiment");
    assert_eq!(events[1].step, 0);
    match &v.value {
        Some(summary::value::Value::Tensor(t)) => {
            assert_eq!(t.dtype, DataType::DtFloat as i32);
            assert_eq!(t.tensor_shape.as_ref().unwrap().dim[0].size, 0);
        }
        other => panic!("{other:?}"),
    }
    let Data::Experiment(exp) = hparams_data(&events[1]) else {
        panic!("not an experiment")
    };
    assert!(before - 1.0 <= exp.time_created_secs && exp.time_created_secs <= after + 1.0);
    let names: Vec<&str> = exp.hparam_infos.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["num_units", "dropout", "optimizer"]);
    let types: Vec<i32> = exp.hparam_infos.iter().map(|h| h.r#type).collect();
    assert_eq!(
        types,
        [
            HpType::Float64 as i32,
            HpType::Float64 as i32,
            HpType::String as i32
        ]
    );
    let num = |x: f64| Value {
        kind: Some(Kind::NumberValue(x)),
    };
    let s = |x: &str| Value {
        kind: Some(Kind::StringValue(x.into())),
    };
    match &exp.hparam_infos[0].domain {
        Some(h_param_info::Domain::DomainDiscrete(l)) => {
            assert_eq!(l.values, [num(16.0), num(32.0)], "sorted")
        }
        other => panic!("{other:?}"),
    }
    match &exp.hparam_infos[1].domain {
        Some(h_param_info::Domain::DomainInterval(i)) => {
            assert_eq!((i.min_value, i.max_value), (0.1, 0.3))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(exp.hparam_infos[1].display_name, "Dropout");
    match &exp.hparam_infos[2].domain {
        Some(h_param_info::Domain::DomainDiscrete(l)) => {
            assert_eq!(l.values, [s("adam"), s("sgd")], "sorted")
        }
        other => panic!("{other:?}"),
    }
    let metrics: Vec<_> = config().metrics.iter().map(Metric::to_proto).collect();
    assert_eq!(exp.metric_infos, metrics);
    assert_eq!(exp.metric_infos[2].dataset_type, 2, "DATASET_VALIDATION");
    assert_eq!(exp.metric_infos[4].display_name, "Test accuracy");

    for (i, trial) in trials.iter().enumerate() {
        let sdir = dir.path().join(format!("run-{i}"));
        // Session dir: start info then end info, at step 0.
        let file = only_event_file(&sdir);
        check_file_name(&file);
        let events = read_events(&file);
        check_header_and_times(&events);
        assert_eq!(events.len(), 3);
        assert_eq!(value(&events[1]).tag, "_hparams_/session_start_info");
        assert_eq!(value(&events[2]).tag, "_hparams_/session_end_info");
        let Data::SessionStartInfo(start) = hparams_data(&events[1]) else {
            panic!("no start info")
        };
        let expected: Vec<(String, Value)> = trial
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_proto()))
            .collect();
        let got: Vec<(String, Value)> = start.hparams.clone().into_iter().collect();
        assert_eq!(got, expected);
        assert_eq!(
            start.group_name,
            hp_report::hparams::default_group_name(trial.iter())
        );
        assert_eq!(start.group_name, trial.group_name());
        assert!(before - 1.0 <= start.start_time_secs && start.start_time_secs <= after + 1.0);
        let Data::SessionEndInfo(end) = hparams_data(&events[2]) else {
            panic!("no end info")
        };
        assert_eq!(end.status, 1, "STATUS_SUCCESS");
        assert!(end.end_time_secs >= start.start_time_secs);

        // Sub-runs: scalars as rank-0 DT_FLOAT tensors, metadata on a tag's
        // first point only.
        for (run, tags, points) in [
            ("train", &["epoch_loss", "epoch_accuracy"][..], 3),
            ("validation", &["epoch_loss", "epoch_accuracy"][..], 3),
            ("test", &["test_accuracy"][..], 1),
        ] {
            let file = only_event_file(&sdir.join(run));
            check_file_name(&file);
            let events = read_events(&file);
            check_header_and_times(&events);
            assert_eq!(events.len(), 1 + tags.len() * points);
            for tag in tags {
                let pts: Vec<_> = events[1..]
                    .iter()
                    .filter(|e| value(e).tag == *tag)
                    .collect();
                assert_eq!(pts.len(), points, "{run}/{tag}");
                for (k, e) in pts.iter().enumerate() {
                    assert_eq!(e.step, k as i64);
                    let v = value(e);
                    let Some(summary::value::Value::Tensor(t)) = &v.value else {
                        panic!("{v:?}")
                    };
                    assert_eq!(t.dtype, DataType::DtFloat as i32);
                    assert!(t.tensor_shape.as_ref().unwrap().dim.is_empty(), "rank 0");
                    let x = f32::from_le_bytes(t.tensor_content.as_slice().try_into().unwrap());
                    let want = match *tag {
                        "epoch_loss" => loss(k as i64),
                        "test_accuracy" => 0.75,
                        _ => 0.5 + 0.1 * k as f64,
                    };
                    assert_eq!(x, want as f32);
                    if k == 0 {
                        let m = v.metadata.as_ref().expect("metadata on the first point");
                        assert_eq!(m.plugin_data.as_ref().unwrap().plugin_name, "scalars");
                        assert_eq!(m.data_class, 1, "DATA_CLASS_SCALAR");
                    } else {
                        assert!(v.metadata.is_none(), "metadata only on the first point");
                    }
                }
            }
        }
    }
}

/// Reads the status a session dir records: `None` without end info.
fn status_on_disk(sdir: &Path) -> Option<i32> {
    let events = dir_events(sdir);
    events[1..]
        .iter()
        .filter_map(|e| match hparams_data(e) {
            Data::SessionEndInfo(end) => Some(end.status),
            _ => None,
        })
        .next_back()
}

fn trial() -> Trial {
    Trial::new()
        .with("num_units", 16)
        .with("dropout", 0.2)
        .with("optimizer", "adam")
}

#[test]
fn a_panic_records_failure_and_a_plain_drop_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let exp = ExperimentWriter::create(dir.path(), &config()).unwrap();

    let mut s = exp.session("panicked", &trial()).unwrap();
    let joined = std::thread::spawn(move || {
        s.scalar("train", "epoch_loss", 0, 0.5).unwrap();
        panic!("training blew up (expected by this test)");
    })
    .join();
    assert!(joined.is_err());
    assert_eq!(status_on_disk(&dir.path().join("panicked")), Some(2));
    // The scalar buffered before the panic was flushed.
    assert_eq!(dir_events(&dir.path().join("panicked/train")).len(), 2);

    let mut s = exp.session("dropped", &trial()).unwrap();
    s.scalar("validation", "epoch_loss", 0, 0.5).unwrap();
    drop(s);
    assert_eq!(status_on_disk(&dir.path().join("dropped")), None);
    assert_eq!(dir_events(&dir.path().join("dropped/validation")).len(), 2);

    let s = exp.session("failed", &trial()).unwrap();
    s.end(Status::Failure).unwrap();
    assert_eq!(status_on_disk(&dir.path().join("failed")), Some(2));
}

#[test]
fn sessions_run_on_parallel_threads() {
    let dir = tempfile::tempdir().unwrap();
    let exp = ExperimentWriter::create(dir.path(), &config()).unwrap();
    let trials = grid(exp.config(), 2).unwrap();
    std::thread::scope(|scope| {
        for (i, t) in trials.iter().enumerate() {
            let exp = &exp;
            scope.spawn(move || {
                let mut s = exp.session(&format!("run-{i:02}"), t).unwrap();
                for epoch in 0..5 {
                    s.scalar("train", "epoch_loss", epoch, loss(epoch)).unwrap();
                }
                s.end(Status::Success).unwrap();
            });
        }
    });
    for i in 0..trials.len() {
        let sdir = dir.path().join(format!("run-{i:02}"));
        assert_eq!(status_on_disk(&sdir), Some(1));
        assert_eq!(dir_events(&sdir.join("train")).len(), 6);
    }
    // Nested session and sub-run names make nested directories.
    let mut s = exp.session("group-a/run-x", &trial()).unwrap();
    s.scalar("train/deeper", "epoch_loss", 0, 1.0).unwrap();
    s.end(Status::Success).unwrap();
    assert_eq!(
        dir_events(&dir.path().join("group-a/run-x/train/deeper")).len(),
        2
    );
}
