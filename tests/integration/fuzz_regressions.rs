//! Inputs that once broke a parser, kept as regression tests: every file
//! under `tests/data/fuzz/<target>/` goes through what the cargo-fuzz target
//! of that name does (see `fuzz/fuzz_targets/`), minus the coverage
//! machinery. Add a minimized crash (`fuzz/artifacts/<target>/crash-*`) by
//! copying it into the matching directory.

use std::fs;
use std::path::{Path, PathBuf};

use hp_report::event::view::{summary_values, EventView, Payload};
use hp_report::event::{EventFileWriter, FlushPolicy};
use hp_report::hparams::plugin::{decode_plugin_data, session_start_summary};
use hp_report::hparams::{default_group_name, HParamValue};
use hp_report::logdir::{self, LoadOptions};
use hp_report::proto::tensorboard::hparams::h_params_plugin_data::Data;
use hp_report::proto::tensorboard::{Event, Summary};
use hp_report::record::{RecordReader, DEFAULT_MAX_RECORD_LEN};
use hp_report::summary::scalar_of;
use prost::Message;

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(target);
    let mut files: Vec<_> = match fs::read_dir(&dir) {
        Ok(d) => d.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

#[test]
fn record_reader() {
    for path in inputs("record_reader") {
        let input = fs::read(&path).unwrap();
        if input.len() < 3 {
            continue;
        }
        let (cfg, data) = input.split_at(3);
        let max = match cfg[0] & 3 {
            0 => DEFAULT_MAX_RECORD_LEN,
            1 => 0,
            2 => u64::from(cfg[0] >> 3),
            _ if cfg[0] >> 3 == 31 => u64::MAX,
            _ => 1 << (cfg[0] >> 3),
        };
        let mut r = RecordReader::new(data)
            .max_record_len(max)
            .resync(cfg[0] & 4 == 0);
        for _ in 0..2 * data.len() + 8 {
            match r.next_record() {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) if e.is_incomplete() => break,
                Err(_) => {}
            }
        }
    }
}

fn check_summary(bytes: &[u8]) {
    let views: Vec<_> = summary_values(bytes).collect();
    for v in views.iter().flatten() {
        let _ = v.scalar();
    }
    if let (Ok(p), Ok(views)) = (
        Summary::decode(bytes),
        views.into_iter().collect::<Result<Vec<_>, _>>(),
    ) {
        assert_eq!(p.value.len(), views.len());
        for (v, p) in views.iter().zip(&p.value) {
            let (a, b) = (v.scalar(), scalar_of(p));
            assert!(
                a.map(f64::to_bits) == b.map(f64::to_bits)
                    || (a.is_some_and(f64::is_nan) && b.is_some_and(f64::is_nan)),
                "{a:?} vs {b:?}"
            );
        }
    }
}

#[test]
fn event_view() {
    for path in inputs("event_view") {
        let data = fs::read(&path).unwrap();
        if let Ok(v) = EventView::parse(&data) {
            if let Payload::Summary(s) = v.payload {
                check_summary(s);
            }
            if let Ok(e) = Event::decode(&data[..]) {
                assert_eq!(v.wall_time.to_bits(), e.wall_time.to_bits());
                assert_eq!(v.step, e.step);
            }
        }
        check_summary(&data);
    }
}

#[test]
fn hparams_plugin() {
    for path in inputs("hparams_plugin") {
        let data = fs::read(&path).unwrap();
        if let Ok(Data::SessionStartInfo(s)) = decode_plugin_data(&data) {
            let values: Vec<(String, HParamValue)> = s
                .hparams
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), HParamValue::from_proto(v)?)))
                .collect();
            let _ = default_group_name(values.iter().map(|(k, v)| (k.as_str(), v)));
        }
    }
}

#[test]
fn logdir_file() {
    for path in inputs("logdir_file") {
        let input = fs::read(&path).unwrap();
        let Some((&where_to, data)) = input.split_first() else {
            continue;
        };
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        let lr = HParamValue::Float(0.1);
        let mut w =
            EventFileWriter::with_policy(root.join("good"), FlushPolicy::immediate()).unwrap();
        w.write_summary(0, session_start_summary([("lr", &lr)], "", 1.0))
            .unwrap();
        w.close().unwrap();
        let dir = match where_to & 3 {
            0 => root.to_path_buf(),
            1 => root.join("good"),
            2 => root.join("good/train"),
            _ => root.join("fuzzed"),
        };
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("events.out.tfevents.9999999999.fuzz"), data).unwrap();
        let ld = logdir::load(root, &LoadOptions::default()).unwrap();
        let good = ld.session("good").expect("intact session");
        assert_eq!(good.hparams.get("lr"), Some(&lr), "{}", path.display());
    }
}
