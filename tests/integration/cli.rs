//! The `hp-report` binary end to end on the fixtures: the JSON contract
//! against TensorBoard's own view (`fixtures/expected/*.tb_view.json`) and
//! tbparse's last values, each reduction and filter against values computed
//! here from the raw curves, the other formats, and the error exits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hp_report::logdir::{self, LoadOptions, MetricKey, SeriesOptions};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}

/// Runs the `hp-report` binary with `args` (no `COLUMNS` from the caller).
pub(crate) fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hp-report"))
        .args(args)
        .env_remove("COLUMNS")
        .output()
        .expect("run hp-report")
}

fn json(args: &[&str]) -> Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn expected(name: &str) -> Value {
    let p = root().join(format!("fixtures/expected/{name}.tb_view.json"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-6 * a.abs().max(b.abs())
}

const FIXTURES: &[&str] = &[
    "keras_mlp_grid",
    "keras_mlp_repeats",
    "tbx_hparams",
    "tbrs_sweep",
    "lightning_sweep",
];

#[test]
fn json_sessions_equal_tensorboard() {
    for f in FIXTURES {
        let tb = expected(f);
        let ours = json(&[fixture(f).to_str().unwrap(), "--format", "json"]);
        let rows = ours["sessions"].as_array().unwrap();
        let tb_sessions = tb["sessions"].as_array().unwrap();
        assert_eq!(rows.len(), tb_sessions.len(), "{f}");
        for t in tb_sessions {
            let r = rows.iter().find(|r| r["session"] == t["session"]).unwrap();
            assert_eq!(r["group"], t["group"], "{f}");
            assert_eq!(r["status"], t["status"], "{f}");
            let hp = r["hparams"].as_object().unwrap();
            for (k, v) in t["hparams"].as_object().unwrap() {
                assert_eq!(hp[k].as_f64().or(None), v.as_f64().or(None), "{f} {k}");
                if !v.is_number() {
                    assert_eq!(&hp[k], v, "{f} {k}");
                }
            }
            assert_eq!(hp.len(), t["hparams"].as_object().unwrap().len());
            let m = r["metrics"].as_object().unwrap();
            let tm = t["metrics"].as_object().unwrap();
            assert_eq!(m.len(), tm.len(), "{f} {}", r["session"]);
            for (k, v) in tm {
                assert!(
                    close(m[k].as_f64().unwrap(), v.as_f64().unwrap()),
                    "{f} {k}"
                );
            }
        }
        // Ranks are 1..n and sorted by the first metric.
        let ranks: Vec<u64> = rows.iter().map(|r| r["rank"].as_u64().unwrap()).collect();
        assert_eq!(ranks, (1..=rows.len() as u64).collect::<Vec<_>>());
        let sort = ours["query"]["sort"].as_str().unwrap().to_string();
        let goal_max = ours["query"]["goal"] == "max";
        let vals: Vec<f64> = rows
            .iter()
            .map(|r| r["metrics"][&sort].as_f64().unwrap())
            .collect();
        assert!(
            vals.windows(2)
                .all(|w| if goal_max { w[0] >= w[1] } else { w[0] <= w[1] }),
            "{f}: {vals:?}"
        );
    }
}

#[test]
fn json_groups_equal_tensorboard_average() {
    for f in FIXTURES {
        let tb = expected(f);
        let ours = json(&[fixture(f).to_str().unwrap(), "--format", "json", "--groups"]);
        let rows = ours["sessions"].as_array().unwrap();
        let groups = tb["hparams"]["session_groups"].as_array().unwrap();
        assert_eq!(rows.len(), groups.len(), "{f}");
        for g in groups {
            let r = rows.iter().find(|r| r["group"] == g["name"]).unwrap();
            let names: Vec<&Value> = g["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| &s["name"])
                .collect();
            assert_eq!(
                r["sessions"].as_array().unwrap().iter().collect::<Vec<_>>(),
                names
            );
            assert_eq!(r["count"].as_u64().unwrap() as usize, names.len());
            for mv in g["metricValues"].as_array().unwrap() {
                let key = MetricKey::new(
                    mv["name"]["group"].as_str().unwrap(),
                    mv["name"]["tag"].as_str().unwrap(),
                );
                let ours = r["metrics"][key.to_string()].as_f64().unwrap();
                assert!(close(ours, mv["value"].as_f64().unwrap()), "{f} {key}");
            }
            if names.len() > 1 {
                assert!(
                    !r["std"].as_object().unwrap().is_empty(),
                    "{f}: std for repeats"
                );
            }
        }
    }
}

/// The cells of one CSV line as pandas writes it (`"` quotes a cell holding
/// a comma; `""` is a quote inside one).
fn csv_cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(String::new()),
            c => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

#[test]
fn all_metrics_equal_tbparse_last_values() {
    // tbparse's "last value" is the value at the highest step, which equals
    // TensorBoard's last-read value for these logs.
    for f in FIXTURES {
        let csv =
            std::fs::read_to_string(root().join(format!("fixtures/expected/{f}.tbparse.csv")))
                .unwrap();
        let mut lines = csv.lines();
        let head: Vec<&str> = lines.next().unwrap().split(',').collect();
        let ours = json(&[
            fixture(f).to_str().unwrap(),
            "--format",
            "json",
            "--all-metrics",
        ]);
        let rows = ours["sessions"].as_array().unwrap();
        let mut checked = 0;
        for line in lines {
            let cells = csv_cells(line);
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            let r = rows.iter().find(|r| r["session"] == cells[0]).unwrap();
            for (h, c) in head.iter().zip(&cells).skip(1) {
                if h.starts_with("hp:") || c.is_empty() {
                    continue;
                }
                let v = r["metrics"][*h]
                    .as_f64()
                    .unwrap_or_else(|| panic!("{f}: no {h}"));
                assert!(close(v, c.parse().unwrap()), "{f} {} {h}", cells[0]);
                checked += 1;
            }
        }
        assert!(checked > 0);
    }
}

/// Every session's value of `metric` for `reduce`, computed from the raw
/// curve points, independently of the streaming summary.
fn by_hand(f: &str, metric: &MetricKey, reduce: &str) -> BTreeMap<String, Option<f64>> {
    let opts = LoadOptions {
        series: SeriesOptions {
            curves: true,
            ..Default::default()
        },
    };
    let ld = logdir::load(fixture(f), &opts).unwrap();
    ld.sessions
        .iter()
        .map(|s| {
            let pts = &s.metric(metric).unwrap().points;
            let vals: Vec<f64> = pts.iter().map(|p| p.value).collect();
            let v = match reduce {
                "last" => vals.last().copied(),
                "min" => vals.iter().copied().reduce(f64::min),
                "max" => vals.iter().copied().reduce(f64::max),
                r if r.starts_with("mean-last=") => {
                    let n: usize = r[10..].parse().unwrap();
                    let tail = &vals[vals.len().saturating_sub(n)..];
                    Some(tail.iter().sum::<f64>() / tail.len() as f64)
                }
                r if r.starts_with("at-step=") => {
                    let st: i64 = r[8..].parse().unwrap();
                    pts.iter().rev().find(|p| p.step == st).map(|p| p.value)
                }
                _ => unreachable!(),
            };
            (s.name.clone(), v)
        })
        .collect()
}

#[test]
fn each_reduction_matches_the_curves() {
    let f = "keras_mlp_grid";
    let loss = MetricKey::new("train", "batch_loss");
    for (reduce, hand) in [
        ("last", "last"),
        ("min", "min"),
        ("max", "max"),
        ("best", "min"), // batch_loss: lower is better
        ("mean-last=3", "mean-last=3"),
        ("at-step=50", "at-step=50"),
    ] {
        let ours = json(&[
            fixture(f).to_str().unwrap(),
            "-f",
            "json",
            "--reduce",
            reduce,
            "--sort",
            "train/batch_loss",
        ]);
        assert_eq!(ours["query"]["goal"], "min");
        let want = by_hand(f, &loss, hand);
        for r in ours["sessions"].as_array().unwrap() {
            let name = r["session"].as_str().unwrap();
            let got = r["metrics"]["train/batch_loss"].as_f64();
            match want[name] {
                Some(w) => assert!(close(got.unwrap(), w), "{reduce} {name}: {got:?} vs {w}"),
                None => assert!(got.is_none(), "{reduce} {name}"),
            }
        }
    }
}

#[test]
fn filters_select_the_right_rows() {
    let f = fixture("keras_mlp_grid");
    let f = f.to_str().unwrap();
    let sessions = |args: &[&str]| -> Vec<String> {
        let mut a = vec![f, "-f", "json"];
        a.extend_from_slice(args);
        let mut v: Vec<String> = json(&a)["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["session"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    // learning_rate: run-0,2,4 = 0.001; run-1,3,5 = 0.1 (see the fixture's
    // expected view); deep_layer_size 128 only in run-2/run-3.
    assert_eq!(
        sessions(&["--where", "learning_rate<0.01"]),
        ["run-0", "run-2", "run-4"]
    );
    assert_eq!(
        sessions(&[
            "--where",
            "learning_rate=0.1",
            "--where",
            "deep_layer_size>=128"
        ]),
        ["run-3"]
    );
    assert_eq!(
        sessions(&["--where", "deep_layer_size!=32"]),
        ["run-2", "run-3"]
    );
    assert_eq!(sessions(&["--where", "session~run-1"]), ["run-1"]);
    // A metric condition: validation/epoch_auc > 0.92 per the expected view.
    let tb = expected("keras_mlp_grid");
    let mut want: Vec<String> = tb["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["metrics"]["test/test_auc"].as_f64().unwrap() > 0.9)
        .map(|s| s["session"].as_str().unwrap().to_string())
        .collect();
    want.sort();
    assert!(!want.is_empty() && want.len() < 6);
    assert_eq!(sessions(&["--where", "test/test_auc>0.9"]), want);
    assert_eq!(
        sessions(&["--where", "test_auc>0.9"]),
        want,
        "a unique tag names its metric"
    );
    assert_eq!(
        sessions(&["--where", "auc (test)>0.9"]),
        want,
        "so does a display name"
    );
    assert_eq!(sessions(&["--status", "failure"]), Vec::<String>::new());
    assert_eq!(sessions(&["--top", "2"]).len(), 2);
}

#[test]
fn other_formats_are_well_formed() {
    let f = fixture("keras_mlp_repeats");
    let f = f.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // CSV through -o with the format from the extension.
    let csv = dir.path().join("out.csv");
    assert!(run(&[f, "-o", csv.to_str().unwrap()]).status.success());
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    let head = lines.next().unwrap();
    assert!(head.starts_with("rank,session,group,status,"), "{head}");
    assert!(head.contains("validation/epoch_auc"));
    assert_eq!(lines.count(), 4);
    // JSON Lines: one object per session.
    let out = run(&[f, "-f", "jsonl"]);
    let rows: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    // Markdown: the hparams equal in every row said once above the table,
    // then header, rule, one line per group.
    let out = run(&[f, "-f", "markdown", "--groups"]);
    let md = String::from_utf8(out.stdout).unwrap();
    let (note, table) = md.split_once("\n\n").unwrap();
    assert!(note.starts_with("same in all 2: "), "{md}");
    assert_eq!(table.lines().count(), 2 + 2);
    assert!(table
        .lines()
        .all(|l| l.starts_with('|') && l.ends_with('|')));
    // Parquet: the magic bytes at both ends.
    let pq = dir.path().join("out.parquet");
    assert!(run(&[f, "-o", pq.to_str().unwrap()]).status.success());
    let bytes = std::fs::read(&pq).unwrap();
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
    // The terminal table fits 80 columns, for sessions and for groups.
    for extra in [None, Some("--groups")] {
        let mut args = vec![f, "--width", "80"];
        args.extend(extra);
        let out = run(&args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let table = String::from_utf8(out.stdout).unwrap();
        assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
    }
}

#[test]
fn errors_are_one_line_with_documented_codes() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("keras_mlp_grid");
    let f = f.to_str().unwrap();
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (vec!["/no/such/logdir".into()], 3, "does not exist"),
        (
            vec![dir.path().to_str().unwrap().into()],
            4,
            "no event files",
        ),
        (
            vec![f.into(), "--sort".into(), "nope".into()],
            2,
            "no metric \"nope\"",
        ),
        (
            vec![f.into(), "--where".into(), "lr".into()],
            2,
            "malformed condition",
        ),
        (
            vec![f.into(), "--where".into(), "nope=1".into()],
            2,
            "no hparam or metric",
        ),
        (
            vec![f.into(), "--where".into(), "learning_rate=abc".into()],
            2,
            "not a number",
        ),
        (
            vec![f.into(), "-o".into(), "/no/such/dir/out.csv".into()],
            1,
            "cannot write",
        ),
        (
            vec![f.into(), "--reduce".into(), "median".into()],
            2,
            "unknown reduction",
        ),
    ];
    for (args, code, text) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(err.contains(text), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("backtrace"),
            "{err}"
        );
    }
}

#[test]
fn diagnose_explains_a_logdir_without_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = hp_report::event::EventFileWriter::create(dir.path().join("train")).unwrap();
    w.write_scalar("loss", 0, 1.0).unwrap();
    drop(w);
    let out = run(&["diagnose", dir.path().to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("No hparams data was found"), "{text}");
    let out = run(&["diagnose", fixture("keras_mlp_grid").to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("6 sessions"), "{text}");
    assert!(text.contains("not declared metrics"), "{text}");
}

#[test]
fn watch_prints_the_table_again_as_the_logdir_grows() {
    use hp_report::{Domain, ExperimentConfig, ExperimentWriter, HParam, Metric, Status, Trial};
    let dir = tempfile::tempdir().unwrap();
    let cfg = ExperimentConfig::new()
        .hparam(HParam::new("lr", Domain::real(0.0, 1.0).unwrap()))
        .metric(Metric::new("acc").group("validation"));
    let exp = ExperimentWriter::create(dir.path(), &cfg).unwrap();
    let session = |name: &str, lr: f64| {
        let mut s = exp.session(name, &Trial::new().with("lr", lr)).unwrap();
        s.scalar("validation", "acc", 0, lr).unwrap();
        s.end(Status::Success).unwrap();
    };
    session("a", 0.1);
    let mut child = Command::new(env!("CARGO_BIN_EXE_hp-report"))
        .args([
            dir.path().to_str().unwrap(),
            "-f",
            "json",
            "--watch",
            "0.1",
            "--watch-count",
            "30",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first table (a pretty-printed object ends with "}" alone
    // on a line), then add a session.
    use std::io::BufRead;
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let mut read_table = |printed: &mut String| loop {
        // A table ends with its closing brace alone on a line.
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "no complete table: {printed}"
        );
        printed.push_str(&line);
        if line == "}\n" {
            break;
        }
    };
    read_table(&mut printed);
    session("b", 0.2);
    // Then wait for the table printed after the change, and stop.
    read_table(&mut printed);
    let _ = child.kill();
    let _ = child.wait();
    let tables: Vec<Value> = serde_json::Deserializer::from_str(&printed)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        tables.len() >= 2,
        "printed again after the change: {}",
        tables.len()
    );
    let last = tables.last().unwrap()["sessions"].as_array().unwrap();
    let names: Vec<&str> = last
        .iter()
        .map(|r| r["session"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["b", "a"], "the new session, ranked by acc");
    assert_eq!(tables[0]["sessions"].as_array().unwrap().len(), 1);
}

#[test]
fn numbers_match_text_that_holds_the_same_number() {
    use hp_report::event::EventFileWriter;
    use hp_report::hparams::plugin::session_start_summary;
    use hp_report::HParamValue;
    // "lr" is text in one session and a number in the other: a STRING
    // column, as TensorBoard makes it.
    let dir = tempfile::tempdir().unwrap();
    for (name, lr) in [
        ("a", HParamValue::Str("1e-3".into())),
        ("b", HParamValue::Float(0.5)),
    ] {
        let mut w = EventFileWriter::create(dir.path().join(name)).unwrap();
        w.write_summary(0, session_start_summary([("lr", &lr)], "", 1.0))
            .unwrap();
        w.write_scalar("acc", 0, 0.5).unwrap();
    }
    let logdir = dir.path().to_str().unwrap();
    let names = |cond: &str| -> Vec<String> {
        let v = json(&[logdir, "-f", "json", "--where", cond]);
        let mut n: Vec<String> = v["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["session"].as_str().unwrap().into())
            .collect();
        n.sort();
        n
    };
    assert_eq!(names("lr=0.001"), ["a"]);
    assert_eq!(names("lr=1e-3"), ["a"]);
    assert_eq!(names("lr!=0.001"), ["b"]);
    assert_eq!(
        names("lr='1e-3'"),
        ["a"],
        "quoted text matches text exactly"
    );
    assert_eq!(names("lr<0.1"), ["a"]);
}

/// Two metrics whose `group/tag` print alike (the session run's tag
/// `validation/loss` and the `validation` run's `loss`; `a` + `b/c` and
/// `a/b` + `c`) are both kept, under distinct labels, in every format, and
/// the plain name is ambiguous instead of silently meaning one of them.
#[test]
fn metrics_that_print_alike_keep_distinct_labels() {
    use hp_report::event::EventFileWriter;
    use hp_report::hparams::plugin::session_start_summary;
    use hp_report::HParamValue;

    let tmp = tempfile::tempdir().unwrap();
    for s in 0..2 {
        let dir = tmp.path().join(format!("s{s}"));
        let mut w = EventFileWriter::create(&dir).unwrap();
        let lr = HParamValue::Float(0.1 * (s + 1) as f64);
        w.write_summary(0, session_start_summary([("lr", &lr)], "", 1.0))
            .unwrap();
        w.write_scalar("validation/loss", 0, 1.0 + s as f64)
            .unwrap();
        drop(w);
        for (run, tag, v) in [
            ("validation", "loss", 2.0),
            ("a", "b/c", 3.0),
            ("a/b", "c", 4.0),
        ] {
            let mut w = EventFileWriter::create(dir.join(run)).unwrap();
            w.write_scalar(tag, 0, v + s as f64).unwrap();
        }
    }
    let logdir = tmp.path().to_str().unwrap();
    let out = json(&[logdir, "--format", "json", "--sort", "validation:loss"]);
    let row = &out["sessions"][0];
    assert_eq!(row["session"], "s0", "{out}");
    let m = &row["metrics"];
    assert_eq!(m[".:validation/loss"], 1.0, "{m}");
    assert_eq!(m["validation:loss"], 2.0, "{m}");
    assert_eq!(m["a:b/c"], 3.0, "{m}");
    assert_eq!(m["a/b:c"], 4.0, "{m}");
    assert_eq!(m.as_object().unwrap().len(), 4, "{m}");
    assert_eq!(out["query"]["sort"], "validation:loss");

    // The plain name is ambiguous, and the error names both labels.
    let bad = run(&[logdir, "--sort", "validation/loss"]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("ambiguous")
            && err.contains(".:validation/loss")
            && err.contains("validation:loss"),
        "{err}"
    );
    // A filter on a label; CSV headers are the same labels.
    let csv = run(&[logdir, "--format", "csv", "--where", "a/b:c>4"]);
    assert!(
        csv.status.success(),
        "{}",
        String::from_utf8_lossy(&csv.stderr)
    );
    let text = String::from_utf8(csv.stdout).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    for label in [".:validation/loss", "validation:loss", "a:b/c", "a/b:c"] {
        assert!(header.split(',').any(|h| h == label), "{label} in {header}");
    }
    let rows: Vec<_> = lines.collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert!(rows[0].contains("s1"), "{text}");

    // diagnose names each pair and their labels.
    let diag = run(&["diagnose", logdir]);
    let text = String::from_utf8_lossy(&diag.stdout);
    assert!(
        text.contains("2 metrics print as \"validation/loss\"")
            && text.contains("labels them .:validation/loss, validation:loss"),
        "{text}"
    );
    assert!(text.contains("2 metrics print as \"a/b/c\""), "{text}");
}

/// With an explicit experiment, an undeclared tag that prints like a
/// declared metric never renames the declared column (what TensorBoard
/// shows keeps its name); `--all-metrics` shows the undeclared one as
/// `run:tag`.
#[test]
fn an_undeclared_tag_never_renames_a_declared_metric() {
    use hp_report::event::EventFileWriter;
    use hp_report::hparams::plugin::{experiment_summary, session_start_summary};
    use hp_report::hparams::{ExperimentConfig, HParam, HParamValue, Metric};
    use hp_report::Domain;

    let tmp = tempfile::tempdir().unwrap();
    let exp = ExperimentConfig::new()
        .hparam(HParam::new(
            "lr",
            Domain::RealInterval {
                min: 0.0,
                max: 1.0,
                log: false,
            },
        ))
        .metric(Metric::new("loss").group("validation"));
    let mut w = EventFileWriter::create(tmp.path()).unwrap();
    w.write_summary(0, experiment_summary(exp.to_proto(0.0)))
        .unwrap();
    drop(w);
    let dir = tmp.path().join("s0");
    let mut w = EventFileWriter::create(&dir).unwrap();
    let lr = HParamValue::Float(0.1);
    w.write_summary(0, session_start_summary([("lr", &lr)], "", 1.0))
        .unwrap();
    w.write_scalar("validation/loss", 0, 7.0).unwrap();
    drop(w);
    let mut w = EventFileWriter::create(dir.join("validation")).unwrap();
    w.write_scalar("loss", 0, 0.5).unwrap();
    drop(w);

    let logdir = tmp.path().to_str().unwrap();
    let out = json(&[logdir, "--format", "json"]);
    let m = &out["sessions"][0]["metrics"];
    assert_eq!(m.as_object().unwrap().len(), 1, "{m}");
    assert_eq!(m["validation/loss"], 0.5, "{m}");
    let all = json(&[logdir, "--format", "json", "--all-metrics"]);
    let m = &all["sessions"][0]["metrics"];
    assert_eq!(m["validation/loss"], 0.5, "{m}");
    assert_eq!(m[".:validation/loss"], 7.0, "{m}");
    // The declared name still resolves to the declared metric.
    let sorted = json(&[logdir, "--format", "json", "--sort", "validation/loss"]);
    assert_eq!(sorted["query"]["sort"], "validation/loss");
}
