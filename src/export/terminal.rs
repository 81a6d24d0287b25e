//! The aligned text table for a terminal.
//!
//! Headers wrap at `/` (`validation` over `epoch_loss`); long names are
//! shortened with a middle ellipsis; when the columns do not fit the width,
//! the table is printed in blocks of columns, each repeating the rank and
//! name, like a wide data frame in a notebook. Control characters in names
//! are shown escaped.

use std::io::Write;

use crate::export::text::{elide, metric, printable, width};
use crate::export::{ExportError, Exporter, Report};

pub(crate) struct TerminalTable {
    pub width: usize,
}

struct Col {
    head: Vec<String>,
    cells: Vec<String>,
    right: bool,
    width: usize,
}

const GAP: usize = 2;

impl Col {
    fn new(label: &str, cells: Vec<String>, right: bool, cap: usize) -> Col {
        let label = printable(label);
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| elide(&printable(&c), cap))
            .collect();
        let widest = cells.iter().map(|c| width(c)).max().unwrap_or(1);
        // Header lines: split at '/', then wrap long pieces at '_' to about
        // the width of the values (at least 6 columns, at most `cap`).
        let target = widest.max(6).min(cap);
        let mut head = Vec::new();
        for part in label.split('/').filter(|p| !p.is_empty()) {
            let mut line = String::new();
            for word in part.split_inclusive('_') {
                if !line.is_empty() && width(&line) + width(word) > target {
                    head.push(std::mem::take(&mut line));
                }
                line.push_str(word);
            }
            if !line.is_empty() {
                head.push(line);
            }
        }
        let head: Vec<String> = head
            .into_iter()
            .flat_map(|h| {
                let chars: Vec<char> = h.chars().collect();
                chars
                    .chunks(cap.max(4))
                    .map(|c| c.iter().collect::<String>())
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut head = head;
        if head.is_empty() {
            head.push(String::new());
        }
        if head.len() > 4 {
            // Keep the first line and the last three.
            let n = head.len();
            head = vec![
                format!("{}…", head[0]),
                head[n - 3].clone(),
                head[n - 2].clone(),
                head[n - 1].clone(),
            ];
        }
        let w = head
            .iter()
            .map(|h| width(h))
            .chain(cells.iter().map(|c| width(c)))
            .max()
            .unwrap_or(1)
            .min(cap)
            .max(1);
        Col {
            head,
            cells,
            right,
            width: w,
        }
    }

    fn pad(&self, s: &str) -> String {
        let s = elide(s, self.width);
        let fill = " ".repeat(self.width - width(&s));
        if self.right {
            format!("{fill}{s}")
        } else {
            format!("{s}{fill}")
        }
    }
}

/// Greedy word wrap of prose to `max` columns (a word longer than a line is
/// elided).
fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(20);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let word = elide(word, max);
        if !line.is_empty() && width(&line) + 1 + width(&word) > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    lines.push(line);
    lines
}

impl Exporter for TerminalTable {
    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> Result<(), ExportError> {
        let t = report.table;
        let exp = report.experiment;
        let rows = &t.rows;
        let what = match (t.groups, &exp.runs) {
            (true, _) => "groups",
            (false, Some(_)) => "runs",
            (false, None) => "sessions",
        };
        let summary = format!(
            ": {} {}, {} hparams, {} metrics ({} experiment)",
            t.total,
            what,
            exp.hparams.len(),
            exp.metrics.len(),
            if exp.explicit { "declared" } else { "inferred" }
        );
        let room = self.width.saturating_sub(width(&summary)).max(12);
        let path = elide(&printable(&report.logdir.display().to_string()), room);
        writeln!(out, "{path}{summary}")?;
        if let Some(runs) = &exp.runs {
            for l in wrap(&runs.note(), self.width) {
                writeln!(out, "{l}")?;
            }
        }
        if let Some((k, goal)) = &t.sort {
            let how = if t.reduce.is_tensorboard() {
                "last value, as TensorBoard".to_string()
            } else {
                format!("{} of each curve, not TensorBoard's last value", t.reduce)
            };
            let agg = if t.groups && t.agg == crate::analysis::Agg::Mean {
                "; mean over each group's sessions, as TensorBoard".to_string()
            } else if t.groups {
                format!(
                    "; {} over each group's sessions, not TensorBoard's mean",
                    t.agg
                )
            } else {
                String::new()
            };
            let line = format!("ranked by {} ({goal}; {how}{agg})", printable(&t.label(k)));
            for l in wrap(&line, self.width) {
                writeln!(out, "{l}")?;
            }
        }
        if rows.is_empty() {
            writeln!(out, "\nno {what} match")?;
            return Ok(());
        }
        writeln!(out)?;

        let mut fixed = vec![
            Col::new(
                "#",
                rows.iter().map(|r| r.rank.to_string()).collect(),
                true,
                6,
            ),
            Col::new(
                if t.groups { "group" } else { "session" },
                rows.iter().map(|r| r.name.clone()).collect(),
                false,
                24,
            ),
        ];
        if t.groups {
            fixed.push(Col::new(
                "n",
                rows.iter().map(|r| r.sessions.len().to_string()).collect(),
                true,
                5,
            ));
        } else {
            fixed.push(Col::new(
                "status",
                rows.iter()
                    .map(|r| r.status.map(|s| s.short()).unwrap_or("").to_string())
                    .collect(),
                false,
                7,
            ));
        }
        let mut flex = Vec::new();
        for h in &t.hparams {
            let cells = rows
                .iter()
                .map(|r| {
                    r.hparams
                        .get(&h.name)
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "-".into())
                })
                .collect();
            let numeric = rows
                .iter()
                .filter_map(|r| r.hparams.get(&h.name))
                .all(|v| v.is_number());
            flex.push(Col::new(&h.label, cells, numeric, 16));
        }
        for m in &t.metrics {
            let cells = rows
                .iter()
                .map(|r| match (r.metrics.get(&m.key), r.std.get(&m.key)) {
                    (Some(v), Some(s)) => format!("{}±{}", metric(*v), metric(*s)),
                    (Some(v), None) => metric(*v),
                    _ => "-".into(),
                })
                .collect();
            flex.push(Col::new(&m.label, cells, true, 16));
        }

        // Pack flexible columns into blocks that fit the width.
        let fixed_w: usize = fixed.iter().map(|c| c.width + GAP).sum();
        let avail = self.width.saturating_sub(fixed_w).max(12);
        let mut blocks: Vec<Vec<&Col>> = vec![Vec::new()];
        let mut used = 0;
        for c in &flex {
            let w = c.width + GAP;
            if used + w > avail && !blocks.last().is_some_and(|b| b.is_empty()) {
                blocks.push(Vec::new());
                used = 0;
            }
            used += w;
            if let Some(b) = blocks.last_mut() {
                b.push(c);
            }
        }
        for (bi, block) in blocks.iter().enumerate() {
            if bi > 0 {
                writeln!(out)?;
            }
            let cols: Vec<&Col> = fixed.iter().chain(block.iter().copied()).collect();
            let lines = cols.iter().map(|c| c.head.len()).max().unwrap_or(1);
            for l in 0..lines {
                // Bottom-align header lines.
                let line: Vec<String> = cols
                    .iter()
                    .map(|c| {
                        let off = lines - c.head.len();
                        let h = if l >= off {
                            c.head[l - off].as_str()
                        } else {
                            ""
                        };
                        c.pad(h)
                    })
                    .collect();
                writeln!(out, "{}", line.join("  ").trim_end())?;
            }
            let rule: Vec<String> = cols.iter().map(|c| "-".repeat(c.width)).collect();
            writeln!(out, "{}", rule.join("  "))?;
            for i in 0..rows.len() {
                let line: Vec<String> = cols.iter().map(|c| c.pad(&c.cells[i])).collect();
                writeln!(out, "{}", line.join("  ").trim_end())?;
            }
        }
        if t.rows.len() < t.matched || t.matched < t.total {
            writeln!(
                out,
                "\n{} of {} {} shown ({} matched the filters)",
                t.rows.len(),
                t.total,
                what,
                t.matched
            )?;
        }
        Ok(())
    }
}
