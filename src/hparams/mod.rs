//! The hparams plugin: values, domains, the experiment config, session
//! start/end summaries, and TensorFlow's default session group name.

pub(crate) mod config;
pub(crate) mod domain;
pub mod group_name;
#[doc(hidden)]
pub mod plugin;
pub(crate) mod value;

pub use config::{DatasetKind, ExperimentConfig, HParam, Metric};
pub use domain::Domain;
pub use value::{HParamValue, Status};

use group_name::PyValue;

/// An hparam value as the Python value TensorFlow would hash.
pub fn py_value(v: &HParamValue) -> PyValue<'_> {
    match v {
        HParamValue::Bool(b) => PyValue::Bool(*b),
        HParamValue::Int(i) => PyValue::Int(*i),
        HParamValue::Float(x) => PyValue::Float(*x),
        HParamValue::Str(s) => PyValue::Str(s),
    }
}

/// TensorFlow's default `group_name` for a session with these hparams: the
/// SHA-256 of Python's canonical JSON of them (see [`group_name`]).
pub fn default_group_name<'a>(
    hparams: impl IntoIterator<Item = (&'a str, &'a HParamValue)>,
) -> String {
    group_name::group_name(hparams.into_iter().map(|(k, v)| (k, py_value(v))))
}
