//! Names and values from other people's logs are untrusted text: commas,
//! quotes, newlines, terminal escapes, spreadsheet formulas, very long
//! strings. Every output format must stay well formed and safe with them:
//! CSV parses back to the same shape and has its formulas defused, JSON is
//! valid and keeps the exact strings, Markdown keeps one row per line, the
//! terminal table holds no control characters. (HTML: tests/integration/plots.rs.)

use std::path::Path;
use std::process::Command;

use hp_report::event::EventFileWriter;
use hp_report::hparams::plugin::{session_end_summary, session_start_summary};
use hp_report::{HParamValue, Status};

const NAMES: &[&str] = &[
    "a,b",
    "quo\"te",
    "new\nline",
    "esc\x1b[31mred",
    "=1+2",
    "pipe|cell",
];
const VALUES: &[&str] = &[
    "+SUM(A1:A9)",
    "-2+3",
    "@cmd",
    "=HYPERLINK(\"x\")",
    "<b>&amp;</b>",
    "tab\tx",
];

fn hostile_logdir(root: &Path) {
    let long = "L".repeat(5000);
    for s in 0..3 {
        let dir = root.join(format!("s,{s}\"x"));
        let mut w = EventFileWriter::create(&dir).unwrap();
        let mut hp: Vec<(String, HParamValue)> = NAMES
            .iter()
            .zip(VALUES)
            .map(|(n, v)| (n.to_string(), HParamValue::Str(format!("{v}{s}"))))
            .collect();
        hp.push((long.clone(), HParamValue::Float(s as f64)));
        let refs: Vec<(&str, &HParamValue)> = hp.iter().map(|(k, v)| (k.as_str(), v)).collect();
        w.write_summary(0, session_start_summary(refs, "", 1.0))
            .unwrap();
        w.write_summary(0, session_end_summary(Status::Success, 2.0))
            .unwrap();
        drop(w);
        let mut m = EventFileWriter::create(dir.join("va,l\"id\nation")).unwrap();
        m.write_scalar("acc,\"q\"\x07", 0, 0.5 + s as f64 / 10.0)
            .unwrap();
        m.write_scalar("=cmd|x", 0, 1.0).unwrap();
    }
}

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hp-report"))
        .args(args)
        .output()
        .expect("run hp-report");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// A small RFC 4180 parser: rows of cells.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![];
    let mut row = vec![];
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

#[test]
fn every_format_stays_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    hostile_logdir(dir.path());
    let logdir = dir.path().to_str().unwrap();

    // JSON: valid, with the exact strings.
    let json: serde_json::Value =
        serde_json::from_str(&run(&[logdir, "-f", "json", "--all-metrics"])).unwrap();
    let rows = json["sessions"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for n in NAMES {
        assert!(rows[0]["hparams"].get(*n).is_some(), "{n:?} kept exactly");
    }
    assert!(
        rows[0]["metrics"]
            .get("va,l\"id\nation/acc,\"q\"\x07")
            .is_some(),
        "{}",
        rows[0]["metrics"]
    );
    for line in run(&[logdir, "-f", "jsonl", "--all-metrics"]).lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }

    // CSV: every row has the header's width; text cells are defused.
    let csv = parse_csv(&run(&[logdir, "-f", "csv", "--all-metrics"]));
    assert_eq!(csv.len(), 4, "{csv:?}");
    assert!(csv.iter().all(|r| r.len() == csv[0].len()), "{csv:?}");
    for row in &csv {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "formula not defused: {cell:?}"
            );
            if cell.starts_with('-') {
                assert!(
                    cell.parse::<f64>().is_ok(),
                    "only numbers may start with '-': {cell:?}"
                );
            }
        }
    }
    assert!(csv[0].iter().any(|h| h == "'=1+2"), "{:?}", csv[0]);
    // --csv-raw leaves them alone.
    let raw = parse_csv(&run(&[logdir, "-f", "csv", "--csv-raw"]));
    assert!(raw[0].iter().any(|h| h == "=1+2"));

    // Markdown: one line per row, each a table row.
    let md = run(&[logdir, "-f", "markdown", "--all-metrics"]);
    assert_eq!(md.lines().count(), 2 + 3, "{md}");
    for line in md.lines() {
        assert!(line.starts_with("| ") && line.ends_with(" |"), "{line:?}");
        assert!(!line.contains('\x1b') && !line.contains('\x07'));
    }
    let cells = |l: &str| l.replace("\\|", "").matches('|').count();
    let head = cells(md.lines().next().unwrap());
    assert!(md.lines().all(|l| cells(l) == head), "{md}");

    // Terminal: no control characters besides newlines.
    for width in ["80", "200"] {
        let text = run(&[logdir, "--all-metrics", "--width", width]);
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert!(text.contains("\\x1b[31m"), "escapes are shown, not sent");
    }
}
