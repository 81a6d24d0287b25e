//! Helpers shared by the writer tests: read back what the trainer API wrote.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use hp_report::proto::tensorboard::hparams::h_params_plugin_data::Data;
use hp_report::proto::tensorboard::{event, summary, Event};
use hp_report::record::RecordReader;
use prost::Message;

/// The tfevents files directly in `dir`, sorted by name.
pub fn event_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read_dir {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .contains("tfevents")
        })
        .collect();
    files.sort();
    files
}

/// The single event file in `dir`.
pub fn only_event_file(dir: &Path) -> PathBuf {
    let files = event_files(dir);
    assert_eq!(files.len(), 1, "{}: {files:?}", dir.display());
    files.into_iter().next().unwrap()
}

/// Every event of a file; panics on damage or a trailing partial record.
pub fn read_events(path: &Path) -> Vec<Event> {
    let bytes = fs::read(path).unwrap();
    let mut r = RecordReader::new(&bytes[..]);
    let mut out = Vec::new();
    while let Some(rec) = r.next_record().unwrap() {
        out.push(Event::decode(rec).unwrap());
    }
    assert_eq!(
        r.offset(),
        bytes.len() as u64,
        "trailing bytes in {}",
        path.display()
    );
    out
}

/// The events of the single event file in `dir`.
pub fn dir_events(dir: &Path) -> Vec<Event> {
    read_events(&only_event_file(dir))
}

/// The single summary value of a summary event.
pub fn value(ev: &Event) -> &summary::Value {
    match &ev.what {
        Some(event::What::Summary(s)) => {
            assert_eq!(s.value.len(), 1);
            &s.value[0]
        }
        other => panic!("not a summary event: {other:?}"),
    }
}

/// The hparams plugin data of an `_hparams_/*` summary event.
pub fn hparams_data(ev: &Event) -> Data {
    let v = value(ev);
    let meta = v.metadata.as_ref().expect("hparams metadata");
    let pd = meta.plugin_data.as_ref().expect("plugin data");
    assert_eq!(pd.plugin_name, "hparams");
    hp_report::hparams::plugin::decode_plugin_data(&pd.content).unwrap()
}

/// The raw `HParamsPluginData` bytes of an `_hparams_/*` summary event.
pub fn hparams_content(ev: &Event) -> &[u8] {
    &value(ev)
        .metadata
        .as_ref()
        .unwrap()
        .plugin_data
        .as_ref()
        .unwrap()
        .content
}

/// Seconds since the epoch.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}
