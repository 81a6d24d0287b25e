//! `--backend k8s`: one Kubernetes `batch/v1` Job per trial.

use super::Remote;

/// `--backend k8s` options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct K8sOptions {
    /// The container image.
    pub image: String,
    /// The namespace.
    pub namespace: String,
}

/// The Kubernetes client.
pub fn client(_o: &K8sOptions) -> Result<Box<dyn Remote>, String> {
    Err("--backend k8s is not available yet".into())
}
