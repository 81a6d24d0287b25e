//! The terminal table as a person reads it (issue 12 items 1–6), on the
//! Lightning-style sweep `fixtures/lightning_sweep` (53 sessions, 15 of 21
//! hparams constant, `hp_metric` = -1 everywhere): it fits, says what is
//! constant once, keeps the informative ends of names and whole numbers,
//! and names the real scalar tags; the data formats stay complete.

#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lightning_sweep")
}

/// stdout of `hp-report fixtures/lightning_sweep ARGS` with `COLUMNS=100`.
fn table(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hp-report"))
        .arg(fixture())
        .args(args)
        .arg("-q")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The lines of the table bodies (after each rule of dashes).
fn body(out: &str) -> Vec<&str> {
    let mut rows = Vec::new();
    let mut inside = false;
    for l in out.lines() {
        if l.starts_with("--") {
            inside = true;
        } else if l.is_empty() {
            inside = false;
        } else if inside {
            rows.push(l);
        }
    }
    rows
}

const CONSTANT: [&str; 15] = [
    "ar_reg",
    "changepoints_range",
    "daily_seasonality",
    "growth",
    "impute_missing",
    "loss_func",
    "n_changepoints",
    "n_forecasts",
    "normalize",
    "optimizer",
    "seasonality_mode",
    "seasonality_reg",
    "trend_reg",
    "weekly_seasonality",
    "yearly_seasonality",
];

#[test]
fn the_default_table_of_a_lightning_sweep_reads_at_a_glance() {
    let out = table(&[]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() < 80, "{} lines:\n{out}", lines.len());
    assert!(lines.iter().all(|l| l.chars().count() <= 100), "{out}");
    let rows = body(&out);
    assert_eq!(rows.len(), 53, "{out}");
    // No cell is elided (numbers never are; names fit once the common
    // `lightning_logs/` is said in the header).
    assert!(rows.iter().all(|r| !r.contains('…')), "{out}");
    assert!(out.contains("sessions under lightning_logs/"), "{out}");
    for i in 0..53 {
        let name = format!("version_{i}");
        let hits = rows
            .iter()
            .filter(|r| r.split_whitespace().any(|w| w == name))
            .count();
        assert_eq!(hits, 1, "{name} shown whole once:\n{out}");
    }
    // Ties (hp_metric is -1 everywhere) in natural order.
    let names: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.split_whitespace().nth(1))
        .collect();
    assert_eq!(&names[..3], ["version_0", "version_1", "version_2"]);
    assert_eq!(names[10], "version_10");
    // The constant hparams once, in the header, not as columns.
    let same = out
        .lines()
        .position(|l| l.starts_with("same in all 53: "))
        .expect("a `same in all` line");
    for h in CONSTANT {
        assert_eq!(out.matches(&format!("{h}=")).count(), 1, "{h}:\n{out}");
        assert!(lines[same..].iter().any(|l| l.contains(h)), "{h}");
    }
    // The ranked metric right after the status; the placeholder said, with
    // the real tags and the flag that shows them.
    assert!(out.contains("hp_metric"), "{out}");
    assert!(out.contains("placeholders?"), "{out}");
    assert!(
        out.contains("MAE_val") && out.contains("--all-metrics"),
        "{out}"
    );
}

#[test]
fn hparams_all_shows_every_column_and_data_stays_complete() {
    let out = table(&["--hparams", "all"]);
    assert!(!out.contains("same in all"), "{out}");
    // Every block repeats #, session, status; the rest are 21 hparams and
    // hp_metric.
    let columns: usize = out
        .lines()
        .filter(|l| l.starts_with("--"))
        .map(|l| l.split_whitespace().count() - 3)
        .sum();
    assert_eq!(columns, 22, "{out}");
    let json: serde_json::Value = serde_json::from_str(&table(&["--format", "json"])).unwrap();
    let sessions = json["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 53);
    // JSON keeps the ranking's own order (ties by name bytes) and every
    // hparam: it is data, not a view.
    assert_eq!(sessions[2]["session"], "lightning_logs/version_10");
    assert_eq!(sessions[0]["hparams"].as_object().unwrap().len(), 21);
    let md = table(&["--format", "markdown"]);
    assert!(
        md.starts_with("sessions under lightning\\_logs/; same in all 53: "),
        "{md}"
    );
}

#[test]
fn sort_on_an_undeclared_tag_works_and_numbers_keep_one_style() {
    let out = table(&["--sort", "Loss_val", "--all-metrics"]);
    assert!(out.contains("ranked by Loss_val (min"), "{out}");
    let rows = body(&out);
    assert!(rows.iter().all(|r| !r.contains('…')), "{out}");
    // The epoch count is an integer column, not `46.0000`.
    assert!(!out.contains(".0000 "), "{out}");
}
