//! Table-driven tests of the metric grammar, Katib's pitfalls included.

use super::*;

/// (line, expected "name=value@step" list).
fn check(line: &str, want: &[&str]) {
    let got: Vec<String> = parse_line(line)
        .iter()
        .map(|p| match p.step {
            Some(s) => format!("{}={}@{s}", p.name, p.value),
            None => format!("{}={}", p.name, p.value),
        })
        .collect();
    assert_eq!(got, want, "line {line:?}");
}

#[test]
fn grammar_table() {
    let cases: &[(&str, &[&str])] = &[
        // Katib's `name=value`, Guild's `name: value`.
        ("loss=0.5", &["loss=0.5"]),
        ("loss = 0.5", &["loss=0.5"]),
        ("loss: 0.5", &["loss=0.5"]),
        ("loss:0.5", &["loss=0.5"]),
        ("loss=3", &["loss=3"]),
        ("loss=-2", &["loss=-2"]),
        ("loss=+2.5", &["loss=2.5"]),
        ("lr=1e-3", &["lr=0.001"]),
        ("lr=1E+3", &["lr=1000"]),
        ("lr=2.5e-07", &["lr=0.00000025"]),
        ("x=.5", &["x=0.5"]),
        ("x=5.", &["x=5"]),
        // Katib's regex gives "" for these; we give the number.
        ("loss=nan", &["loss=NaN"]),
        ("loss=NaN", &["loss=NaN"]),
        ("loss=inf", &["loss=inf"]),
        ("loss=-inf", &["loss=-inf"]),
        ("loss=Infinity", &["loss=inf"]),
        ("loss=-Infinity", &["loss=-inf"]),
        ("loss=+inf", &["loss=inf"]),
        // Not numbers: no metric (Katib gives "1", "1.5", "", "").
        ("loss=1,234", &[]),
        ("loss=1,234.5", &[]),
        ("x = 1.5.6", &[]),
        ("name=resnet", &[]),
        ("loss=.", &[]),
        ("loss=-", &[]),
        ("acc=95%", &[]),
        ("time=0.5s", &[]),
        ("loss=0x10", &[]),
        ("loss=1e", &[]),
        ("loss=", &[]),
        // Several per line, separators.
        ("loss=0.5 acc=0.9", &["loss=0.5", "acc=0.9"]),
        ("loss=0.5, acc=0.9", &["loss=0.5", "acc=0.9"]),
        ("loss=0.5,acc=0.9", &["loss=0.5", "acc=0.9"]),
        ("loss=0.5; acc=0.9 | f1=0.1", &["loss=0.5", "acc=0.9", "f1=0.1"]),
        ("(loss=0.5)", &["loss=0.5"]),
        ("[loss: 0.5]", &["loss=0.5"]),
        // Keras progress lines.
        ("12/12 - 0s - loss: 0.31 - val_loss: 0.28", &["loss=0.31", "val_loss=0.28"]),
        (
            "12/12 ━━━━━━━━━━━━━━━━━━━━ 0s 3ms/step - accuracy: 0.8750 - loss: 0.3134 - val_accuracy: 0.9 - val_loss: 0.28",
            &["accuracy=0.875", "loss=0.3134", "val_accuracy=0.9", "val_loss=0.28"],
        ),
        ("Epoch 3/10", &[]),
        // Names: letters, digits, _ - . /; a name does not start mid-word.
        ("val/loss=0.3 top-1=0.7 lr.group0=0.01 _x=1", &["val/loss=0.3", "top-1=0.7", "lr.group0=0.01", "_x=1"]),
        ("3ms/step=4", &[]),
        ("a|b=3", &["b=3"]),
        ("ünï=1", &["ünï=1"]),
        // Steps: step=/epoch=/iteration= give the step and are not metrics.
        ("epoch=3 loss=0.5", &["loss=0.5@3"]),
        ("loss=0.5 acc=0.9 step=7", &["loss=0.5@7", "acc=0.9@7"]),
        ("iteration: 12 loss: 1", &["loss=1@12"]),
        ("epoch=2.5 loss=1", &["loss=1"]),
        ("step=10", &[]),
        // `:` needs the name right before it; `=` may have spaces.
        ("note : 3", &[]),
        ("INFO:root:loss=0.25", &["loss=0.25"]),
        ("2024-01-01 12:30:45 loss=0.25", &["loss=0.25"]),
        ("http://host:8080/x?lr=0.1&bs=2", &[]),
        // JSON lines: numeric members, nested flattened with `/`.
        (r#"{"loss": 0.5, "acc": 0.9}"#, &["acc=0.9", "loss=0.5"]),
        (r#"{"loss": 0.5, "epoch": 4, "name": "x", "ok": true, "l": [1]}"#, &["loss=0.5@4"]),
        (r#"{"val": {"loss": 1, "acc": 2}}"#, &["val/acc=2", "val/loss=1"]),
        (r#"{"loss": NaN, "a": Infinity, "b": -Infinity}"#, &["a=inf", "b=-inf", "loss=NaN"]),
        (r#"{"loss": "nan", "s": "NaN in a string"}"#, &["loss=NaN"]),
        (r#"  {"loss": 1e-3}  "#, &["loss=0.001"]),
        // Not JSON but starts with `{`: falls back to pairs (Python dict repr).
        ("{'loss': 0.5, 'acc': nan}", &["loss=0.5", "acc=NaN"]),
        // Syne Tune.
        (
            r#"[tune-metric]: {"epoch": 3, "loss": 0.2, "st_worker_timestamp": 1700000000.5, "st_worker_time": 1.2, "st_worker_iter": 2}"#,
            &["loss=0.2@3"],
        ),
        (r#"2024 INFO [tune-metric]: {"acc": Infinity}"#, &["acc=inf"]),
        // Printed by syne_tune.report.Reporter 0.16.0 for
        // r(epoch=1, loss=0.25, acc=nan) and r(epoch=2, loss=inf).
        (
            r#"[tune-metric]: {"epoch": 1, "loss": 0.25, "acc": NaN, "st_worker_timestamp": 1796031496.6021414, "st_worker_time": 2.2082000214140862e-05, "st_worker_iter": 0}"#,
            &["acc=NaN@1", "loss=0.25@1"],
        ),
        (
            r#"[tune-metric]: {"epoch": 2, "loss": Infinity, "st_worker_timestamp": 1796031496.6044805, "st_worker_time": 0.002362781000101677, "st_worker_iter": 1}"#,
            &["loss=inf@2"],
        ),
        // Keras 3 when stdout is not a terminal.
        ("8/8 - 0s - 3ms/step - accuracy: 0.5000 - loss: 0.6931", &["accuracy=0.5", "loss=0.6931"]),
        // Quoted names.
        (r#""loss": 0.5, 'acc': 0.25"#, &["loss=0.5", "acc=0.25"]),
        ("", &[]),
        ("just some text", &[]),
        // Colour codes and progress bars redrawn with \r.
        ("\x1b[32mloss=0.5\x1b[0m \x1b[1macc\x1b[0m: 0.75", &["loss=0.5", "acc=0.75"]),
        ("step=1 loss=1\rstep=2 loss=0.5\r", &["loss=1@1", "loss=0.5@2"]),
        (" 10%|#  | 1/10 [00:01, loss=0.9]\r 20%|## | 2/10 [00:02, loss=0.8]", &["loss=0.9", "loss=0.8"]),
        ("loss=0.5\r\n", &["loss=0.5"]),
    ];
    for (line, want) in cases {
        check(line, want);
    }
}

#[test]
fn rejections_say_why() {
    let cases: &[(&str, &str, &str)] = &[
        ("loss=1,234", "1", "thousands"),
        ("x = 1.5.6", "1.5.6", "not a number"),
        ("name=resnet", "resnet", "not a number"),
        ("loss: 1.2.3", "1.2.3", "not a number"),
        ("epoch=2.5 loss=1", "2.5", "whole number"),
    ];
    for (line, text, why) in cases {
        let r = scan_line(line).rejected;
        assert_eq!(r.len(), 1, "{line}: {r:?}");
        assert_eq!(r[0].text, *text, "{line}");
        assert!(r[0].why.contains(why), "{line}: {}", r[0].why);
    }
    // Words after `:` are not near misses (log prefixes, URLs, times).
    assert!(scan_line("INFO:root:started").rejected.is_empty());
}

#[test]
fn tracker_counts_per_name() {
    let mut t = MetricTracker::new();
    assert_eq!(
        t.observe_line("loss=1 acc=0.5"),
        vec![("loss".into(), 0, 1.0), ("acc".into(), 0, 0.5)]
    );
    assert_eq!(t.observe_line("loss=2"), vec![("loss".into(), 1, 2.0)]);
    assert_eq!(
        t.observe_line("step=10 loss=3"),
        vec![("loss".into(), 10, 3.0)]
    );
    assert_eq!(
        t.observe_line("loss=4 acc=0.6"),
        vec![("loss".into(), 11, 4.0), ("acc".into(), 1, 0.6)]
    );
    assert_eq!(
        t.observe_line("step=5 loss=5"),
        vec![("loss".into(), 5, 5.0)]
    );
    assert_eq!(t.observe_line("loss=6"), vec![("loss".into(), 12, 6.0)]);
    assert!(t.observe_line("nothing here").is_empty());
}

#[test]
fn strategies() {
    let v = [3.0, f64::NAN, 1.0, 2.0];
    assert_eq!(Strategy::Last.pick(v), Some(2.0));
    assert_eq!(Strategy::Min.pick(v), Some(1.0));
    assert_eq!(Strategy::Max.pick(v.iter()), Some(3.0));
    assert!(Strategy::Last.pick([1.0, f64::NAN]).unwrap().is_nan());
    assert!(Strategy::Min.pick([f64::NAN]).unwrap().is_nan());
    assert_eq!(
        Strategy::Max.pick([f64::NEG_INFINITY, f64::INFINITY]),
        Some(f64::INFINITY)
    );
    assert_eq!(Strategy::Min.pick(Vec::<f64>::new()), None);
    for (s, want) in [
        ("last", Strategy::Last),
        ("latest", Strategy::Last),
        ("min", Strategy::Min),
        ("max", Strategy::Max),
    ] {
        assert_eq!(s.parse::<Strategy>(), Ok(want));
    }
    assert!("best"
        .parse::<Strategy>()
        .unwrap_err()
        .contains("last, min or max"));
    assert_eq!(Strategy::Max.to_string(), "max");
}

#[test]
fn test_metrics_report_golden() {
    let log = b"starting\nepoch=1 loss=0.5 acc=0.7\nepoch=2 loss=0.25 acc=0.8\nloss=nan\nbad=1,234 name=resnet\n\xff\xfe loss=0.125\n";
    let report = test_metrics_report(&log[..]);
    let want = "\
6 lines, 4 with metrics, 2 metrics, 2 rejected
metric  count  first step  last step   last    min  max
loss        4           1          4  0.125  0.125  0.5
acc         2           1          2    0.8    0.7  0.8
rejected:
  line 5: bad=\"1\": a comma inside a number (thousands separator?)
  line 5: name=\"resnet\": not a number
";
    assert_eq!(report, want);
}
