//! The experiment config: hparams with their domains and the metrics to show,
//! as a trainer declares them and as `_hparams_/experiment` stores them.

use crate::error::{Error, Result};
use crate::hparams::domain::Domain;
use crate::hparams::value::HParamValue;
use crate::proto::tensorboard::hparams::{
    DatasetType, Experiment as ProtoExperiment, HParamInfo, MetricInfo, MetricName,
};

/// One hyperparameter: a name, its domain, and how to show it.
#[derive(Clone, Debug, PartialEq)]
pub struct HParam {
    /// The key used in session values.
    pub name: String,
    /// Allowed values (`None`: any value, stored without a domain).
    pub domain: Option<Domain>,
    /// Name shown instead of `name` ("" for none).
    pub display_name: String,
    /// Markdown description.
    pub description: String,
}

impl HParam {
    /// An hparam with a domain.
    pub fn new(name: impl Into<String>, domain: Domain) -> Self {
        HParam {
            name: name.into(),
            domain: Some(domain),
            display_name: String::new(),
            description: String::new(),
        }
    }

    /// An hparam without a domain (TensorBoard shows its values as seen).
    pub fn free(name: impl Into<String>) -> Self {
        HParam {
            name: name.into(),
            domain: None,
            display_name: String::new(),
            description: String::new(),
        }
    }

    /// Sets the display name.
    pub fn display_name(mut self, s: impl Into<String>) -> Self {
        self.display_name = s.into();
        self
    }

    /// Sets the description.
    pub fn description(mut self, s: impl Into<String>) -> Self {
        self.description = s.into();
        self
    }

    /// Checks a session's value for this hparam: finite if a number, inside
    /// the domain if there is one.
    pub fn check(&self, v: &HParamValue) -> Result<()> {
        if v.as_f64().is_some_and(|x| !x.is_finite()) {
            return Err(Error::invalid(format!(
                "hparam {:?}: value {v} is not finite",
                self.name
            )));
        }
        if let Some(d) = &self.domain {
            if !d.contains(v) {
                return Err(Error::invalid(format!(
                    "hparam {:?}: value {v:?} is outside its domain {d:?}",
                    self.name
                )));
            }
        }
        Ok(())
    }

    /// As `HParamInfo`.
    pub fn to_proto(&self) -> HParamInfo {
        HParamInfo {
            name: self.name.clone(),
            display_name: self.display_name.clone(),
            description: self.description.clone(),
            r#type: self
                .domain
                .as_ref()
                .map(|d| d.data_type() as i32)
                .unwrap_or(0),
            domain: self.domain.as_ref().map(Domain::to_proto),
            differs: false,
        }
    }
}

/// Which data a metric is computed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DatasetKind {
    /// Not said.
    #[default]
    Unknown,
    /// Training data.
    Training,
    /// Validation data.
    Validation,
}

/// A metric column: the scalar `tag` written in the sub-run `group` of each
/// session (e.g. tag `epoch_accuracy`, group `validation`; group "" for the
/// session's own directory).
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    /// Scalar tag.
    pub tag: String,
    /// Sub-run of the session directory ("" for the session directory).
    pub group: String,
    /// Name shown instead of the tag.
    pub display_name: String,
    /// Markdown description.
    pub description: String,
    /// Training or validation data.
    pub dataset: DatasetKind,
}

impl Metric {
    /// A metric `tag` in the session directory itself; add `.group(..)`.
    pub fn new(tag: impl Into<String>) -> Self {
        Metric {
            tag: tag.into(),
            group: String::new(),
            display_name: String::new(),
            description: String::new(),
            dataset: DatasetKind::Unknown,
        }
    }

    /// Sets the sub-run (e.g. `validation`).
    pub fn group(mut self, g: impl Into<String>) -> Self {
        self.group = g.into();
        self
    }

    /// Sets the display name.
    pub fn display_name(mut self, s: impl Into<String>) -> Self {
        self.display_name = s.into();
        self
    }

    /// Sets the description.
    pub fn description(mut self, s: impl Into<String>) -> Self {
        self.description = s.into();
        self
    }

    /// Sets the dataset kind.
    pub fn dataset(mut self, d: DatasetKind) -> Self {
        self.dataset = d;
        self
    }

    /// As `MetricInfo`.
    pub fn to_proto(&self) -> MetricInfo {
        MetricInfo {
            name: Some(MetricName {
                group: self.group.clone(),
                tag: self.tag.clone(),
            }),
            display_name: self.display_name.clone(),
            description: self.description.clone(),
            dataset_type: match self.dataset {
                DatasetKind::Unknown => DatasetType::DatasetUnknown,
                DatasetKind::Training => DatasetType::DatasetTraining,
                DatasetKind::Validation => DatasetType::DatasetValidation,
            } as i32,
        }
    }
}

/// An experiment: its hparams and metrics (TensorBoard's table columns).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ExperimentConfig {
    /// Experiment name ("" for none).
    pub name: String,
    /// Markdown description.
    pub description: String,
    /// Who ran it.
    pub user: String,
    /// The hparams, in the order given.
    pub hparams: Vec<HParam>,
    /// The metrics, in the order given.
    pub metrics: Vec<Metric>,
}

impl ExperimentConfig {
    /// An empty config.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an hparam.
    pub fn hparam(mut self, h: HParam) -> Self {
        self.hparams.push(h);
        self
    }

    /// Adds a metric.
    pub fn metric(mut self, m: Metric) -> Self {
        self.metrics.push(m);
        self
    }

    /// Sets the description.
    pub fn description(mut self, s: impl Into<String>) -> Self {
        self.description = s.into();
        self
    }

    /// Checks names: non-empty, no duplicate hparam names or metrics.
    pub fn validate(&self) -> Result<()> {
        let mut names = std::collections::HashSet::new();
        for h in &self.hparams {
            if h.name.is_empty() {
                return Err(Error::invalid("hparam name must not be empty"));
            }
            if !names.insert(h.name.as_str()) {
                return Err(Error::invalid(format!(
                    "hparam {:?} declared twice",
                    h.name
                )));
            }
        }
        let mut metrics = std::collections::HashSet::new();
        for m in &self.metrics {
            if m.tag.is_empty() {
                return Err(Error::invalid("metric tag must not be empty"));
            }
            if !metrics.insert((m.group.as_str(), m.tag.as_str())) {
                return Err(Error::invalid(format!(
                    "metric {:?} in group {:?} declared twice",
                    m.tag, m.group
                )));
            }
        }
        Ok(())
    }

    /// The hparam called `name`.
    pub fn get(&self, name: &str) -> Option<&HParam> {
        self.hparams.iter().find(|h| h.name == name)
    }

    /// As the `Experiment` message, created at `time_created_secs`.
    pub fn to_proto(&self, time_created_secs: f64) -> ProtoExperiment {
        ProtoExperiment {
            name: self.name.clone(),
            description: self.description.clone(),
            user: self.user.clone(),
            time_created_secs,
            hparam_infos: self.hparams.iter().map(HParam::to_proto).collect(),
            metric_infos: self.metrics.iter().map(Metric::to_proto).collect(),
        }
    }
}
