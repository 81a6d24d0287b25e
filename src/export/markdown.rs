//! A GitHub-flavoured Markdown table, for pasting into a PR or a report.

use std::io::Write;

use crate::export::text::{metric, printable};
use crate::export::{ExportError, Exporter, Report};

pub(crate) struct Markdown;

/// Escapes a cell: pipes, backslashes, and Markdown/HTML specials, with
/// control characters made visible.
fn cell(s: &str) -> String {
    let mut out = String::new();
    for c in printable(s).chars() {
        match c {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

impl Exporter for Markdown {
    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> Result<(), ExportError> {
        let t = report.table;
        let mut head = vec![
            "#".to_string(),
            if t.groups { "group" } else { "session" }.to_string(),
        ];
        if t.groups {
            head.push("n".into());
        } else {
            head.push("status".into());
        }
        head.extend(t.hparams.iter().map(|h| cell(&h.label)));
        head.extend(t.metrics.iter().map(|m| cell(&m.label)));
        writeln!(out, "| {} |", head.join(" | "))?;
        let align: Vec<&str> = head
            .iter()
            .enumerate()
            .map(|(i, _)| {
                if i == 0 || i >= 3 + t.hparams.len() {
                    "---:"
                } else {
                    "---"
                }
            })
            .collect();
        writeln!(out, "| {} |", align.join(" | "))?;
        for r in &t.rows {
            let mut cells = vec![r.rank.to_string(), cell(&r.name)];
            if t.groups {
                cells.push(r.sessions.len().to_string());
            } else {
                cells.push(r.status.map(|s| s.short()).unwrap_or("").to_string());
            }
            for h in &t.hparams {
                cells.push(
                    r.hparams
                        .get(&h.name)
                        .map(|v| cell(&v.to_string()))
                        .unwrap_or_default(),
                );
            }
            for m in &t.metrics {
                let v = r
                    .metrics
                    .get(&m.key)
                    .map(|v| metric(*v))
                    .unwrap_or_default();
                match r.std.get(&m.key) {
                    Some(s) => cells.push(format!("{v} ± {}", metric(*s))),
                    None => cells.push(v),
                }
            }
            writeln!(out, "| {} |", cells.join(" | "))?;
        }
        Ok(())
    }
}
