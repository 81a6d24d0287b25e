//! The report of a sweep of 10,000 short sessions stays small (issue 17):
//! under 3 MB, its table paged from JSON rows, its plots inline PNG.
//!
//! Writing and reading 10,000 sessions (30,000 event files) takes minutes
//! in a debug build (1,000 take 50 s), so the test is `#[ignore]`d: run it
//! with `cargo test --release --test integration scale:: -- --ignored`;
//! `HP_REPORT_SCALE_SESSIONS=1000` makes a quicker run of the same checks.

use hp_report::analysis::{build, Query};
use hp_report::logdir::{self, LoadOptions, SeriesOptions};
use hp_report::plot::PlotOptions;
use hp_report::report::{figures, html, MANY_ROWS};
use hp_report::{Domain, ExperimentConfig, ExperimentWriter, HParam, Metric, Status, Trial};

/// Writes `n` sessions of 2 splits × 3 tags × 50 steps.
fn write_sweep(dir: &std::path::Path, n: usize) {
    let config = ExperimentConfig::new()
        .hparam(HParam::new("lr", Domain::real(1e-4, 1e-1).expect("domain")))
        .hparam(HParam::new(
            "units",
            Domain::discrete([16i64, 32, 64]).expect("domain"),
        ))
        .metric(Metric::new("epoch_loss").group("validation"));
    let exp = ExperimentWriter::create(dir, &config).expect("experiment");
    for i in 0..n {
        let trial = Trial::new()
            .with("lr", 1e-4 + (i % 97) as f64 * 1e-3)
            .with("units", [16i64, 32, 64][i % 3]);
        let mut s = exp.session(&format!("run-{i}"), &trial).expect("session");
        let rate = 0.02 + (i % 101) as f64 * 1e-3;
        for step in 0..50i64 {
            let loss = 2.0 * (-(rate * step as f64)).exp() + (i % 7) as f64 * 0.01;
            for split in ["train", "validation"] {
                for tag in ["epoch_loss", "epoch_accuracy", "epoch_auc"] {
                    s.scalar(split, tag, step, loss).expect("scalar");
                }
            }
        }
        s.end(Status::Success).expect("end");
    }
}

#[test]
#[ignore = "minutes in a debug build: run by bench/run.sh in release"]
fn report_of_10k_sessions_stays_under_3_mb() {
    let n = std::env::var("HP_REPORT_SCALE_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000usize);
    let dir = tempfile::tempdir().expect("tempdir");
    write_sweep(dir.path(), n);
    let opts = LoadOptions {
        series: SeriesOptions {
            curves: true,
            ..Default::default()
        },
    };
    let ld = logdir::load(dir.path(), &opts).expect("loads");
    assert_eq!(ld.sessions.len(), n);
    let table = build(&ld, &Query::default()).expect("table");
    let figs = figures(&ld, &table, &PlotOptions::default());
    let page = html(dir.path(), &ld, &table, &figs);
    assert!(page.len() < 3_000_000, "report is {} bytes", page.len());
    if n > MANY_ROWS {
        assert!(page.contains("id=\"rows\""), "table paged from JSON rows");
        assert_eq!(page.matches("data:image/png;base64,").count(), 4);
        assert!(!page.contains("<svg"), "no SVG of 10,000 lines");
    }
    for f in &figs {
        assert!(f.svg.is_ok(), "{}: {:?}", f.kind, f.svg);
    }
}
