//! Reading one run: its event files in order, into scalar series and hparams
//! records, applying TensorBoard's first-metadata-wins rule per tag.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use prost::Message;

use crate::event::view::{lone_scalar, summary_values, Payload, ValueKind, ValueView};
use crate::event::EventFileReader;
use crate::hparams::plugin::{
    decode_plugin_data, EXPERIMENT_TAG, PLUGIN_NAME, SESSION_END_INFO_TAG, SESSION_START_INFO_TAG,
};

const EXPERIMENT_TAG_B: &[u8] = EXPERIMENT_TAG.as_bytes();
const START_TAG_B: &[u8] = SESSION_START_INFO_TAG.as_bytes();
const END_TAG_B: &[u8] = SESSION_END_INFO_TAG.as_bytes();
use crate::logdir::series::{Point, ScalarMap, Series, SeriesOptions};
use crate::logdir::source::{EventFile, Source};
use crate::logdir::Warning;
use crate::proto::tensorboard::hparams::{
    h_params_plugin_data::Data, Experiment, SessionEndInfo, SessionStartInfo,
};
use crate::proto::tensorboard::{DataClass, SummaryMetadata, TensorProto};
use crate::record::RecordError;
use crate::summary::SCALARS_PLUGIN;

/// The text summary tag under which Hugging Face's Trainer writes its
/// TrainingArguments (`add_text("args", …)` appends `/text_summary`).
pub const ARGS_TEXT_TAG: &str = "args/text_summary";

/// The text of a text-plugin summary tensor (its first string), if it is one.
pub(crate) fn text_of(tensor: &[u8]) -> Option<String> {
    let t = TensorProto::decode(tensor).ok()?;
    let first = t.string_val.first()?;
    Some(String::from_utf8_lossy(first).into_owned())
}

/// The hparams summaries of a run (the first of each tag, as TensorBoard
/// keeps them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunHParams {
    /// `_hparams_/experiment` (or any tag carrying an Experiment).
    pub experiment: Option<Box<Experiment>>,
    /// `_hparams_/session_start_info`.
    pub session_start: Option<Box<SessionStartInfo>>,
    /// `_hparams_/session_end_info`.
    pub session_end: Option<SessionEndInfo>,
    /// The first text summary `args/text_summary` (Hugging Face's Trainer
    /// writes its TrainingArguments there as JSON), read for
    /// [`RunsInfo`](crate::logdir::RunsInfo).
    pub args_text: Option<String>,
}

/// Everything read from one run.
#[derive(Clone, Debug, Default)]
pub struct RunData {
    /// Run name (`.` for the logdir root).
    pub name: String,
    /// The run's event files, in read order.
    pub files: Vec<PathBuf>,
    /// Scalar series by tag.
    pub scalars: ScalarMap<String>,
    /// hparams summaries.
    pub hparams: RunHParams,
    /// Smallest wall time seen (TensorBoard's run start time), if any event.
    pub start_time: Option<f64>,
    /// Events read.
    pub events: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Partial records at the ends of files (file, offset): still being
    /// written, or cut off.
    pub tails: Vec<(PathBuf, u64)>,
}

/// How a tag was classified by its first value.
enum TagKind {
    Scalar(usize),
    /// hparams or any non-scalar plugin: nothing more to read.
    Ignored,
    /// A scalar tag whose value could not be read (reported once).
    Broken,
}

/// The tags of a run and what each is.
///
/// Looked up once per summary value, so it is on the hot path. Writers log
/// the same few tags in the same order step after step, so the table first
/// tries the tag after the last one found (one compare of a few bytes),
/// and only then the hash map.
#[derive(Default)]
struct TagTable {
    entries: Vec<(Box<[u8]>, TagKind)>,
    index: HashMap<Box<[u8]>, usize>,
    last: usize,
}

impl TagTable {
    #[inline(always)]
    fn get_mut(&mut self, tag: &[u8]) -> Option<&mut TagKind> {
        let n = self.entries.len();
        if n == 0 {
            return None;
        }
        let guess = if self.last + 1 < n { self.last + 1 } else { 0 };
        let i = if same_tag(&self.entries[guess].0, tag) {
            guess
        } else {
            *self.index.get(tag)?
        };
        self.last = i;
        Some(&mut self.entries[i].1)
    }

    fn insert(&mut self, tag: &[u8], kind: TagKind) {
        self.last = self.entries.len();
        self.index.insert(tag.into(), self.entries.len());
        self.entries.push((tag.into(), kind));
    }
}

/// `a == b` for the tag compared on every scalar event, without a call to
/// `memcmp` for the usual lengths (8 to 32 bytes: compared 8 bytes at a
/// time, the last word overlapping).
#[inline]
fn same_tag(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if !(8..=32).contains(&n) {
        return a == b;
    }
    let mut i = 0;
    while i + 8 < n {
        if a[i..i + 8] != b[i..i + 8] {
            return false;
        }
        i += 8;
    }
    a[n - 8..] == b[n - 8..]
}

/// The state of reading one run, fed file by file (and, when following a
/// growing logdir, a file's new records at a time). Reading the same records
/// in the same order gives the same [`RunData`] however they were split.
#[derive(Default)]
pub(crate) struct RunReader {
    tags: TagTable,
    series: Vec<(Box<[u8]>, Series)>,
    hparams: RunHParams,
    start: f64,
    events: u64,
    bytes: u64,
}

/// One [`RunReader::read`]'s state for the summaries off the fast path.
struct Reading<'a> {
    tags: &'a mut TagTable,
    series: &'a mut Vec<(Box<[u8]>, Series)>,
    hparams: &'a mut RunHParams,
    opts: &'a SeriesOptions,
    path: &'a Path,
    /// Undecodable summary values: how many, and the first one's record.
    bad_values: (u64, u64),
    /// Notes on tags, in file order.
    found: Vec<Warning>,
}

impl Reading<'_> {
    /// Every value of one summary: a new tag, several values, a value that
    /// is not a scalar, damage. Out of line, so that the loop around the
    /// fast path stays small enough to be inlined into the reader.
    #[inline(never)]
    fn summary(&mut self, summary: &[u8], step: i64, wall_time: f64, offset: u64) {
        for v in summary_values(summary) {
            let Ok(v) = v else {
                if self.bad_values.0 == 0 {
                    self.bad_values.1 = offset;
                }
                self.bad_values.0 += 1;
                continue;
            };
            let tag = v.effective_tag();
            let Some(kind) = self.tags.get_mut(tag) else {
                // The first value of a tag decides what it is (and, for a
                // scalar, is its first point).
                let at = Place {
                    path: self.path,
                    offset,
                };
                let k = classify(
                    &v,
                    self.hparams,
                    self.series,
                    self.opts,
                    step,
                    wall_time,
                    &mut self.found,
                    at,
                );
                self.tags.insert(tag, k);
                continue;
            };
            if let TagKind::Scalar(i) = kind {
                match v.scalar() {
                    Some(value) => self.series[*i].1.push(
                        Point {
                            step,
                            wall_time,
                            value,
                        },
                        self.opts,
                    ),
                    None => {
                        self.found.push(Warning::at(
                            self.path.to_path_buf(),
                            offset,
                            format!(
                                "scalar tag {:?}: a value that is not a single number (dropped, and the tag's later values too)",
                                String::from_utf8_lossy(tag)
                            ),
                        ));
                        *kind = TagKind::Broken;
                    }
                }
            }
        }
    }
}

impl RunReader {
    pub(crate) fn new() -> Self {
        RunReader {
            start: f64::INFINITY,
            ..Default::default()
        }
    }

    /// Reads what `reader` has now; returns the partial record at the end of
    /// the file, if any.
    pub(crate) fn read<R: std::io::Read>(
        &mut self,
        reader: &mut EventFileReader<R>,
        opts: &SeriesOptions,
        warnings: &mut Vec<Warning>,
    ) -> Option<RecordError> {
        let path = reader.path().to_path_buf();
        let (events_before, bytes_before) = (reader.events_read(), reader.offset());
        let mut problems = Vec::new();
        let start = &mut self.start;
        let mut r = Reading {
            tags: &mut self.tags,
            series: &mut self.series,
            hparams: &mut self.hparams,
            opts,
            path: &path,
            bad_values: (0, 0),
            found: Vec::new(),
        };
        let tail = reader.read_events_at(
            |offset, ev| {
                if ev.wall_time < *start {
                    *start = ev.wall_time;
                }
                let Payload::Summary(summary) = ev.payload else {
                    return;
                };
                // The common case: one more point of a known scalar tag.
                if let Some((tag, value)) = lone_scalar(summary) {
                    if let Some(TagKind::Scalar(i)) = r.tags.get_mut(tag) {
                        let p = Point {
                            step: ev.step,
                            wall_time: ev.wall_time,
                            value,
                        };
                        r.series[*i].1.push(p, opts);
                        return;
                    }
                }
                r.summary(summary, ev.step, ev.wall_time, offset);
            },
            |problem| problems.push(problem),
        );
        let Reading {
            mut found,
            bad_values,
            ..
        } = r;
        // In file order: damage and tag notes interleave by offset.
        found.extend(problems);
        if bad_values.0 > 0 {
            found.push(Warning::at(
                path.clone(),
                bad_values.1,
                format!(
                    "{} summary values could not be decoded (skipped; the first is in the record here)",
                    bad_values.0
                ),
            ));
        }
        found.sort_by_key(|w| w.offset);
        warnings.append(&mut found);
        self.events += reader.events_read() - events_before;
        self.bytes += reader.offset().saturating_sub(bytes_before);
        tail
    }

    /// Events read so far.
    pub(crate) fn events(&self) -> u64 {
        self.events
    }

    /// The run as read so far.
    pub(crate) fn snapshot(
        &self,
        name: &str,
        files: &[PathBuf],
        tails: &[(PathBuf, u64)],
    ) -> RunData {
        RunData {
            name: name.to_string(),
            files: files.to_vec(),
            scalars: self
                .series
                .iter()
                .map(|(tag, s)| (String::from_utf8_lossy(tag).into_owned(), s.clone()))
                .collect(),
            hparams: self.hparams.clone(),
            start_time: self.start.is_finite().then_some(self.start),
            events: self.events,
            bytes: self.bytes,
            tails: tails.to_vec(),
        }
    }

    /// The run as read, without copying the series.
    fn finish(self, name: String, files: Vec<PathBuf>, tails: Vec<(PathBuf, u64)>) -> RunData {
        RunData {
            name,
            files,
            scalars: self
                .series
                .into_iter()
                .map(|(tag, s)| (String::from_utf8_lossy(&tag).into_owned(), s))
                .collect(),
            hparams: self.hparams,
            start_time: self.start.is_finite().then_some(self.start),
            events: self.events,
            bytes: self.bytes,
            tails,
        }
    }
}

/// The message for a file that ends inside a record.
pub(crate) fn tail_warning(path: &Path, tail: &RecordError) -> Option<Warning> {
    let RecordError::Truncated { offset, have, need } = *tail else {
        return None;
    };
    let need = if need <= 12 {
        "a record header".to_string()
    } else {
        format!("{need} bytes")
    };
    Some(Warning::at(
        path.to_path_buf(),
        offset,
        format!(
            "incomplete record at the end of the file (still being written, or cut off): \
             {have} bytes of {need} present (ignored)"
        ),
    ))
}

/// Reads the files of one run in order from `source`. A partial record at
/// the end of a file is kept in [`RunData::tails`] and reported once as a
/// warning.
pub(crate) fn read_run(
    source: &dyn Source,
    name: String,
    files: Vec<EventFile>,
    opts: &SeriesOptions,
    warnings: &mut Vec<Warning>,
) -> RunData {
    let mut run = RunReader::new();
    let mut tails = Vec::new();
    // One read buffer per thread, reused for every file it reads.
    thread_local! {
        static BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    }
    for file in &files {
        let path = &file.path;
        let src = match source.open(file, 0) {
            Ok(src) => src,
            Err(e) => {
                warnings.push(Warning::file(path.clone(), format!("cannot open: {e}")));
                continue;
            }
        };
        let mut reader = EventFileReader::from_reader(path.clone(), src, BUFFER.take());
        if let Some(tail) = run.read(&mut reader, opts, warnings) {
            if let RecordError::Truncated { offset, .. } = tail {
                tails.push((path.clone(), offset));
            }
            if !reader.tail_reported() {
                warnings.extend(tail_warning(path, &tail));
            }
        }
        BUFFER.set(reader.into_buffer());
    }
    let files = files.into_iter().map(|f| f.path).collect();
    run.finish(name, files, tails)
}

/// A place in a file, for warnings.
#[derive(Clone, Copy)]
struct Place<'a> {
    path: &'a Path,
    offset: u64,
}

/// Decides what a tag is from its first value, as TensorBoard does, and
/// takes the hparams payload if it is one.
#[allow(clippy::too_many_arguments)]
fn classify(
    v: &ValueView<'_>,
    hparams: &mut RunHParams,
    series: &mut Vec<(Box<[u8]>, Series)>,
    opts: &SeriesOptions,
    step: i64,
    wall_time: f64,
    warnings: &mut Vec<Warning>,
    at: Place<'_>,
) -> TagKind {
    let tag = v.effective_tag();
    let meta = v.metadata.and_then(|m| SummaryMetadata::decode(m).ok());
    let plugin = meta
        .as_ref()
        .and_then(|m| m.plugin_data.as_ref())
        .map(|p| p.plugin_name.as_str())
        .unwrap_or("");
    let data_class = meta.as_ref().map(|m| m.data_class).unwrap_or(0);
    let scalar = match v.kind {
        ValueKind::SimpleValue(_) => true,
        ValueKind::Tensor(_) | ValueKind::None => {
            plugin == SCALARS_PLUGIN && (data_class == 0 || data_class == DataClass::Scalar as i32)
        }
        ValueKind::Other => false,
    };
    if scalar {
        let Some(value) = v.scalar() else {
            warnings.push(Warning::at(
                at.path.to_path_buf(),
                at.offset,
                format!(
                    "scalar tag {:?} holds a value that is not a single number (tag skipped)",
                    String::from_utf8_lossy(tag)
                ),
            ));
            return TagKind::Broken;
        };
        series.push((
            tag.into(),
            Series::new(
                Point {
                    step,
                    wall_time,
                    value,
                },
                opts,
            ),
        ));
        return TagKind::Scalar(series.len() - 1);
    }
    if plugin == PLUGIN_NAME && (data_class == 0 || data_class == DataClass::Tensor as i32) {
        let content = meta
            .as_ref()
            .and_then(|m| m.plugin_data.as_ref())
            .map(|p| p.content.as_slice())
            .unwrap_or(&[]);
        // TensorBoard reads each payload from its own tag only.
        let data = decode_plugin_data(content);
        match (tag, data) {
            (EXPERIMENT_TAG_B, Ok(Data::Experiment(e))) => {
                hparams.experiment.get_or_insert_with(|| Box::new(e));
            }
            (START_TAG_B, Ok(Data::SessionStartInfo(s))) => {
                hparams.session_start.get_or_insert_with(|| Box::new(s));
            }
            (END_TAG_B, Ok(Data::SessionEndInfo(e))) => {
                hparams.session_end.get_or_insert(e);
            }
            (EXPERIMENT_TAG_B | START_TAG_B | END_TAG_B, Ok(_)) => warnings.push(Warning::at(
                at.path.to_path_buf(),
                at.offset,
                format!(
                    "hparams tag {:?} holds another kind of hparams data (ignored, as TensorBoard does)",
                    String::from_utf8_lossy(tag)
                ),
            )),
            (EXPERIMENT_TAG_B | START_TAG_B | END_TAG_B, Err(e)) => warnings.push(Warning::at(
                at.path.to_path_buf(),
                at.offset,
                format!("hparams tag {:?}: {e} (ignored)", String::from_utf8_lossy(tag)),
            )),
            // Other hparams-plugin tags are not read by TensorBoard either.
            _ => {}
        }
    }
    if plugin == "text" && tag == ARGS_TEXT_TAG.as_bytes() {
        if let ValueKind::Tensor(t) = v.kind {
            hparams.args_text = text_of(t);
        }
    }
    TagKind::Ignored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_tag_is_byte_equality() {
        let words: Vec<Vec<u8>> = (0..40)
            .map(|n| (0..n).map(|i| b'a' + (i % 26) as u8).collect())
            .collect();
        for a in &words {
            for b in &words {
                assert_eq!(same_tag(a, b), a == b);
            }
            // One byte changed anywhere.
            for i in 0..a.len() {
                let mut c = a.clone();
                c[i] ^= 1;
                assert!(!same_tag(a, &c), "{} bytes, byte {i}", a.len());
            }
        }
    }

    #[test]
    fn text_summaries_decode() {
        let t = TensorProto {
            dtype: 7,
            string_val: vec![b"{\"a\": 1}".to_vec()],
            ..Default::default()
        };
        assert_eq!(text_of(&t.encode_to_vec()).as_deref(), Some("{\"a\": 1}"));
        assert_eq!(text_of(b"\xff\xff"), None);
    }
}
