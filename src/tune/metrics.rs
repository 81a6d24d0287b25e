//! The metric grammar: what a trial reports on its stdout and stderr.
//!
//! A line yields metrics in one of three ways, tried in this order:
//! 1. **Syne Tune**: `[tune-metric]: {json}` anywhere on the line; the
//!    object's numeric members (Syne Tune's own `st_*` bookkeeping keys
//!    dropped).
//! 2. **JSON line**: a line that is one JSON object (`{"loss": 0.3, "epoch": 2}`);
//!    its numeric members, nested objects flattened with `/`
//!    (`{"val": {"loss": 1}}` → `val/loss`); Python's bare `NaN`,
//!    `Infinity`, `-Infinity` and the strings `"nan"`, `"inf"`, … count as
//!    numbers; bools, lists and other strings are skipped. A line that
//!    starts with `{` but is not JSON falls through to 3.
//! 3. **Pairs**: every `name=value` and `name: value` on the line (Katib's
//!    `loss=0.3`, Guild's `loss: 0.3`, Keras' `loss: 0.31 - val_loss: 0.28`,
//!    `"loss": 0.3` with a quoted name). Spaces may stand on both sides of
//!    `=` but only after `:` (so `a : 1` is not a metric).
//!
//! * A **name** starts with a letter or `_` that does not follow another
//!   name character, and continues with letters, digits, `_`, `-`, `.`, `/`.
//! * A **value** is `[+-]?(d+[.d*]|.d+)([eE][+-]?d+)?`, or `nan`, `inf`,
//!   `infinity` (any case, ±). It must end the line or be followed by a
//!   space or one of `, ; | ) ] } " '`. So `1,234` (a comma then a digit),
//!   `1.5.6`, `95%`, `0.5s`, a lone `.` or `-` and `resnet` are **not**
//!   numbers: no metric (Katib's regex turns `loss=nan` into `""`,
//!   `loss=-inf` into `"-"`, `1,234` into `1` and `1.5.6` into `1.5`).
//! * **Steps**: `step`, `epoch` and `iteration` on the same line (integer
//!   values) give every metric of the line its step, and are not metrics
//!   themselves. Without them the caller counts per name
//!   ([`MetricTracker`]).
//! * Terminal colour codes are ignored, and a progress bar redrawn with
//!   `\r` counts as one line per redraw.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::BufRead;
use std::str::FromStr;

use serde_json::Value;

/// One value found on a line.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricPoint {
    /// The metric's name as printed (`val_loss`).
    pub name: String,
    /// Its value (NaN and ±inf allowed).
    pub value: f64,
    /// `step=`/`epoch=`/`iteration=` on the same line; `None` lets the
    /// caller count per name.
    pub step: Option<i64>,
}

/// Which of a trial's reported values is its objective.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    /// The last value reported (what TensorBoard shows).
    #[default]
    Last,
    /// The smallest.
    Min,
    /// The largest.
    Max,
}

impl Strategy {
    /// The objective among `values` (in the order reported): the last one,
    /// or the smallest/largest ignoring NaN (NaN only when every value is
    /// NaN). `None` when there are no values.
    pub fn pick<I>(self, values: I) -> Option<f64>
    where
        I: IntoIterator,
        I::Item: Borrow<f64>,
    {
        let mut it = values.into_iter().map(|v| *v.borrow());
        match self {
            Strategy::Last => it.last(),
            Strategy::Min | Strategy::Max => {
                let first = it.next()?;
                Some(it.fold(first, |acc, x| {
                    if acc.is_nan() {
                        x
                    } else if x.is_nan() {
                        acc
                    } else if self == Strategy::Min {
                        acc.min(x)
                    } else {
                        acc.max(x)
                    }
                }))
            }
        }
    }

    /// `last`, `min` or `max`.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Last => "last",
            Strategy::Min => "min",
            Strategy::Max => "max",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Strategy {
    type Err = String;
    /// `last` (or Katib's `latest`), `min`, `max`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "last" | "latest" => Ok(Strategy::Last),
            "min" => Ok(Strategy::Min),
            "max" => Ok(Strategy::Max),
            other => Err(format!(
                "unknown strategy {other:?}: expected last, min or max"
            )),
        }
    }
}

/// Something that looked like a metric but was not taken.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejected {
    /// The name before `=` or `:`.
    pub name: String,
    /// The text after it, up to the next space.
    pub text: String,
    /// Why it is not a metric.
    pub why: &'static str,
}

/// What one line holds: its metrics and the near misses.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineScan {
    /// The metrics, in order.
    pub points: Vec<MetricPoint>,
    /// Pairs that looked like metrics and were rejected, with why.
    pub rejected: Vec<Rejected>,
}

/// The keys that give a line's step and are not metrics.
const STEP_KEYS: [&str; 3] = ["step", "epoch", "iteration"];

/// Every metric value on one line of output, in order.
pub fn parse_line(line: &str) -> Vec<MetricPoint> {
    scan_line(line).points
}

/// [`parse_line`] with the rejected near misses.
///
/// Terminal colour codes (`ESC[…m`) are removed first, and a line holding
/// carriage returns (a progress bar redrawn in place) is read as one line
/// per `\r`-separated part, each with its own step.
pub fn scan_line(line: &str) -> LineScan {
    if line.contains('\x1b') {
        return scan_line(&strip_ansi(line));
    }
    let line = line.trim_end_matches(['\r', '\n']);
    if line.contains('\r') {
        let mut all = LineScan::default();
        for part in line.split('\r') {
            let s = scan_segment(part);
            all.points.extend(s.points);
            all.rejected.extend(s.rejected);
        }
        return all;
    }
    scan_segment(line)
}

/// Removes ANSI escape sequences (`ESC[` … a letter, or ESC and one char).
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() || d == '~' {
                    break;
                }
            }
        } else {
            chars.next();
        }
    }
    out
}

/// One line without carriage returns or colour codes.
fn scan_segment(line: &str) -> LineScan {
    if let Some(i) = line.find("[tune-metric]:") {
        if let Some(s) = json_line(line[i + "[tune-metric]:".len()..].trim(), true) {
            return s;
        }
    }
    let t = line.trim();
    if t.starts_with('{') && t.ends_with('}') {
        if let Some(s) = json_line(t, false) {
            return s;
        }
    }
    pairs(line)
}

/// Parses a value: a decimal number, or nan/inf/infinity (any case, ±).
pub fn parse_value(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let neg = s.starts_with('-');
    let lower = body.to_ascii_lowercase();
    match lower.as_str() {
        "nan" => return Some(f64::NAN),
        "inf" | "infinity" => {
            return Some(if neg {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })
        }
        _ => {}
    }
    if is_number_text(s) {
        s.parse().ok()
    } else {
        None
    }
}

/// Whether `s` is a decimal number as the grammars read them
/// (`[+-]?(d+[.d*]|.d+)([eE][+-]?d+)?`): no `inf`, `nan`, `1,5`, `1.5.6`.
pub(crate) fn is_number_text(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mantissa, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exp_ok = match exp {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && digits(e)
        }
    };
    mantissa_ok && exp_ok
}

/// Quotes bare `NaN`, `Infinity` and `-Infinity` outside strings, as
/// Python's `json.dumps` writes them, so serde_json reads the line.
fn quote_nonfinite(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut in_str = false;
    let mut escaped = false;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '"' {
            in_str = true;
        }
        let word = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|w| rest.starts_with(w));
        if let Some(w) = word {
            out.push('"');
            out.push_str(w);
            out.push('"');
            rest = &rest[w.len()..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The numeric members of a JSON object line.
fn json_line(text: &str, syne: bool) -> Option<LineScan> {
    let v: Value = serde_json::from_str(text)
        .or_else(|_| serde_json::from_str(&quote_nonfinite(text)))
        .ok()?;
    let obj = v.as_object()?;
    let mut flat = Vec::new();
    flatten(obj, "", &mut flat);
    let mut scan = LineScan::default();
    let mut step = None;
    for (name, value) in flat {
        if syne && name.starts_with("st_") {
            continue;
        }
        let x = match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => parse_value(s.trim()),
            _ => None,
        };
        let Some(x) = x else { continue };
        if STEP_KEYS.contains(&name.as_str()) {
            match as_step(x) {
                Some(s) => step = Some(s),
                None => scan.rejected.push(Rejected {
                    name,
                    text: value.to_string(),
                    why: "a step must be a whole number",
                }),
            }
            continue;
        }
        scan.points.push(MetricPoint {
            name,
            value: x,
            step: None,
        });
    }
    for p in &mut scan.points {
        p.step = step;
    }
    Some(scan)
}

fn flatten<'v>(
    obj: &'v serde_json::Map<String, Value>,
    prefix: &str,
    out: &mut Vec<(String, &'v Value)>,
) {
    for (k, v) in obj {
        let name = format!("{prefix}{k}");
        match v {
            Value::Object(inner) => flatten(inner, &format!("{name}/"), out),
            _ => out.push((name, v)),
        }
    }
}

fn as_step(x: f64) -> Option<i64> {
    (x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15).then_some(x as i64)
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// Characters that may follow a value.
fn is_boundary(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | ';' | '|' | ')' | ']' | '}' | '"' | '\'')
}

/// A pair found at a name: (name, value text, value, next index).
struct Pair {
    name: String,
    text: String,
    value: Result<f64, &'static str>,
    /// Where the value starts and where it ends.
    start: usize,
    next: usize,
    equals: bool,
}

/// Tries to read `name[=:]value` at `i`, where a name starts.
fn pair_at(chars: &[char], i: usize) -> Option<Pair> {
    let mut j = i;
    while j < chars.len() && is_name_char(chars[j]) {
        j += 1;
    }
    let name: String = chars[i..j].iter().collect();
    // A quoted name: `"loss": 0.3`, `'loss': 0.3`.
    if i > 0 && matches!(chars[i - 1], '"' | '\'') && chars.get(j) == Some(&chars[i - 1]) {
        j += 1;
    }
    let mut k = j;
    while k < chars.len() && (chars[k] == ' ' || chars[k] == '\t') {
        k += 1;
    }
    let sep = *chars.get(k)?;
    let equals = sep == '=';
    if !(equals || (sep == ':' && k == j)) {
        return None;
    }
    k += 1;
    while k < chars.len() && (chars[k] == ' ' || chars[k] == '\t') {
        k += 1;
    }
    let start = k;
    while k < chars.len() && !is_boundary(chars[k]) {
        k += 1;
    }
    let text: String = chars[start..k].iter().collect();
    if text.is_empty() {
        return None;
    }
    let after = chars.get(k).copied();
    let value = if after == Some(',') && chars.get(k + 1).is_some_and(char::is_ascii_digit) {
        Err("a comma inside a number (thousands separator?)")
    } else {
        parse_value(&text).ok_or("not a number")
    };
    Some(Pair {
        name,
        text,
        value,
        start,
        next: k,
        equals,
    })
}

/// Whether a rejected value is worth reporting: after `=` always; after
/// `:` only when it starts like a number (`INFO:root` is not a near miss).
fn worth_reporting(p: &Pair) -> bool {
    p.equals
        || p.text
            .starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.'))
}

/// The `name=value` / `name: value` pairs of a line.
fn pairs(line: &str) -> LineScan {
    let chars: Vec<char> = line.chars().collect();
    let mut scan = LineScan::default();
    let mut step = None;
    let mut i = 0;
    while i < chars.len() {
        let starts = is_name_start(chars[i]) && (i == 0 || !is_name_char(chars[i - 1]));
        let Some(p) = starts.then(|| pair_at(&chars, i)).flatten() else {
            i += 1;
            continue;
        };
        // After a rejected `name:` look inside its text (`INFO:root:loss=1`);
        // a rejected `name=value` is skipped whole (`lr=0.1&bs=2`).
        i = if p.value.is_err() && !p.equals {
            p.start
        } else {
            p.next
        };
        match p.value {
            Ok(x) if STEP_KEYS.contains(&p.name.as_str()) => match as_step(x) {
                Some(s) => step = Some(s),
                None => scan.rejected.push(Rejected {
                    name: p.name,
                    text: p.text,
                    why: "a step must be a whole number",
                }),
            },
            Ok(x) => scan.points.push(MetricPoint {
                name: p.name,
                value: x,
                step: None,
            }),
            Err(why) => {
                if worth_reporting(&p) {
                    scan.rejected.push(Rejected {
                        name: p.name,
                        text: p.text,
                        why,
                    });
                }
            }
        }
    }
    for p in &mut scan.points {
        p.step = step;
    }
    scan
}

/// Assigns steps to the metrics of successive lines: the line's own step
/// when it has one, else a per-name counter (0, 1, 2, …). The counter never
/// goes back: after an explicit step `s` the next implicit one is `s + 1`,
/// so steps of a name only increase when the log counts on its own.
#[derive(Clone, Debug, Default)]
pub struct MetricTracker {
    next: HashMap<String, i64>,
}

impl MetricTracker {
    /// A tracker with no metric seen.
    pub fn new() -> Self {
        Self::default()
    }

    /// The (name, step, value) of every metric on `line`.
    pub fn observe_line(&mut self, line: &str) -> Vec<(String, i64, f64)> {
        self.observe(parse_line(line))
    }

    /// Steps for points already parsed.
    pub fn observe(&mut self, points: Vec<MetricPoint>) -> Vec<(String, i64, f64)> {
        points
            .into_iter()
            .map(|p| {
                let next = self.next.entry(p.name.clone()).or_insert(0);
                let step = p.step.unwrap_or(*next);
                *next = (*next).max(step.saturating_add(1));
                (p.name, step, p.value)
            })
            .collect()
    }
}

/// Per-metric summary for `--test-metrics`.
struct Summary {
    count: u64,
    first_step: i64,
    last_step: i64,
    values: Vec<f64>,
}

/// What `hp-report tune --test-metrics LOGFILE` prints: per metric its
/// count, first and last step, last/min/max value; then the lines that
/// looked like metrics but were rejected, with why. Lines need not be
/// UTF-8 (invalid bytes are replaced).
pub fn test_metrics_report(mut reader: impl BufRead) -> String {
    let mut tracker = MetricTracker::new();
    let mut by_name: BTreeMap<String, Summary> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut rejected: Vec<(u64, Rejected)> = Vec::new();
    let (mut lines, mut with_metrics) = (0u64, 0u64);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                rejected.push((
                    lines + 1,
                    Rejected {
                        name: String::new(),
                        text: e.to_string(),
                        why: "read error",
                    },
                ));
                break;
            }
        }
        lines += 1;
        let line = String::from_utf8_lossy(&buf);
        let scan = scan_line(line.trim_end_matches(['\n', '\r']));
        rejected.extend(scan.rejected.into_iter().map(|r| (lines, r)));
        if !scan.points.is_empty() {
            with_metrics += 1;
        }
        for (name, step, value) in tracker.observe(scan.points) {
            let s = by_name.entry(name.clone()).or_insert_with(|| {
                order.push(name.clone());
                Summary {
                    count: 0,
                    first_step: step,
                    last_step: step,
                    values: Vec::new(),
                }
            });
            s.count += 1;
            s.last_step = step;
            s.values.push(value);
        }
    }
    render(lines, with_metrics, &order, &by_name, &rejected)
}

fn render(
    lines: u64,
    with_metrics: u64,
    order: &[String],
    by_name: &BTreeMap<String, Summary>,
    rejected: &[(u64, Rejected)],
) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "{lines} lines, {with_metrics} with metrics, {} metrics, {} rejected\n",
        order.len(),
        rejected.len()
    );
    if !order.is_empty() {
        let v = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x}"));
        let mut rows = vec![[
            "metric".to_string(),
            "count".into(),
            "first step".into(),
            "last step".into(),
            "last".into(),
            "min".into(),
            "max".into(),
        ]];
        for name in order {
            let Some(s) = by_name.get(name) else { continue };
            rows.push([
                name.clone(),
                s.count.to_string(),
                s.first_step.to_string(),
                s.last_step.to_string(),
                v(Strategy::Last.pick(&s.values)),
                v(Strategy::Min.pick(&s.values)),
                v(Strategy::Max.pick(&s.values)),
            ]);
        }
        let mut w = [0usize; 7];
        for r in &rows {
            for (w, c) in w.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        for r in &rows {
            let mut line = format!("{:<w0$}", r[0], w0 = w[0]);
            for (c, w) in r.iter().zip(w).skip(1) {
                let _ = write!(line, "  {c:>w$}");
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    if !rejected.is_empty() {
        out.push_str("rejected:\n");
        for (line, r) in rejected.iter().take(50) {
            let _ = writeln!(out, "  line {line}: {}={:?}: {}", r.name, r.text, r.why);
        }
        if rejected.len() > 50 {
            let _ = writeln!(out, "  … and {} more", rejected.len() - 50);
        }
    }
    out
}

#[cfg(test)]
mod tests;
