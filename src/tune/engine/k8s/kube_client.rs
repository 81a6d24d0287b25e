//! The Kubernetes client of `--backend k8s` (feature `k8s`): kube-rs calls
//! made on a single-threaded tokio runtime owned by the follower thread, so
//! the rest of the runner stays synchronous.

use std::time::Duration;

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, ListParams, LogParams, PostParams};
use kube::Client;
use tokio::runtime::Runtime;

use super::{job_manifest, K8sOptions};
use crate::tune::engine::{EngineError, JobSpec, JobState, Output, Remote};

/// A kube-rs client and the runtime it runs on.
pub struct K8s {
    opts: K8sOptions,
    rt: Runtime,
    client: Client,
}

fn runtime() -> Result<Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the Kubernetes client's runtime: {e}"))
}

impl K8s {
    /// A client from the kubeconfig or the in-cluster service account.
    pub fn connect(opts: K8sOptions) -> Result<Self, String> {
        let rt = runtime()?;
        let client = rt
            .block_on(Client::try_default())
            .map_err(|e| format!("kubernetes: {e}"))?;
        Ok(K8s { opts, rt, client })
    }

    /// A client over `make`'s service (tests: a mock API server). `make`
    /// runs inside the runtime, as kube's client needs.
    pub fn with_client(opts: K8sOptions, make: impl FnOnce() -> Client) -> Result<Self, String> {
        let rt = runtime()?;
        let client = {
            let _guard = rt.enter();
            make()
        };
        Ok(K8s { opts, rt, client })
    }

    fn jobs(&self) -> Api<Job> {
        Api::namespaced(self.client.clone(), self.opts.namespace())
    }

    fn pods(&self) -> Api<Pod> {
        Api::namespaced(self.client.clone(), self.opts.namespace())
    }

    /// The pod of job `name`, if one was created.
    fn pod(&self, name: &str) -> Result<Option<Pod>, EngineError> {
        let lp = ListParams::default().labels(&format!("job-name={name}"));
        let list = self.rt.block_on(self.pods().list(&lp)).map_err(err)?;
        Ok(list.items.into_iter().next())
    }
}

/// A kube error as an engine error (404: the Job is gone).
fn err(e: kube::Error) -> EngineError {
    match &e {
        kube::Error::Api(s) if s.code == 404 => EngineError {
            msg: format!("kubernetes: {}", s.message),
            gone: true,
        },
        _ => EngineError::transient(format!("kubernetes: {e}")),
    }
}

impl Remote for K8s {
    fn name(&self) -> &'static str {
        "k8s"
    }

    fn submit(&mut self, job: &JobSpec) -> Result<String, EngineError> {
        let manifest = job_manifest(&self.opts, job).map_err(EngineError::transient)?;
        let obj: Job = serde_json::from_value(manifest)
            .map_err(|e| EngineError::transient(format!("not a valid Job: {e}")))?;
        let made = self
            .rt
            .block_on(self.jobs().create(&PostParams::default(), &obj))
            .map_err(err)?;
        Ok(made.metadata.name.unwrap_or_else(|| job.name.clone()))
    }

    fn poll(&mut self, id: &str) -> Result<JobState, EngineError> {
        let job = self.rt.block_on(self.jobs().get(id)).map_err(err)?;
        let status = job.status.unwrap_or_default();
        if status.succeeded.unwrap_or(0) > 0 {
            return Ok(JobState::Done {
                code: Some(0),
                signal: None,
                note: None,
            });
        }
        if status.failed.unwrap_or(0) > 0 {
            let code = self.pod(id)?.and_then(|p| exit_code(&p));
            return Ok(JobState::Done {
                code: Some(code.unwrap_or(1)),
                signal: None,
                note: code
                    .is_none()
                    .then(|| "Failed (no container exit code)".into()),
            });
        }
        Ok(if status.active.unwrap_or(0) > 0 {
            JobState::Running
        } else {
            JobState::Pending
        })
    }

    fn cancel(&mut self, id: &str, _force: bool) -> Result<(), EngineError> {
        match self
            .rt
            .block_on(self.jobs().delete(id, &DeleteParams::background()))
        {
            Ok(_) => Ok(()),
            Err(e) => match err(e) {
                e if e.gone => Ok(()),
                e => Err(e),
            },
        }
    }

    fn output(&mut self, id: &str, _done: bool) -> Result<Output, EngineError> {
        let Some(name) = self.pod(id)?.and_then(|p| p.metadata.name) else {
            return Ok(Output::Fetched(String::new()));
        };
        match self
            .rt
            .block_on(self.pods().logs(&name, &LogParams::default()))
        {
            Ok(logs) => Ok(Output::Fetched(logs)),
            // A pod still being created has no log yet.
            Err(kube::Error::Api(s)) if s.code == 400 => Ok(Output::Fetched(String::new())),
            Err(e) => Err(err(e)),
        }
    }

    fn poll_every(&self) -> Duration {
        self.opts.poll.unwrap_or(Duration::from_secs(2))
    }

    fn retries(&self) -> u32 {
        self.opts.retries.unwrap_or(crate::tune::engine::RETRIES)
    }
}

/// The trial container's exit code in a finished pod.
fn exit_code(p: &Pod) -> Option<i32> {
    let statuses = p.status.as_ref()?.container_statuses.as_ref()?;
    statuses
        .iter()
        .find_map(|s| s.state.as_ref()?.terminated.as_ref().map(|t| t.exit_code))
}

#[cfg(test)]
mod tests {
    //! kube's client against tower-test's mock service: the API exchanges
    //! of a trial Job (create, poll to success with its log, poll to
    //! failure with the container's exit code, delete, gone), answered as
    //! an API server does (paths, verbs, status codes, bodies).

    use std::pin::pin;

    use http::{Request, Response};
    use kube::client::Body;
    use serde_json::{json, Value};

    use super::*;

    /// One expected request and the answer to it.
    struct Exchange {
        method: &'static str,
        path: String,
        status: u16,
        body: Value,
    }

    fn ex(method: &'static str, path: String, status: u16, body: Value) -> Exchange {
        Exchange {
            method,
            path,
            status,
            body,
        }
    }

    /// A client whose API server answers `script` in order; the requests'
    /// bodies come back from the returned thread.
    fn mock(script: Vec<Exchange>) -> (K8s, std::thread::JoinHandle<Vec<Value>>) {
        let (svc, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
        let opts = K8sOptions {
            image: Some("me/train:1".into()),
            namespace: Some("hpo".into()),
            ..K8sOptions::default()
        };
        let k = K8s::with_client(opts, || Client::new(svc, "hpo")).expect("client");
        let server = std::thread::spawn(move || {
            let rt = runtime().expect("runtime");
            rt.block_on(async move {
                let mut handle = pin!(handle);
                let mut bodies = Vec::new();
                for e in script {
                    let (req, send) = handle.next_request().await.expect("a request");
                    let uri = req.uri().to_string();
                    assert_eq!(req.method().as_str(), e.method, "{uri}");
                    assert!(uri.starts_with(&e.path), "{uri} is not {}", e.path);
                    let bytes = req.into_body().collect_bytes().await.expect("body");
                    bodies.push(serde_json::from_slice(&bytes).unwrap_or(Value::Null));
                    let body = match &e.body {
                        Value::String(s) => s.clone().into_bytes(),
                        v => serde_json::to_vec(v).expect("json"),
                    };
                    let resp = Response::builder()
                        .status(e.status)
                        .body(Body::from(body))
                        .expect("response");
                    send.send_response(resp);
                }
                bodies
            })
        });
        (k, server)
    }

    fn job_obj(name: &str, status: Value) -> Value {
        json!({"apiVersion": "batch/v1", "kind": "Job",
               "metadata": {"name": name, "namespace": "hpo"}, "status": status})
    }

    fn pods(name: &str, exit: Option<i32>) -> Value {
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod",
                             "metadata": {"name": format!("{name}-x7k2p")}});
        if let Some(code) = exit {
            pod["status"] = json!({"containerStatuses": [{
                "name": "trial", "image": "me/train:1", "imageID": "", "ready": false,
                "restartCount": 0, "state": {"terminated": {"exitCode": code}}}]});
        }
        json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [pod]})
    }

    fn not_found(name: &str) -> Value {
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": format!("jobs.batch \"{name}\" not found"), "reason": "NotFound",
               "code": 404})
    }

    #[test]
    fn create_follow_fail_delete() {
        let name = "hp-0a1b2c3d-trial-0000";
        let jobs = "/apis/batch/v1/namespaces/hpo/jobs";
        let one = format!("{jobs}/{name}");
        let pod_list = "/api/v1/namespaces/hpo/pods?".to_string();
        let log = format!("/api/v1/namespaces/hpo/pods/{name}-x7k2p/log");
        let (mut k, server) = mock(vec![
            ex("POST", format!("{jobs}?"), 201, job_obj(name, json!({}))),
            ex("GET", one.clone(), 200, job_obj(name, json!({"active": 1}))),
            ex("GET", pod_list.clone(), 200, pods(name, None)),
            ex("GET", log, 200, json!("epoch=1 loss=0.5\n")),
            ex(
                "GET",
                one.clone(),
                200,
                job_obj(name, json!({"succeeded": 1})),
            ),
            ex("GET", one.clone(), 200, job_obj(name, json!({"failed": 1}))),
            ex("GET", pod_list, 200, pods(name, Some(3))),
            ex(
                "DELETE",
                one.clone(),
                200,
                json!({"kind": "Status", "apiVersion": "v1",
                "metadata": {}, "status": "Success", "code": 200}),
            ),
            ex("GET", one, 404, not_found(name)),
        ]);
        let spec = JobSpec {
            name: name.into(),
            argv: vec!["python".into(), "train.py".into(), "--lr=0.1".into()],
            env: vec![("HP_LR".into(), "0.1".into())],
            dir: "/data/exp/trial-0000".into(),
            slot: 0,
        };
        assert_eq!(k.submit(&spec).expect("create"), name);
        assert_eq!(k.poll(name).expect("poll"), JobState::Running);
        match k.output(name, false).expect("logs") {
            Output::Fetched(s) => assert_eq!(s, "epoch=1 loss=0.5\n"),
            Output::Files => panic!("pod logs are fetched"),
        }
        let done = |code| JobState::Done {
            code: Some(code),
            signal: None,
            note: None,
        };
        assert_eq!(k.poll(name).expect("poll"), done(0));
        assert_eq!(k.poll(name).expect("poll"), done(3));
        k.cancel(name, false).expect("delete");
        let gone = k.poll(name).expect_err("deleted");
        assert!(gone.gone, "{gone:?}");
        let bodies = server.join().expect("server");
        let created: Job = serde_json::from_value(bodies[0].clone()).expect("a valid Job");
        let c = &created
            .spec
            .expect("spec")
            .template
            .spec
            .expect("pod")
            .containers[0];
        assert_eq!(c.command.as_deref(), Some(&spec.argv[..]));
        assert_eq!(c.image.as_deref(), Some("me/train:1"));
        assert_eq!(bodies[7]["propagationPolicy"], "Background");
    }
}
