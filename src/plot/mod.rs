//! Plots of an experiment (feature `plot`): parallel coordinates, a
//! scatter grid of the metric against each hparam, metric curves per
//! session, and the best-so-far trajectory of a search.
//!
//! Every plot takes the ranked [`Table`] that the table command prints (so
//! `--where`, `--status`, `--reduce`, `--groups` and `--goal` mean the same
//! thing here) and, for curves and start times, the loaded [`Logdir`]. Text
//! uses an embedded font ([`style`]), so rendering needs no system fonts.
//! [`render`] writes PNG or SVG by the file's extension; [`render_svg`]
//! returns SVG text (the HTML report inlines it).
//!
//! ```
//! use hp_report::analysis::{build, Query};
//! use hp_report::logdir::{self, LoadOptions, SeriesOptions};
//! use hp_report::plot::{render_svg, PlotKind, PlotOptions, Source};
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/keras_mlp_grid");
//! let opts = LoadOptions { series: SeriesOptions { curves: true, ..Default::default() } };
//! let ld = logdir::load(dir, &opts).expect("readable logdir");
//! let table = build(&ld, &Query::default()).expect("a table");
//! let source = Source { label: "grid".into(), logdir: &ld, table: &table };
//! let svg = render_svg(PlotKind::Parallel, &[source], &PlotOptions::default()).unwrap();
//! assert!(svg.contains("learning_rate"));
//! ```

mod curves;
mod frame;
mod parallel;
mod scatter;
pub mod style;
mod text;
mod trajectory;

use crate::error::ParseError;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::analysis::table::HParamColumn;
use crate::analysis::{Goal, Row, Table};
use crate::logdir::{HParamType, Logdir, MetricKey};

/// The kinds of plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlotKind {
    /// One vertical axis per hparam and metric, a polyline per row coloured
    /// by the metric.
    Parallel,
    /// The metric against each hparam, one small panel each.
    Scatter,
    /// The metric's curve over steps, one line per session, the best
    /// highlighted.
    Curves,
    /// Best-so-far metric against session start order, one line per logdir.
    Trajectory,
}

impl PlotKind {
    /// Every kind, in the order the report shows them.
    pub const ALL: [PlotKind; 4] = [
        PlotKind::Parallel,
        PlotKind::Scatter,
        PlotKind::Curves,
        PlotKind::Trajectory,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            PlotKind::Parallel => "parallel",
            PlotKind::Scatter => "scatter",
            PlotKind::Curves => "curves",
            PlotKind::Trajectory => "trajectory",
        }
    }
}

impl fmt::Display for PlotKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PlotKind {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PlotKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                ParseError::from(format!(
                    "unknown plot kind {s:?}: use parallel, scatter, curves or trajectory"
                ))
            })
    }
}

/// Why a plot could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// Nothing to plot the kind from.
    #[error("{0}")]
    NoData(String),
    /// The output name has no supported extension.
    #[error("{0}: unknown image type (use .png or .svg)")]
    Format(String),
    /// Drawing or writing failed.
    #[error("drawing: {0}")]
    Draw(String),
}

/// One logdir's data for a plot.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// Name in legends (several logdirs in a trajectory).
    pub label: &'a str,
    /// The loaded logdir (curves need it loaded with `curves: true`).
    pub logdir: &'a Logdir,
    /// Its ranked table.
    pub table: &'a Table,
}

/// What to plot and how.
#[derive(Clone, Debug, PartialEq)]
pub struct PlotOptions {
    /// The metric; default the table's sort metric, else its first.
    pub metric: Option<MetricKey>,
    /// More metric axes for `parallel` (the metric itself is always one).
    pub extra_metrics: Vec<MetricKey>,
    /// TensorBoard's smoothing weight for `curves`, in [0, 1).
    pub smooth: f64,
    /// `curves`: how many of the best rows to highlight.
    pub highlight: usize,
    /// Image size in pixels; default depends on the kind and panel count.
    pub size: Option<(u32, u32)>,
    /// `curves`: a logarithmic y axis (it is also chosen by itself when
    /// the values are positive and span more than two decades).
    pub log_y: bool,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            metric: None,
            extra_metrics: Vec::new(),
            smooth: 0.0,
            highlight: 5,
            size: None,
            log_y: false,
        }
    }
}

impl Source<'_> {
    /// The metric to plot.
    pub(crate) fn metric(&self, opts: &PlotOptions) -> Result<MetricKey, PlotError> {
        opts.metric
            .clone()
            .or_else(|| self.table.sort.as_ref().map(|(k, _)| k.clone()))
            .or_else(|| self.table.metrics.first().map(|m| m.key.clone()))
            .ok_or_else(|| PlotError::NoData("no metric to plot in this logdir".into()))
    }

    /// The metric's direction of better.
    pub(crate) fn goal(&self, key: &MetricKey) -> Goal {
        match &self.table.sort {
            Some((k, g)) if k == key => *g,
            _ => self
                .table
                .metrics
                .iter()
                .find(|m| &m.key == key)
                .map(|m| m.goal)
                .unwrap_or_else(|| Goal::infer(&key.tag)),
        }
    }

    /// What a row is: a group, a run (a logdir without hparams sessions) or
    /// a session.
    pub(crate) fn rows_word(&self) -> &'static str {
        match (self.table.groups, &self.logdir.experiment.runs) {
            (true, _) => "groups",
            (false, Some(_)) => "runs",
            (false, None) => "sessions",
        }
    }

    /// The rows that have a value of `key`.
    pub(crate) fn rows_with<'r>(&'r self, key: &'r MetricKey) -> impl Iterator<Item = &'r Row> {
        self.table
            .rows
            .iter()
            .filter(move |r| r.metrics.get(key).is_some_and(|v| v.is_finite()))
    }
}

/// The hparam columns of `table` whose value differs between its rows, and
/// the others as `label=value` (every shown row has that value, or none has
/// it: `label=–`). With fewer than two rows, or when no column differs,
/// every column is kept and none listed: there is nothing to compare.
pub(crate) fn varying_hparams(table: &Table) -> (Vec<&HParamColumn>, Vec<String>) {
    let mut varying = Vec::new();
    let mut same = Vec::new();
    for h in &table.hparams {
        let mut values = table.rows.iter().map(|r| r.hparams.get(&h.name));
        let first = values.next().flatten();
        if values.all(|v| v == first) {
            let v = first.map_or_else(|| "–".to_string(), |v| v.to_string());
            same.push(format!("{}={v}", h.label));
        } else {
            varying.push(h);
        }
    }
    if varying.is_empty() || table.rows.len() < 2 {
        return (table.hparams.iter().collect(), Vec::new());
    }
    (varying, same)
}

/// The subtitle naming the hparams left out for being the same in every
/// row, if any.
pub(crate) fn same_note(table: &Table, same: &[String]) -> Option<String> {
    if same.is_empty() {
        return None;
    }
    let rows = if table.groups { "groups" } else { "rows" };
    Some(format!(
        "same in all {} {rows}, not drawn: {}",
        table.rows.len(),
        same.join(", ")
    ))
}

/// Whether an hparam column of this type is plotted (and sorted) as
/// numbers rather than categories.
pub fn numeric_column(kind: HParamType) -> bool {
    kind == HParamType::Float64
}

/// The image size `kind` gets for `sources` with `opts`.
pub fn size(kind: PlotKind, sources: &[Source], opts: &PlotOptions) -> (u32, u32) {
    if let Some(s) = opts.size {
        return s;
    }
    match kind {
        PlotKind::Parallel => parallel::size(sources, opts),
        PlotKind::Scatter => scatter::size(sources),
        PlotKind::Curves | PlotKind::Trajectory => (1100, 600),
    }
}

fn draw<DB: DrawingBackend>(
    kind: PlotKind,
    area: &DrawingArea<DB, Shift>,
    sources: &[Source],
    opts: &PlotOptions,
) -> Result<(), PlotError> {
    style::register();
    area.fill(&WHITE).map_err(frame::de)?;
    let first = sources
        .first()
        .ok_or_else(|| PlotError::NoData("no logdir to plot".into()))?;
    if kind != PlotKind::Trajectory && sources.len() > 1 {
        return Err(PlotError::NoData(format!(
            "{kind} plots one logdir; only trajectory compares several"
        )));
    }
    match kind {
        PlotKind::Parallel => parallel::draw(area, first, opts),
        PlotKind::Scatter => scatter::draw(area, first, opts),
        PlotKind::Curves => curves::draw(area, first, opts),
        PlotKind::Trajectory => trajectory::draw(area, sources, opts),
    }?;
    area.present().map_err(frame::de)
}

/// Renders `kind` to `path`: PNG for `.png`, SVG for `.svg`. Returns the
/// image size.
pub fn render(
    kind: PlotKind,
    sources: &[Source],
    opts: &PlotOptions,
    path: &Path,
) -> Result<(u32, u32), PlotError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    let dim = size(kind, sources, opts);
    match ext.as_deref() {
        Some("png") => {
            let rgb = pixels(kind, sources, opts, dim)?;
            let write = || -> Result<(), Box<dyn std::error::Error>> {
                let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
                write_png(&mut file, dim, &rgb)?;
                Ok(std::io::Write::flush(&mut file)?)
            };
            write().map_err(|e| PlotError::Draw(format!("{}: {e}", path.display())))?;
        }
        Some("svg") => {
            let svg = render_svg(kind, sources, opts)?;
            std::fs::write(path, svg)
                .map_err(|e| PlotError::Draw(format!("{}: {e}", path.display())))?;
        }
        _ => return Err(PlotError::Format(path.display().to_string())),
    }
    Ok(dim)
}

/// `kind` drawn into 8-bit RGB pixels of size `dim`.
fn pixels(
    kind: PlotKind,
    sources: &[Source],
    opts: &PlotOptions,
    dim: (u32, u32),
) -> Result<Vec<u8>, PlotError> {
    let mut rgb = vec![0u8; dim.0 as usize * dim.1 as usize * 3];
    {
        let backend = BitMapBackend::with_buffer(&mut rgb, dim);
        let area = text::Glyphs::new(backend, true).into_drawing_area();
        draw(kind, &area, sources, opts)?;
    }
    Ok(rgb)
}

/// Renders `kind` as PNG bytes (the report inlines these instead of SVG
/// when thousands of rows would make the SVG megabytes long).
pub fn render_png(
    kind: PlotKind,
    sources: &[Source],
    opts: &PlotOptions,
) -> Result<Vec<u8>, PlotError> {
    let dim = size(kind, sources, opts);
    let rgb = pixels(kind, sources, opts, dim)?;
    let mut out = Vec::new();
    write_png(&mut out, dim, &rgb).map_err(|e| PlotError::Draw(e.to_string()))?;
    Ok(out)
}

/// Writes 8-bit RGB pixels as a PNG, compressed hard: plots are mostly flat
/// colour, and files end up in READMEs and pull requests.
fn write_png(
    out: &mut dyn std::io::Write,
    (w, h): (u32, u32),
    rgb: &[u8],
) -> Result<(), Box<dyn std::error::Error>> {
    let mut enc = png::Encoder::new(out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Best);
    enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    let mut writer = enc.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(())
}

/// Renders `kind` as SVG text.
pub fn render_svg(
    kind: PlotKind,
    sources: &[Source],
    opts: &PlotOptions,
) -> Result<String, PlotError> {
    let dim = size(kind, sources, opts);
    let mut svg = String::new();
    {
        let area =
            text::Glyphs::new(SVGBackend::with_string(&mut svg, dim), false).into_drawing_area();
        draw(kind, &area, sources, opts)?;
    }
    Ok(svg)
}

/// Maps metric values to [0, 1] with 1 the best seen, for the colour scale.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Goodness {
    lo: f64,
    hi: f64,
    goal: Goal,
}

impl Goodness {
    /// Over the finite `values`.
    pub(crate) fn new(values: impl IntoIterator<Item = f64>, goal: Goal) -> Self {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.into_iter().filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        Goodness { lo, hi, goal }
    }

    /// Whether any value was seen.
    pub(crate) fn is_empty(&self) -> bool {
        self.lo > self.hi
    }

    /// 0 (worst seen) to 1 (best seen); 1 when all values are equal.
    pub(crate) fn of(&self, v: f64) -> f64 {
        if self.hi <= self.lo || self.hi.is_nan() || self.lo.is_nan() {
            return 1.0;
        }
        let t = ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0);
        match self.goal {
            Goal::Max => t,
            Goal::Min => 1.0 - t,
        }
    }
}

/// A deterministic number in [-1, 1] from a name (FNV-1a), for jitter.
pub(crate) fn jitter(name: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // FNV alone leaves the high bits of similar names (run-001, run-002)
    // correlated; splitmix64's finaliser spreads them evenly.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    (h >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse() {
        for k in PlotKind::ALL {
            assert_eq!(k.name().parse::<PlotKind>(), Ok(k));
        }
        assert!("pie".parse::<PlotKind>().is_err());
    }

    #[test]
    fn jitter_is_deterministic_bounded_and_spread() {
        assert_eq!(jitter("run-1"), jitter("run-1"));
        assert_ne!(jitter("run-1"), jitter("run-2"));
        // Similar names spread over the whole range: each tenth gets some.
        let mut bins = [0usize; 10];
        for i in 0..1000 {
            let j = jitter(&format!("run-{i:03}"));
            assert!((-1.0..=1.0).contains(&j));
            bins[(((j + 1.0) / 2.0 * 10.0) as usize).min(9)] += 1;
        }
        assert!(bins.iter().all(|&b| (60..=140).contains(&b)), "{bins:?}");
    }
}
