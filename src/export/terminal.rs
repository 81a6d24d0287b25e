//! The aligned text table for a terminal.
//!
//! The header says what the rows are ranked by and why, lists the hparams
//! equal in every row once (`same in all 53: …`), the leading path common
//! to the session names, and, when the declared metrics are placeholders,
//! the scalar tags `--all-metrics` would show. Column headers wrap at `/`
//! (`validation` over `epoch_loss`); numbers are never shortened; a name
//! that does not fit keeps its end; when the columns do not fit the width,
//! the table is printed in blocks of columns, each repeating the rank and
//! name, like a wide data frame in a notebook. Control characters in names
//! are shown escaped.

use std::io::Write;

use crate::analysis::{Agg, Row, Table};
use crate::export::columns::{Cell, Column, Columns, Kind, Layout};
use crate::export::text::{elide, printable, width};
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
    /// A column of `cells` under `label`; cells wider than `cell_cap` keep
    /// their end, header lines are cut at `cap`.
    fn new(label: &str, cells: Vec<String>, right: bool, cap: usize, cell_cap: usize) -> Col {
        let label = printable(label);
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| elide_start(&printable(&c), cell_cap))
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
            .min(cap.max(cells.iter().map(|c| width(c)).max().unwrap_or(1)))
            .max(1);
        Col {
            head,
            cells,
            right,
            width: w,
        }
    }

    fn pad(&self, s: &str) -> String {
        let s = elide_start(s, self.width);
        let fill = " ".repeat(self.width - width(&s));
        if self.right {
            format!("{fill}{s}")
        } else {
            format!("{s}{fill}")
        }
    }
}

/// Shortens `s` to `max` columns keeping its end (`…version_10`).
fn elide_start(s: &str, max: usize) -> String {
    let n = width(s);
    if n <= max {
        return s.to_string();
    }
    let keep = max.saturating_sub(1);
    let mut out = String::from("…");
    out.extend(s.chars().skip(n - keep));
    out
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

/// The first line: the logdir (shortened to fit) and what it holds.
fn title(report: &Report<'_>, width_: usize) -> String {
    let t = report.table;
    let exp = report.experiment;
    let summary = format!(
        ": {} {}, {} hparams, {} metrics ({} experiment)",
        t.total,
        // A logdir without hparams sessions shows one row per run.
        if !t.groups && exp.runs.is_some() {
            "runs"
        } else {
            t.row_noun()
        },
        exp.hparams.len(),
        exp.metrics.len(),
        if exp.explicit { "declared" } else { "inferred" }
    );
    let room = width_.saturating_sub(width(&summary)).max(12);
    let path = elide(&printable(&report.logdir.display().to_string()), room);
    format!("{path}{summary}")
}

/// What the rows are ranked by, and whether that is TensorBoard's value.
fn ranked_by(t: &Table) -> Option<String> {
    let (k, goal) = t.sort.as_ref()?;
    let how = if t.reduce.is_tensorboard() {
        "last value, as TensorBoard".to_string()
    } else {
        format!("{} of each curve, not TensorBoard's last value", t.reduce)
    };
    let agg = if t.groups && t.agg == Agg::Mean {
        "; mean over each group's sessions, as TensorBoard".to_string()
    } else if t.groups {
        format!(
            "; {} over each group's sessions, not TensorBoard's mean",
            t.agg
        )
    } else {
        String::new()
    };
    let why = match &t.sort_note {
        Some(note) => format!(
            "; chosen as {note} of this inferred experiment, whose metric order means nothing; \
             --sort names another"
        ),
        None => String::new(),
    };
    Some(format!(
        "ranked by {} ({goal}; {how}{agg}{why})",
        printable(&t.label(k))
    ))
}

/// Lines about the columns: the common leading path of the names, the
/// hparams equal in every row.
fn column_notes(cols: &Columns<'_>) -> Vec<String> {
    let mut notes = Vec::new();
    if !cols.prefix.is_empty() {
        let noun = cols.table.row_noun();
        notes.push(format!("{noun} under {}", printable(&cols.prefix)));
    }
    if !cols.constant.is_empty() {
        notes.push(format!(
            "same in all {}: {} (--hparams all shows them as columns)",
            cols.rows().len(),
            cols.constant_list(printable)
        ));
    }
    notes
}

/// When the declared metrics hold no ranking (absent, or one value in
/// every row, like Lightning's `hp_metric` = -1), says so and names the
/// undeclared scalar tags and the flag that shows them.
fn placeholder_note(report: &Report<'_>) -> Option<String> {
    let t = report.table;
    let exp = report.experiment;
    if !exp.explicit || t.rows.len() < 2 {
        return None;
    }
    let declared: Vec<_> = exp.metrics.iter().map(|m| &m.key).collect();
    let flat = |k: &&crate::logdir::MetricKey| {
        let mut vs = t.rows.iter().filter_map(|r| r.metrics.get(*k));
        let first = vs.next();
        first.is_none_or(|f| vs.all(|v| v.to_bits() == f.to_bits()))
    };
    let shown = |k: &&crate::logdir::MetricKey| t.metrics.iter().any(|m| &m.key == *k);
    if !declared.iter().filter(|k| shown(k)).all(flat) {
        return None;
    }
    let shown_keys: Vec<_> = t.metrics.iter().map(|m| &m.key).collect();
    let others: Vec<String> = t
        .labels
        .iter()
        .filter(|(k, _)| !declared.contains(k) && !shown_keys.contains(k))
        .map(|(_, l)| printable(l))
        .collect();
    let what = if declared.is_empty() {
        "the experiment declares no metrics".to_string()
    } else {
        let names: Vec<String> = declared.iter().map(|k| printable(&t.label(k))).collect();
        format!(
            "the declared metrics ({}) have one value in every {} or none: placeholders?",
            names.join(", "),
            if t.groups { "group" } else { "session" }
        )
    };
    if others.is_empty() {
        return Some(what);
    }
    Some(format!(
        "{what} {} other scalar tags: {} (--all-metrics shows them, --sort NAME ranks by one)",
        others.len(),
        others.join(", ")
    ))
}

/// One cell as text: `-` for a missing hparam or metric, a group's spread
/// after its value.
fn cell_text(c: &Column<'_>, row: &Row) -> String {
    match c.cell(row) {
        Cell::Missing if c.identifies_row() => String::new(),
        Cell::Missing => "-".into(),
        Cell::Count(n) => n.to_string(),
        Cell::Status(s) => s.short().to_string(),
        Cell::Text(s) => s.to_string(),
        Cell::Sessions(names) => names.join(", "),
        Cell::HParam(v) => c.hparam_text(v),
        Cell::Metric { value, std: None } => c.number(value),
        Cell::Metric {
            value,
            std: Some(s),
        } => format!("{}±{}", c.number(value), c.number(s)),
    }
}

/// The widest a column's cells may get: a name all the room the table
/// leaves, numbers all they need.
fn cell_cap(c: &Column<'_>, width_: usize) -> usize {
    match c.kind {
        // A group's key is a hash: its end tells groups apart as well.
        Kind::Name if c.name == "group" => 24,
        Kind::Name | Kind::Group | Kind::Sessions => (width_ * 2 / 5).max(24),
        Kind::HParam(_) if c.ty != crate::export::columns::ValueType::Number => cap(c),
        _ => usize::MAX,
    }
}

/// The widest a column's header may get.
fn cap(c: &Column<'_>) -> usize {
    match c.kind {
        Kind::Rank => 6,
        Kind::Name | Kind::Group | Kind::Sessions => 24,
        Kind::Count => 5,
        Kind::Status => 7,
        Kind::HParam(_) | Kind::Metric(_) | Kind::Std(_) => 16,
    }
}

/// A laid-out column: right-aligned when every value in it is a number.
fn laid_out(c: &Column<'_>, rows: &[Row], width_: usize) -> Col {
    let right = rows.iter().all(|r| {
        matches!(
            c.cell(r),
            Cell::Missing | Cell::Count(_) | Cell::Metric { .. }
        ) || matches!(c.cell(r), Cell::HParam(v) if v.is_number())
    });
    let cells = rows.iter().map(|r| cell_text(c, r)).collect();
    Col::new(&c.label, cells, right, cap(c), cell_cap(c, width_))
}

/// Splits `flex` into blocks that fit beside the `fixed` columns in `width_`.
fn blocks<'c>(fixed: &[Col], flex: &'c [Col], width_: usize) -> Vec<Vec<&'c Col>> {
    let fixed_w: usize = fixed.iter().map(|c| c.width + GAP).sum();
    let avail = width_.saturating_sub(fixed_w).max(12);
    let mut blocks: Vec<Vec<&Col>> = vec![Vec::new()];
    let mut used = 0;
    for c in flex {
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
    blocks
}

/// One block: bottom-aligned header lines, a rule, then `rows` lines.
fn write_block(out: &mut dyn Write, cols: &[&Col], rows: usize) -> std::io::Result<()> {
    let lines = cols.iter().map(|c| c.head.len()).max().unwrap_or(1);
    for l in 0..lines {
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
    for i in 0..rows {
        let line: Vec<String> = cols.iter().map(|c| c.pad(&c.cells[i])).collect();
        writeln!(out, "{}", line.join("  ").trim_end())?;
    }
    Ok(())
}

impl Exporter for TerminalTable {
    fn export(&self, report: &Report<'_>, out: &mut dyn Write) -> Result<(), ExportError> {
        let t = report.table;
        writeln!(out, "{}", title(report, self.width))?;
        if let Some(runs) = &report.experiment.runs {
            for l in wrap(&runs.note(), self.width) {
                writeln!(out, "{l}")?;
            }
        }
        let cols = Columns::new(t, Layout::Display);
        let notes = ranked_by(t)
            .into_iter()
            .chain(placeholder_note(report))
            .chain(column_notes(&cols));
        for line in notes {
            for l in wrap(&line, self.width) {
                writeln!(out, "{l}")?;
            }
        }
        if t.rows.is_empty() {
            writeln!(out, "\nno {} match", t.row_noun())?;
            return Ok(());
        }
        writeln!(out)?;
        // The row's identity repeats in every block; the rest is packed.
        let (fixed, flex): (Vec<Col>, Vec<Col>) = {
            let (id, rest): (Vec<&Column>, Vec<&Column>) =
                cols.iter().partition(|c| c.identifies_row());
            let rows = cols.rows();
            let lay = |cs: Vec<&Column>| {
                cs.into_iter()
                    .map(|c| laid_out(c, rows, self.width))
                    .collect()
            };
            (lay(id), lay(rest))
        };
        for (bi, block) in blocks(&fixed, &flex, self.width).iter().enumerate() {
            if bi > 0 {
                writeln!(out)?;
            }
            let cols: Vec<&Col> = fixed.iter().chain(block.iter().copied()).collect();
            write_block(out, &cols, t.rows.len())?;
        }
        if t.rows.len() < t.matched || t.matched < t.total {
            writeln!(
                out,
                "\n{} of {} {} shown ({} matched the filters)",
                t.rows.len(),
                t.total,
                t.row_noun(),
                t.matched
            )?;
        }
        Ok(())
    }
}
