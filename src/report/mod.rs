//! The self-contained HTML report (feature `plot`): one file with the
//! experiment summary, the ranked table (sortable by clicking a header,
//! with a few lines of inline script), every plot inline as SVG, and the
//! warnings from reading. Nothing is fetched: no external script, style,
//! font or image, and a Content-Security-Policy that forbids loading any.
//! Every piece of text that comes from the logs goes through [`escape`].

use std::fmt::Write as _;
use std::path::Path;

use crate::analysis::{Goal, Row, Table};
use crate::export::columns::{Cell, Column, Columns, Kind, Layout};
use crate::export::text::printable;
use crate::logdir::{HParamDomain, Logdir};
use crate::plot::{render_png, render_svg, PlotKind, PlotOptions, Source};

/// Past this many rows, plots are inlined as PNG (an SVG of 10,000
/// sessions' lines and dots is megabytes) and the table's rows travel as
/// compact JSON, shown [`PAGE_ROWS`] at a time by the page's script.
pub const MANY_ROWS: usize = 500;

/// Rows per page of a paginated table.
pub const PAGE_ROWS: usize = 100;

/// Escapes text for HTML element content and quoted attribute values:
/// `&`, `<`, `>`, `"` and `'` become entities, and control characters are
/// shown as visible escapes (`\n`, `\x1b`) as in the text table.
pub fn escape(s: &str) -> String {
    let s = printable(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One figure of the report: a caption and SVG text, or why it is missing.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// Which plot.
    pub kind: PlotKind,
    /// The image (an `<svg>` element, or with more than [`MANY_ROWS`] rows
    /// an `<img>` of inline PNG), or the reason there is none.
    pub svg: Result<String, String>,
}

/// Renders every plot kind for the report; a kind that cannot be drawn
/// (no metric, no curves) becomes a note, not a failure.
pub fn figures(logdir: &Logdir, table: &Table, opts: &PlotOptions) -> Vec<Figure> {
    let label = logdir.root.display().to_string();
    let src = Source {
        label: &label,
        logdir,
        table,
    };
    PlotKind::ALL
        .iter()
        .map(|&kind| Figure {
            kind,
            svg: if table.rows.len() > MANY_ROWS {
                render_png(kind, &[src], opts)
                    .map(|png| inline_png(kind, &png))
                    .map_err(|e| e.to_string())
            } else {
                render_svg(kind, &[src], opts)
                    .map(|s| inline_svg(&s))
                    .map_err(|e| e.to_string())
            },
        })
        .collect()
}

/// PNG bytes as an `<img>` with a `data:` URL (the page's CSP allows
/// `img-src data:` and nothing else).
fn inline_png(kind: PlotKind, png: &[u8]) -> String {
    format!(
        "<img class=\"plot\" alt=\"{kind} plot\" src=\"data:image/png;base64,{}\" />",
        base64(png)
    )
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// An SVG document as an element to put inside HTML: without an XML
/// declaration, and without the namespace URL (HTML parsers supply it), so
/// the page holds no URL at all.
fn inline_svg(svg: &str) -> String {
    let s = svg.trim_start();
    let s = match s.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(rest, |(_, r)| r).trim_start(),
        None => s,
    };
    s.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
        .replacen(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "", 1)
}

const STYLE: &str = r#"
:root { --ink: #212529; --muted: #5a6068; --line: #dee2e6; --head: #f1f3f5; --hl: #e7f5ff; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
       color: var(--ink); margin: 0 auto; padding: 24px 32px; max-width: 1500px; }
h1 { font-size: 26px; margin: 0 0 4px; word-break: break-all; }
h2 { font-size: 20px; margin: 32px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.sub { color: var(--muted); margin: 0 0 16px; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
dl.summary dt { color: var(--muted); }
dl.summary dd { margin: 0; word-break: break-word; }
.scroll { overflow: auto; max-height: 60vh; border: 1px solid var(--line); border-radius: 6px; }
table.ranked { border-collapse: collapse; font-variant-numeric: tabular-nums; width: 100%; }
table.ranked th, table.ranked td { padding: 5px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
table.ranked th { background: var(--head); position: sticky; top: 0; cursor: pointer; text-align: left;
                  user-select: none; font-weight: 600; }
table.ranked th:hover { background: #e2e6ea; }
table.ranked th[aria-sort=ascending]::after { content: " \25B2"; font-size: 11px; }
table.ranked th[aria-sort=descending]::after { content: " \25BC"; font-size: 11px; }
table.ranked td.num, table.ranked th.num { text-align: right; }
table.ranked tbody tr:hover { background: var(--hl); }
table.ranked th.sorted-by { color: #1864ab; }
.status-failure { color: #c92a2a; } .status-running { color: #e67700; } .status-unknown { color: var(--muted); }
.std { color: var(--muted); font-size: 12px; }
figure { margin: 0 0 28px; }
.pager { margin: 8px 0; display: flex; gap: 10px; align-items: center; }
figure img.plot { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figure svg { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { color: var(--muted); margin: 6px 0; }
.note { color: var(--muted); font-style: italic; }
ul.warnings { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; padding-left: 18px; }
ul.warnings li { margin: 2px 0; word-break: break-all; }
footer { color: var(--muted); margin-top: 40px; font-size: 13px; }
"#;

/// Sorts a table by the clicked header: numbers by `data-v` (missing last),
/// text by content; a second click reverses. A table whose rows came as
/// JSON (see [`rows_json`]) is sorted as data and shown a page at a time.
const SCRIPT: &str = r#"
(function () {
  var data = document.getElementById("rows");
  if (!data) { return; }
  var rows = JSON.parse(data.textContent), PAGE = PAGE_ROWS, page = 0;
  var section = data.parentNode, table = section.querySelector("table.ranked");
  var pager = section.querySelector(".pager"), body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  function fmt(v) {
    if (Number.isInteger(v)) { return String(v); }
    var s = v.toPrecision(5);
    if (s.indexOf("e") >= 0 || s.indexOf(".") === -1) { return s; }
    return s.replace(/\.?0+$/, "");
  }
  function html(c) { return Array.isArray(c) ? c[0] : (typeof c === "number" ? fmt(c) : String(c)); }
  function val(c) { return Array.isArray(c) ? c[1] : (typeof c === "number" ? c : null); }
  // Tags are built with LT: the page stays well-formed XML (no raw
  // less-than sign or ampersand in the script).
  var LT = String.fromCharCode(60);
  function tag(name, attrs, inner) {
    return LT + name + attrs + ">" + inner + LT + "/" + name + ">";
  }
  function show() {
    var pages = Math.max(1, Math.ceil(rows.length / PAGE)), out = [];
    page = Math.min(Math.max(page, 0), pages - 1);
    rows.slice(page * PAGE, (page + 1) * PAGE).forEach(function (r) {
      out.push(tag("tr", "", r.map(function (c, i) {
        return tag("td", heads[i].classList.contains("num") ? ' class="num"' : "", html(c));
      }).join("")));
    });
    body.innerHTML = out.join("");
    pager.innerHTML = tag("button", ' data-d="-1"', "\u2190 previous") +
      tag("span", "", "rows " + (page * PAGE + 1) + "\u2013" +
        Math.min(rows.length, (page + 1) * PAGE) + " of " + rows.length) +
      tag("button", ' data-d="1"', "next \u2192");
  }
  pager.addEventListener("click", function (e) {
    var d = e.target.getAttribute ? e.target.getAttribute("data-d") : null;
    if (d) { page += parseInt(d, 10); show(); }
  });
  Array.prototype.forEach.call(heads, function (th, col) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var num = th.classList.contains("num");
      rows.sort(function (a, b) {
        if (num) {
          var p = val(a[col]), q = val(b[col]);
          if (p === null || q === null) { return (p === null) - (q === null); }
          return asc ? p - q : q - p;
        }
        var c = html(a[col]).localeCompare(html(b[col]), undefined, { numeric: true });
        return asc ? c : -c;
      });
      page = 0;
      show();
    });
  });
  table.classList.add("paged");
  show();
})();
document.querySelectorAll("table.ranked:not(.paged)").forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var num = th.classList.contains("num"), body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col], y = b.cells[col];
        if (num) {
          var p = parseFloat(x.dataset.v), q = parseFloat(y.dataset.v);
          if (isNaN(p) || isNaN(q)) { return isNaN(p) - isNaN(q); }
          return asc ? p - q : q - p;
        }
        var c = x.textContent.localeCompare(y.textContent, undefined, { numeric: true });
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"#;

/// A number as written when short (`0.001`, `128`), else to 5 significant
/// digits (`0.22601`); the cell's title keeps the full value.
fn short_number(x: f64, full: &str) -> String {
    if full.len() <= 8 {
        return full.to_string();
    }
    let s = format!("{x:.4e}");
    match s.parse::<f64>() {
        Ok(r) if (1e-4..1e7).contains(&r.abs()) => {
            let digits = (4 - r.abs().log10().floor() as i32).clamp(0, 10) as usize;
            let t = format!("{r:.digits$}");
            if t.contains('.') {
                t.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                t
            }
        }
        _ => format!("{x:.4e}"),
    }
}

/// Most warnings listed; the rest are counted.
const MAX_WARNINGS: usize = 500;

fn caption(kind: PlotKind) -> &'static str {
    match kind {
        PlotKind::Parallel => {
            "Parallel coordinates: one line per row through its hparam values to the metric; colour by the metric."
        }
        PlotKind::Scatter => "The metric against each hparam (categorical values jittered).",
        PlotKind::Curves => "The metric over steps per session; the best rows in colour.",
        PlotKind::Trajectory => "Best value so far, sessions in the order they started.",
    }
}

/// The whole page for `logdir` (loaded, for the curves plot, with curves)
/// and its ranked `table`, with `figures` (see [`figures`]).
pub fn html(path: &Path, logdir: &Logdir, table: &Table, figures: &[Figure]) -> String {
    let exp = &logdir.experiment;
    let mut h = String::with_capacity(64 * 1024);
    let title = if exp.name.is_empty() {
        path.display().to_string()
    } else {
        exp.name.clone()
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\" />\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n\
         <title>hp-report · {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", escape(&title));
    let _ = writeln!(
        h,
        "<p class=\"sub\">{} {} · {} hparams · {} metrics · {} experiment</p>",
        logdir.sessions.len(),
        match &exp.runs {
            Some(runs) => format!("runs ({})", escape(&runs.note())),
            None => "hparams sessions".to_string(),
        },
        exp.hparams.len(),
        exp.metrics.len(),
        if exp.explicit { "declared" } else { "inferred" }
    );
    summary_section(&mut h, path, logdir, table);
    table_section(&mut h, table);
    plots_section(&mut h, figures);
    warnings_section(&mut h, logdir);
    let _ = write!(
        h,
        "<footer>Made by hp-report {} from the logdir above; this file loads nothing from \
         the network.</footer>\n<script>{}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        SCRIPT.replace("PAGE_ROWS", &PAGE_ROWS.to_string())
    );
    h
}

/// `12 success, 3 failure`: sessions per status, in order of appearance.
fn status_counts(logdir: &Logdir) -> String {
    let mut statuses: Vec<(&str, usize)> = Vec::new();
    for s in &logdir.sessions {
        let k = s.status.short();
        match statuses.iter_mut().find(|(n, _)| *n == k) {
            Some((_, c)) => *c += 1,
            None => statuses.push((k, 1)),
        }
    }
    let statuses: Vec<String> = statuses.iter().map(|(k, c)| format!("{c} {k}")).collect();
    statuses.join(", ")
}

/// The experiment's hparams with their domains, as HTML.
fn hparam_list(logdir: &Logdir) -> String {
    let hp: Vec<String> = logdir
        .experiment
        .hparams
        .iter()
        .map(|p| {
            let dom = match &p.domain {
                HParamDomain::None => String::new(),
                HParamDomain::Interval { min, max } => format!(" [{min}, {max}]"),
                HParamDomain::Discrete { values } => {
                    let v: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                    format!(" {{{}}}", v.join(", "))
                }
            };
            format!("<b>{}</b>{}", escape(&p.name), escape(&dom))
        })
        .collect();
    hp.join("; ")
}

/// How the table was ranked, as HTML.
fn ranking(table: &Table) -> String {
    match &table.sort {
        Some((k, g)) => format!(
            "by {} ({g}), each curve reduced to its {} value{}",
            escape(&table.label(k)),
            table.reduce,
            if table.groups {
                format!(", groups combined by {}", table.agg)
            } else {
                String::new()
            }
        ),
        None => "no metric to rank by".to_string(),
    }
}

/// The experiment summary: a definition list.
fn summary_section(h: &mut String, path: &Path, logdir: &Logdir, table: &Table) {
    let exp = &logdir.experiment;
    h.push_str("<section id=\"summary\">\n<h2>Experiment</h2>\n<dl class=\"summary\">\n");
    let mut item = |k: &str, v: String| {
        let _ = writeln!(h, "<dt>{k}</dt><dd>{v}</dd>");
    };
    item("logdir", escape(&path.display().to_string()));
    if !exp.description.is_empty() {
        item("description", escape(&exp.description));
    }
    if !exp.user.is_empty() {
        item("user", escape(&exp.user));
    }
    item(
        "sessions",
        format!("{} ({})", logdir.sessions.len(), status_counts(logdir)),
    );
    item("hparams", hparam_list(logdir));
    let ms: Vec<String> = exp
        .metrics
        .iter()
        .map(|m| escape(&table.label(&m.key)))
        .collect();
    item("metrics", ms.join(", "));
    item("ranked", ranking(table));
    item(
        "rows",
        format!(
            "{} shown of {} matching, {} {} in all",
            table.rows.len(),
            table.matched,
            table.total,
            table.row_noun()
        ),
    );
    item(
        "read",
        format!(
            "{} runs, {} event files, {} events, {} bytes",
            logdir.runs.len(),
            logdir.file_count(),
            logdir.event_count(),
            logdir.byte_count()
        ),
    );
    h.push_str("</dl>\n</section>\n");
}

/// The ranked table, sortable in the page by its headers.
fn table_section(h: &mut String, table: &Table) {
    let cols = Columns::new(table, Layout::Display);
    h.push_str("<section id=\"table\">\n<h2>Ranked table</h2>\n");
    h.push_str("<p class=\"note\">Click a column header to sort by it.</p>\n");
    if !cols.prefix.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"note\">{} under <code>{}</code></p>",
            table.row_noun(),
            escape(&cols.prefix)
        );
    }
    if !cols.constant.is_empty() {
        let same = cols.constant_list(escape);
        let _ = writeln!(
            h,
            "<p class=\"note\">Same in all {}: {same}</p>",
            cols.rows().len()
        );
    }
    let paged = cols.rows().len() > MANY_ROWS;
    if paged {
        h.push_str("<div class=\"pager\"></div>\n");
    }
    h.push_str("<div class=\"scroll\"><table class=\"ranked\">\n<thead><tr>");
    for c in cols.iter() {
        h.push_str(&header_cell(c, table));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    if paged {
        h.push_str("</tbody></table></div>\n");
        rows_json(h, &cols);
        h.push_str("</section>\n");
        return;
    }
    for r in cols.rows() {
        h.push_str("<tr>");
        for c in cols.iter() {
            h.push_str(&body_cell(c, r));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n</section>\n");
}

/// The rows of a paginated table as JSON in a `<script type=
/// "application/json" id="rows">`: per row, per column, the cell's HTML, or
/// for a number `[html, value]` (just `value` when it prints the same, and
/// for a metric, which the script prints to 5 significant digits; values
/// rounded to `f32`, as scalars are stored, to keep the page small).
fn rows_json(h: &mut String, cols: &Columns<'_>) {
    h.push_str("<script type=\"application/json\" id=\"rows\">[");
    for (i, r) in cols.rows().iter().enumerate() {
        h.push_str(if i == 0 { "\n[" } else { ",\n[" });
        for (j, c) in cols.iter().enumerate() {
            if j > 0 {
                h.push(',');
            }
            push_cell_json(h, c, r);
        }
        h.push(']');
    }
    h.push_str("\n]</script>\n");
}

/// One cell of [`rows_json`].
fn push_cell_json(h: &mut String, c: &Column<'_>, r: &Row) {
    if let Cell::Metric { value, std: None } = c.cell(r) {
        if value.is_finite() {
            // Printed by the page's script (5 significant digits).
            h.push_str(&f32_text(value));
            return;
        }
    }
    let html = cell_inner(c, r);
    let value = match c.cell(r) {
        Cell::Count(n) => Some(n.to_string()),
        Cell::Metric { value, .. } if value.is_finite() => Some(f32_text(value)),
        Cell::HParam(v) if numeric(c) => v.as_f64().filter(|x| x.is_finite()).map(f32_text),
        _ => None,
    };
    match value {
        Some(v) if v == html => h.push_str(&v),
        Some(v) => {
            let _ = write!(h, "[{},{v}]", json_string(&html));
        }
        None if numeric(c) => {
            let _ = write!(h, "[{},null]", json_string(&html));
        }
        None => h.push_str(&json_string(&html)),
    }
}

/// `x` as the shortest text of the nearest `f32` (valid JSON: no exponent).
fn f32_text(x: f64) -> String {
    let f = x as f32;
    if f.is_finite() {
        f.to_string()
    } else {
        format!("{x}")
    }
}

/// A JSON string that is safe inside `<script>` (no `<`).
fn json_string(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_else(|_| "\"\"".to_string())
        .replace('<', "\\u003c")
}

/// The HTML inside a cell's `<td>` (what [`body_cell`] wraps).
fn cell_inner(c: &Column<'_>, r: &Row) -> String {
    let td = body_cell(c, r);
    let start = td.find('>').map_or(0, |i| i + 1);
    let end = td.rfind("</td>").unwrap_or(td.len());
    td.get(start..end).unwrap_or("").to_string()
}

/// Whether a column sorts as numbers in the page.
fn numeric(c: &Column<'_>) -> bool {
    match c.kind {
        Kind::Rank | Kind::Count | Kind::Metric(_) | Kind::Std(_) => true,
        Kind::HParam(p) => crate::plot::numeric_column(p.kind),
        Kind::Name | Kind::Group | Kind::Status | Kind::Sessions => false,
    }
}

/// A column's `<th>`: numeric columns marked, a metric's direction as its
/// title, the sort metric highlighted.
fn header_cell(c: &Column<'_>, table: &Table) -> String {
    let class = if numeric(c) { " class=\"num\"" } else { "" };
    match c.kind {
        Kind::Metric(m) => {
            let sorted = table.sort.as_ref().is_some_and(|(k, _)| *k == m.key);
            format!(
                "<th class=\"num{}\" title=\"{} is better\">{}</th>",
                if sorted { " sorted-by" } else { "" },
                if m.goal == Goal::Max {
                    "higher"
                } else {
                    "lower"
                },
                escape(&c.label)
            )
        }
        _ => format!("<th{class}>{}</th>", escape(&c.label)),
    }
}

/// A row's `<td>` in a column; numeric cells carry their exact value in
/// `data-v` for sorting.
fn body_cell(c: &Column<'_>, r: &Row) -> String {
    let num = numeric(c);
    match c.cell(r) {
        Cell::Count(n) => format!("<td class=\"num\" data-v=\"{n}\">{n}</td>"),
        Cell::Text(s) => format!("<td>{}</td>", escape(s)),
        Cell::Sessions(names) => format!("<td>{}</td>", escape(&names.join(", "))),
        Cell::Status(s) => format!("<td class=\"status-{0}\">{0}</td>", s.short()),
        Cell::HParam(v) => match v.as_f64().filter(|x| num && x.is_finite()) {
            Some(x) => {
                let full = v.to_string();
                format!(
                    "<td class=\"num\" data-v=\"{x:e}\" title=\"{}\">{}</td>",
                    escape(&full),
                    escape(&short_number(x, &full))
                )
            }
            None => format!("<td>{}</td>", escape(&c.hparam_text(v))),
        },
        Cell::Metric { value, std } => {
            let dv = if value.is_finite() {
                format!("{value:e}")
            } else {
                String::new()
            };
            let std = std
                .map(|s| format!(" <span class=\"std\">± {}</span>", c.number(s)))
                .unwrap_or_default();
            format!(
                "<td class=\"num\" data-v=\"{dv}\">{}{std}</td>",
                c.number(value)
            )
        }
        Cell::Missing if num => "<td class=\"num\" data-v=\"\"></td>".to_string(),
        Cell::Missing => "<td></td>".to_string(),
    }
}

/// Every figure with its caption, or why it is missing.
fn plots_section(h: &mut String, figures: &[Figure]) {
    h.push_str("<section id=\"plots\">\n<h2>Plots</h2>\n");
    for f in figures {
        let _ = writeln!(h, "<figure id=\"plot-{}\">", f.kind);
        let _ = writeln!(
            h,
            "<figcaption><b>{}</b> · {}</figcaption>",
            f.kind,
            caption(f.kind)
        );
        match &f.svg {
            Ok(svg) => h.push_str(svg),
            Err(why) => {
                let _ = write!(h, "<p class=\"note\">Not drawn: {}</p>", escape(why));
            }
        }
        h.push_str("\n</figure>\n");
    }
    h.push_str("</section>\n");
}

/// The warnings from reading, at most [`MAX_WARNINGS`].
fn warnings_section(h: &mut String, logdir: &Logdir) {
    let _ = writeln!(
        h,
        "<section id=\"warnings\">\n<h2>Warnings ({})</h2>",
        logdir.warnings.len()
    );
    if logdir.warnings.is_empty() {
        h.push_str("<p class=\"note\">None: every file read cleanly.</p>\n");
    } else {
        h.push_str("<ul class=\"warnings\">\n");
        for w in logdir.warnings.iter().take(MAX_WARNINGS) {
            let _ = writeln!(h, "<li>{}</li>", escape(&w.to_string()));
        }
        if logdir.warnings.len() > MAX_WARNINGS {
            let _ = writeln!(
                h,
                "<li>… and {} more (hp-report diagnose lists them all)</li>",
                logdir.warnings.len() - MAX_WARNINGS
            );
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_hostile_text() {
        assert_eq!(
            escape("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("a & \"b\""), "a &amp; &quot;b&quot;");
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(escape("x\ny\x1b"), "x\\ny\\x1b");
        assert_eq!(escape("plain/name-1.5"), "plain/name-1.5");
    }

    #[test]
    fn long_numbers_are_shortened() {
        assert_eq!(short_number(0.001, "0.001"), "0.001");
        assert_eq!(short_number(0.2260065123, "0.2260065123"), "0.22601");
        assert_eq!(short_number(123456.789, "123456.789"), "123460");
        assert_eq!(short_number(1.5e-9, "1.5e-9"), "1.5e-9");
        assert_eq!(short_number(1.23456789e-9, "1.23456789e-9"), "1.2346e-9");
    }

    #[test]
    fn svg_is_inlined_without_urls() {
        let s = inline_svg(
            "<?xml version=\"1.0\"?>\n<svg width=\"1\" height=\"1\" xmlns=\"http://www.w3.org/2000/svg\"></svg>",
        );
        assert_eq!(s, "<svg width=\"1\" height=\"1\"></svg>");
    }
}
