//! `--backend k8s`: one Kubernetes `batch/v1` Job per trial.
//!
//! The manifest ([`job_manifest`]) is plain JSON built here, with no
//! dependency, so `tune --backend k8s --dry-run` prints the Jobs without the
//! `k8s` cargo feature. Running them needs the feature (kube-rs with
//! k8s-openapi): the follower creates the Job, polls it (`status.active`,
//! `succeeded`, `failed`; the exit code from its pod's container), fetches
//! the pod's log as the trial's `stdout.log` and metrics, and deletes the
//! Job (with its pods) to cancel.
//!
//! The container's `command` is the trial's argv itself (exec form: no
//! shell anywhere). Its environment is the trial's (`HP_<NAME>`,
//! `HP_TRIAL_DIR`, `HP_PARAMS_FILE`), so the experiment directory must be
//! mounted in the container at the same absolute path as on the runner's
//! machine: `--k8s-pvc CLAIM` mounts a PersistentVolumeClaim there (the
//! runner reads and writes the same volume, e.g. an NFS or CephFS share).
//!
//! A template (`--k8s-template FILE`, a Job in YAML or JSON) gives
//! everything else (node selectors, tolerations, sidecars, image pull
//! secrets): the runner sets its name, namespace, labels, the first
//! container's command and environment (added to the template's), and
//! `backoffLimit: 0` / `restartPolicy: Never` where the template is silent
//! (a trial is attempted once; `tune retry` makes a new attempt).

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::{JobSpec, Remote};

/// `--backend k8s` options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct K8sOptions {
    /// The container image (`--k8s-image`; or the template's).
    pub image: Option<String>,
    /// The namespace (`--k8s-namespace`, default `default`).
    pub namespace: Option<String>,
    /// CPU request and limit (`--k8s-cpu 2`).
    pub cpu: Option<String>,
    /// Memory request and limit (`--k8s-memory 8Gi`).
    pub memory: Option<String>,
    /// `nvidia.com/gpu` limit (`--k8s-gpus 1`).
    pub gpus: Option<u32>,
    /// PersistentVolumeClaim holding the experiment directory, mounted at
    /// `mount` (`--k8s-pvc`).
    pub pvc: Option<String>,
    /// Where the claim is mounted: the experiment directory's absolute path.
    pub mount: Option<PathBuf>,
    /// A Job template, YAML or JSON (`--k8s-template`).
    pub template: Option<PathBuf>,
    /// Between state polls (default 2 s).
    pub poll: Option<Duration>,
    /// Engine failures in a row before giving up (default [`super::RETRIES`]).
    pub retries: Option<u32>,
}

impl K8sOptions {
    /// The namespace, `default` when not given.
    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("default")
    }

    /// The template's Job, or an empty one.
    fn template(&self) -> Result<Value, String> {
        let Some(path) = &self.template else {
            return Ok(json!({}));
        };
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let v: Value = serde_yaml_ng::from_str(&text)
            .map_err(|e| format!("{}: not a YAML/JSON Job: {e}", path.display()))?;
        if !v.is_object() {
            return Err(format!("{}: not a Job object", path.display()));
        }
        Ok(v)
    }
}

/// The label every trial Job and its pods carry (what `kubectl get jobs
/// -l app.kubernetes.io/managed-by=hp-report` lists).
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";

/// The `batch/v1` Job of `job`.
pub fn job_manifest(o: &K8sOptions, job: &JobSpec) -> Result<Value, String> {
    let mut m = o.template()?;
    set(&mut m, &["apiVersion"], json!("batch/v1"));
    set(&mut m, &["kind"], json!("Job"));
    set(&mut m, &["metadata", "name"], json!(job.name));
    set(&mut m, &["metadata", "namespace"], json!(o.namespace()));
    for path in [
        &["metadata", "labels"][..],
        &["spec", "template", "metadata", "labels"][..],
    ] {
        let labels = obj(&mut m, path);
        labels.insert(MANAGED_BY.into(), json!("hp-report"));
        labels.insert("hp-report/job".into(), json!(job.name));
    }
    obj(&mut m, &["spec"])
        .entry("backoffLimit")
        .or_insert(json!(0));
    obj(&mut m, &["spec", "template", "spec"])
        .entry("restartPolicy")
        .or_insert(json!("Never"));
    let spec = obj(&mut m, &["spec", "template", "spec"]);
    let containers = spec
        .entry("containers")
        .or_insert_with(|| json!([{"name": "trial"}]));
    if containers.as_array().is_none_or(|a| a.is_empty()) {
        *containers = json!([{"name": "trial"}]);
    }
    let c = containers
        .get_mut(0)
        .and_then(Value::as_object_mut)
        .ok_or("the template's first container is not an object")?;
    c.entry("name").or_insert(json!("trial"));
    if let Some(image) = &o.image {
        c.insert("image".into(), json!(image));
    }
    if !c.contains_key("image") {
        return Err("--backend k8s needs --k8s-image IMAGE (or a --k8s-template with one)".into());
    }
    c.insert("command".into(), json!(job.argv));
    c.remove("args");
    let env = c.entry("env").or_insert(json!([]));
    if let Some(list) = env.as_array_mut() {
        for (k, v) in &job.env {
            list.push(json!({"name": k, "value": v}));
        }
    }
    resources(c, o);
    if let Some(claim) = &o.pvc {
        let mount = o
            .mount
            .as_ref()
            .map(|p| p.display().to_string())
            .ok_or("--k8s-pvc needs the mount path")?;
        let mounts = c.entry("volumeMounts").or_insert(json!([]));
        if let Some(list) = mounts.as_array_mut() {
            list.push(json!({"name": "hp-logdir", "mountPath": mount}));
        }
        let vols = spec.entry("volumes").or_insert(json!([]));
        if let Some(list) = vols.as_array_mut() {
            list.push(json!({"name": "hp-logdir", "persistentVolumeClaim": {"claimName": claim}}));
        }
    }
    Ok(m)
}

/// CPU/memory requests = limits, GPUs as a limit.
fn resources(c: &mut Map<String, Value>, o: &K8sOptions) {
    let mut amounts = Map::new();
    if let Some(cpu) = &o.cpu {
        amounts.insert("cpu".into(), json!(cpu));
    }
    if let Some(mem) = &o.memory {
        amounts.insert("memory".into(), json!(mem));
    }
    if amounts.is_empty() && o.gpus.is_none() {
        return;
    }
    let r = c.entry("resources").or_insert(json!({}));
    let Some(r) = r.as_object_mut() else {
        return;
    };
    if !amounts.is_empty() {
        r.insert("requests".into(), Value::Object(amounts.clone()));
    }
    let mut limits = amounts;
    if let Some(g) = o.gpus {
        limits.insert("nvidia.com/gpu".into(), json!(g));
    }
    r.insert("limits".into(), Value::Object(limits));
}

/// The object at `path`, created (and replacing a non-object) on the way.
fn obj<'a>(v: &'a mut Value, path: &[&str]) -> &'a mut Map<String, Value> {
    let mut cur = v;
    for k in path {
        if !cur.is_object() {
            *cur = json!({});
        }
        let Value::Object(m) = cur else {
            unreachable!("made an object above")
        };
        cur = m.entry(k.to_string()).or_insert(json!({}));
    }
    if !cur.is_object() {
        *cur = json!({});
    }
    match cur {
        Value::Object(m) => m,
        _ => unreachable!("made an object above"),
    }
}

/// Sets `path` to `value`.
fn set(v: &mut Value, path: &[&str], value: Value) {
    if let Some((last, parents)) = path.split_last() {
        obj(v, parents).insert(last.to_string(), value);
    }
}

/// The client of `o` (an error without the `k8s` feature).
pub fn client(o: &K8sOptions) -> Result<Box<dyn Remote>, String> {
    #[cfg(feature = "k8s")]
    {
        Ok(Box::new(kube_client::K8s::connect(o.clone())?))
    }
    #[cfg(not(feature = "k8s"))]
    {
        let _ = o;
        Err(
            "--backend k8s runs Jobs only in a build with the `k8s` feature \
             (cargo install hp-report --features k8s); --dry-run prints them without it"
                .into(),
        )
    }
}

#[cfg(feature = "k8s")]
pub mod kube_client;

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> JobSpec {
        JobSpec {
            name: "hp-0a1b2c3d-trial-0002".into(),
            argv: vec![
                "python".into(),
                "train.py".into(),
                "--lr=0.1; rm -rf /".into(),
            ],
            env: vec![("HP_LR".into(), "0.1".into())],
            dir: "/data/exp/trial-0002".into(),
            slot: 0,
        }
    }

    #[test]
    fn manifest_from_flags() {
        let o = K8sOptions {
            image: Some("pytorch/pytorch:2.5".into()),
            namespace: Some("hpo".into()),
            cpu: Some("2".into()),
            memory: Some("4Gi".into()),
            gpus: Some(1),
            pvc: Some("exp-data".into()),
            mount: Some("/data/exp".into()),
            ..K8sOptions::default()
        };
        let m = job_manifest(&o, &job()).unwrap();
        assert_eq!(m["apiVersion"], "batch/v1");
        assert_eq!(m["metadata"]["namespace"], "hpo");
        assert_eq!(m["spec"]["backoffLimit"], 0);
        let pod = &m["spec"]["template"]["spec"];
        assert_eq!(pod["restartPolicy"], "Never");
        let c = &pod["containers"][0];
        assert_eq!(c["command"][2], "--lr=0.1; rm -rf /");
        assert_eq!(c["env"][0], json!({"name": "HP_LR", "value": "0.1"}));
        assert_eq!(c["resources"]["limits"]["nvidia.com/gpu"], 1);
        assert_eq!(c["volumeMounts"][0]["mountPath"], "/data/exp");
        assert_eq!(
            pod["volumes"][0]["persistentVolumeClaim"]["claimName"],
            "exp-data"
        );
    }

    #[test]
    fn manifest_from_template_keeps_its_settings() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("job.yaml");
        std::fs::write(
            &t,
            "apiVersion: batch/v1\nkind: Job\nspec:\n  backoffLimit: 2\n  template:\n    spec:\n      \
             nodeSelector: {gpu: a100}\n      containers:\n      - name: main\n        image: me/train:1\n        \
             env: [{name: A, value: b}]\n",
        )
        .unwrap();
        let o = K8sOptions {
            template: Some(t),
            ..K8sOptions::default()
        };
        let m = job_manifest(&o, &job()).unwrap();
        assert_eq!(m["spec"]["backoffLimit"], 2);
        let pod = &m["spec"]["template"]["spec"];
        assert_eq!(pod["nodeSelector"]["gpu"], "a100");
        assert_eq!(pod["containers"][0]["name"], "main");
        assert_eq!(pod["containers"][0]["env"].as_array().unwrap().len(), 2);
        assert!(
            job_manifest(&K8sOptions::default(), &job()).is_err(),
            "no image"
        );
    }
}
