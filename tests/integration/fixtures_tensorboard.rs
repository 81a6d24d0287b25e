//! Our reader against real TensorBoard: for every fixture logdir (written by
//! TensorFlow/Keras or tensorboardX), the experiment, sessions, hparams,
//! statuses, groups and metric values equal what TensorBoard's own HTTP API
//! reported for it (`fixtures/expected/*.tb_view.json`, dumped by
//! `peers/tb_view.py`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use hp_report::analysis::{build, Agg, Query, Reduction};
use hp_report::hparams::HParamValue;
use hp_report::logdir::{self, HParamDomain, LoadOptions, MetricKey};
use serde_json::Value;

const FIXTURES: &[&str] = &[
    "keras_mlp_grid",
    "keras_mlp_repeats",
    "tbx_hparams",
    "tbrs_sweep",
    "lightning_sweep",
];

fn expected(name: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("fixtures/expected/{name}.tb_view.json"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn load(name: &str) -> logdir::Logdir {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    logdir::load(p, &LoadOptions::default()).unwrap()
}

fn json_of(v: &HParamValue) -> Value {
    match v {
        HParamValue::Bool(b) => Value::from(*b),
        HParamValue::Int(i) => Value::from(*i as f64),
        HParamValue::Float(x) => Value::from(*x),
        HParamValue::Str(s) => Value::from(s.clone()),
    }
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-6 * a.abs().max(b.abs())
}

/// Equal, or adjacent doubles of the same sign.
fn within_one_ulp(a: f64, b: f64) -> bool {
    a == b || (a.signum() == b.signum() && a.to_bits().abs_diff(b.to_bits()) <= 1)
}

fn key_of(name: &Value) -> MetricKey {
    MetricKey::new(
        name["group"].as_str().unwrap(),
        name["tag"].as_str().unwrap(),
    )
}

#[test]
fn experiment_equals_tensorboard() {
    for f in FIXTURES {
        let exp = expected(f);
        let tb = &exp["hparams"]["experiment"];
        let ours = load(f).experiment;
        let tb_h: BTreeMap<&str, &Value> = tb["hparamInfos"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h["name"].as_str().unwrap(), h))
            .collect();
        assert_eq!(ours.hparams.len(), tb_h.len(), "{f}: hparam count");
        for h in &ours.hparams {
            let t = tb_h[h.name.as_str()];
            assert_eq!(
                serde_json::to_value(h.kind).unwrap(),
                t["type"],
                "{f}: {} type",
                h.name
            );
            assert_eq!(
                Value::from(h.differs),
                t["differs"],
                "{f}: {} differs",
                h.name
            );
            assert_eq!(h.display_name, t["displayName"].as_str().unwrap());
            match &h.domain {
                HParamDomain::Interval { min, max } => {
                    let i = &t["domainInterval"];
                    assert_eq!(
                        *min,
                        i["minValue"].as_f64().unwrap_or(0.0),
                        "{f}: {}",
                        h.name
                    );
                    assert_eq!(
                        *max,
                        i["maxValue"].as_f64().unwrap_or(0.0),
                        "{f}: {}",
                        h.name
                    );
                }
                HParamDomain::Discrete { values } => {
                    let v: Vec<Value> = values.iter().map(json_of).collect();
                    assert_eq!(Value::from(v), t["domainDiscrete"], "{f}: {}", h.name);
                }
                HParamDomain::None => {
                    assert!(t.get("domainInterval").is_none() && t.get("domainDiscrete").is_none());
                }
            }
        }
        let tb_m: BTreeSet<MetricKey> = tb["metricInfos"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| key_of(&m["name"]))
            .collect();
        let our_m: BTreeSet<MetricKey> = ours.metrics.iter().map(|m| m.key.clone()).collect();
        assert_eq!(our_m, tb_m, "{f}: metric infos");
        for m in tb["metricInfos"].as_array().unwrap() {
            let ours = ours
                .metrics
                .iter()
                .find(|o| o.key == key_of(&m["name"]))
                .unwrap();
            assert_eq!(ours.display_name, m["displayName"].as_str().unwrap());
            assert_eq!(ours.dataset_type, m["datasetType"].as_str().unwrap());
        }
    }
}

/// Equal hparams; numbers equal or one unit in the last place apart:
/// TensorBoard's HTTP API prints some doubles one unit in the last place off (the Lightning
/// fixture's `learning_rate` 0.09025608270417025 is served as …024).
fn same_hparams(ours: &serde_json::Map<String, Value>, tb: &Value, what: &str) {
    let tb = tb.as_object().unwrap();
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        tb.keys().collect::<Vec<_>>(),
        "{what} hparam names"
    );
    for (k, v) in ours {
        match (v.as_f64(), tb[k].as_f64()) {
            (Some(a), Some(b)) => assert!(within_one_ulp(a, b), "{what} {k}: {a} vs {b}"),
            _ => assert_eq!(v, &tb[k], "{what} {k}"),
        }
    }
}

#[test]
fn sessions_equal_tensorboard() {
    for f in FIXTURES {
        let exp = expected(f);
        let ld = load(f);
        assert!(ld.warnings.is_empty(), "{f}: {:?}", ld.warnings);
        let tb_sessions = exp["sessions"].as_array().unwrap();
        assert_eq!(ld.sessions.len(), tb_sessions.len(), "{f}: session count");
        let keys: Vec<MetricKey> = ld
            .experiment
            .metrics
            .iter()
            .map(|m| m.key.clone())
            .collect();
        for t in tb_sessions {
            let name = t["session"].as_str().unwrap();
            let s = ld
                .session(name)
                .unwrap_or_else(|| panic!("{f}: no session {name}"));
            assert_eq!(s.group, t["group"].as_str().unwrap(), "{f}: {name} group");
            assert_eq!(
                s.status.as_str(),
                t["status"].as_str().unwrap(),
                "{f}: {name} status"
            );
            let hp: serde_json::Map<String, Value> = s
                .hparams
                .iter()
                .map(|(k, v)| (k.clone(), json_of(v)))
                .collect();
            same_hparams(&hp, &t["hparams"], &format!("{f}: {name}"));
            let tb_metrics = t["metrics"].as_object().unwrap();
            let mut ours = 0;
            for k in &keys {
                let Some(series) = s.metric(k) else { continue };
                ours += 1;
                let want = tb_metrics[&k.to_string()].as_f64().unwrap();
                assert!(
                    close(series.last.value, want),
                    "{f}: {name} {k}: {} vs {want}",
                    series.last.value
                );
            }
            assert_eq!(ours, tb_metrics.len(), "{f}: {name} metric count");
        }
    }
}

/// The `--groups` table (mean of each member's last value, TensorBoard's
/// default AVG) has TensorBoard's groups, members and values; the members'
/// last points average to TensorBoard's group step and wall time.
#[test]
fn groups_equal_tensorboard_average() {
    for f in FIXTURES {
        let exp = expected(f);
        let ld = load(f);
        let query = Query {
            groups: true,
            agg: Agg::Mean,
            reduce: Reduction::Last,
            ..Query::default()
        };
        let table = build(&ld, &query).unwrap();
        let tb_groups = exp["hparams"]["session_groups"].as_array().unwrap();
        assert_eq!(table.rows.len(), tb_groups.len(), "{f}: group count");
        for t in tb_groups {
            let g = table
                .rows
                .iter()
                .find(|g| g.name == t["name"].as_str().unwrap())
                .unwrap();
            let tb_sessions: Vec<&str> = t["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap())
                .collect();
            assert_eq!(g.sessions, tb_sessions, "{f}: {} members", g.name);
            let members: Vec<_> = ld
                .sessions
                .iter()
                .filter(|s| g.sessions.contains(&s.name))
                .collect();
            for mv in t["metricValues"].as_array().unwrap() {
                let k = key_of(&mv["name"]);
                assert!(
                    close(g.metrics[&k], mv["value"].as_f64().unwrap()),
                    "{f}: {} {k}",
                    g.name
                );
                let lasts: Vec<_> = members
                    .iter()
                    .filter_map(|s| s.metric(&k))
                    .map(|m| m.last)
                    .collect();
                assert_eq!(g.counts[&k], lasts.len(), "{f}: {} {k} count", g.name);
                let n = lasts.len() as f64;
                let step = (lasts.iter().map(|p| p.step as f64).sum::<f64>() / n).floor();
                assert_eq!(
                    step as i64,
                    mv["trainingStep"].as_i64().unwrap(),
                    "{f}: {} {k} step",
                    g.name
                );
                let wall = lasts.iter().map(|p| p.wall_time).sum::<f64>() / n;
                assert!(close(wall, mv["wallTimeSecs"].as_f64().unwrap()));
            }
            assert_eq!(g.metrics.len(), t["metricValues"].as_array().unwrap().len());
        }
    }
}

#[test]
fn every_scalar_series_equals_tensorboard() {
    for f in FIXTURES {
        let exp = expected(f);
        let ld = load(f);
        let mut checked = 0;
        for (run, tags) in exp["scalars"].as_object().unwrap() {
            let r = &ld.runs[run.as_str()];
            for (tag, t) in tags.as_object().unwrap() {
                let s = r
                    .scalars
                    .get(tag.as_str())
                    .unwrap_or_else(|| panic!("{f}: {run} {tag}"));
                assert_eq!(
                    s.last.step,
                    t["last_step"].as_i64().unwrap(),
                    "{f}: {run} {tag}"
                );
                assert!(
                    close(s.last.value, t["last_value"].as_f64().unwrap()),
                    "{f}: {run} {tag}"
                );
                let n = t["num_points"].as_u64().unwrap();
                if n < 1000 {
                    assert_eq!(s.count, n, "{f}: {run} {tag} points");
                }
                checked += 1;
            }
            let tb_tags = tags.as_object().unwrap().len();
            assert_eq!(r.scalars.len(), tb_tags, "{f}: {run} tag count");
        }
        assert!(checked > 0, "{f}");
    }
}
