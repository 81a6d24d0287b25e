//! `--backend ray`: one Ray job per trial through the Jobs REST API.

use super::{EngineError, JobSpec, JobState, Output, Remote};

/// `--backend ray` options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RayOptions {
    /// The dashboard's address, `http://127.0.0.1:8265`.
    pub address: String,
    /// Between state polls (default 1 s).
    pub poll: Option<std::time::Duration>,
}

/// The Ray Jobs client.
pub struct Ray {
    _opts: RayOptions,
}

impl Ray {
    /// A client of the Ray head at `opts.address`.
    pub fn new(opts: RayOptions) -> Result<Self, String> {
        Ok(Ray { _opts: opts })
    }
}

impl Remote for Ray {
    fn name(&self) -> &'static str {
        "ray"
    }
    fn submit(&mut self, _job: &JobSpec) -> Result<String, EngineError> {
        Err(EngineError::transient("not yet"))
    }
    fn poll(&mut self, _id: &str) -> Result<JobState, EngineError> {
        Err(EngineError::transient("not yet"))
    }
    fn cancel(&mut self, _id: &str, _force: bool) -> Result<(), EngineError> {
        Ok(())
    }
    fn output(&mut self, _id: &str) -> Result<Output, EngineError> {
        Ok(Output::Files)
    }
}
