//! [`RunWriter`]: the scalar writer of one sub-run of a session (`train`,
//! `validation`, ...), which rejects steps that TensorBoard would lose.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::event::{EventFileWriter, FlushPolicy};

/// Writes scalars into one run directory (one event file), e.g.
/// `LOGDIR/run-0/validation`. Get one from [`crate::Session::run`].
///
/// **Steps must strictly increase per tag.** TensorBoard's default (Rust)
/// loader keeps, per (run, tag), only points whose step is below a newly read
/// one: writing step 3 after steps 0..=5 silently deletes 3, 4 and 5, and
/// several points at one step leave only the last. So
/// [`RunWriter::scalar`] returns an error for a step that is not greater
/// than the tag's previous step in this run, instead of writing a point that
/// would erase history. Different tags are independent.
///
/// Values are stored as `f32` rank-0 tensors, as TensorFlow 2 writes them;
/// NaN and ±infinity are stored as such and TensorBoard shows them as
/// `NaN`/`Infinity`.
#[derive(Debug)]
pub struct RunWriter {
    writer: EventFileWriter,
    last_steps: HashMap<String, i64>,
}

impl RunWriter {
    /// Creates the directory `dir` and an event file in it.
    pub(crate) fn create(dir: &Path, policy: FlushPolicy) -> Result<Self> {
        Ok(RunWriter {
            writer: EventFileWriter::with_policy(dir, policy)?,
            last_steps: HashMap::new(),
        })
    }

    /// Appends `value` for `tag` at `step`.
    ///
    /// Errors: an empty tag; a step not greater than this tag's previous
    /// step in this run; a failed write.
    pub fn scalar(&mut self, tag: &str, step: i64, value: f64) -> Result<()> {
        if tag.is_empty() {
            return Err(Error::invalid("scalar tag must not be empty"));
        }
        if let Some(&last) = self.last_steps.get(tag) {
            if step <= last {
                return Err(Error::invalid(format!(
                    "tag {tag:?} in {}: step {step} after step {last}; steps must \
                     increase per tag (TensorBoard drops earlier points with a step \
                     >= a new one)",
                    self.dir().display()
                )));
            }
        }
        self.writer.write_scalar(tag, step, value)?;
        match self.last_steps.get_mut(tag) {
            Some(last) => *last = step,
            None => {
                self.last_steps.insert(tag.to_string(), step);
            }
        }
        Ok(())
    }

    /// The last step written for `tag`, if any.
    pub fn last_step(&self, tag: &str) -> Option<i64> {
        self.last_steps.get(tag).copied()
    }

    /// Writes buffered records to the file now.
    pub fn flush(&mut self) -> Result<()> {
        self.writer.flush()
    }

    /// The run's directory.
    pub fn dir(&self) -> &Path {
        self.writer.path().parent().unwrap_or(Path::new(""))
    }

    /// The event file's path.
    pub fn path(&self) -> &Path {
        self.writer.path()
    }

    /// The underlying event file writer, to write other summaries (images,
    /// histograms, ...). Scalars written through it bypass the step check.
    pub fn event_writer(&mut self) -> &mut EventFileWriter {
        &mut self.writer
    }

    /// Flushes, fsyncs and closes the file.
    pub(crate) fn close(self) -> Result<()> {
        self.writer.close()
    }

    /// Flushes and closes the file without an fsync (see
    /// [`EventFileWriter::close_unsynced`]).
    pub(crate) fn close_unsynced(self) -> Result<()> {
        self.writer.close_unsynced()
    }
}
