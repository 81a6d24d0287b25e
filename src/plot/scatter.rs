//! The metric against each hparam: a grid of small panels, one per hparam
//! column, one dot per table row coloured by the metric like the parallel
//! plot. Categorical values are jittered sideways by a hash of the row name,
//! so the same data always gives the same picture. hparams that are the
//! same in every row get no panel; the subtitle names them.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::analysis::table::HParamColumn;
use crate::analysis::{Goal, Row};
use crate::hparams::HParamValue;
use crate::logdir::MetricKey;
use crate::plot::frame::{de, Frame, Rect, Scale, Val};
use crate::plot::parallel::titles;
use crate::plot::{
    jitter, numeric_column, same_note, style, varying_hparams, Goodness, PlotError, PlotOptions,
    Source,
};

const PANEL_W: u32 = 400;
const PANEL_H: u32 = 310;
const HEADER: u32 = 64;

fn columns(n: usize) -> usize {
    match n {
        0..=3 => n.max(1),
        4 => 2,
        5..=9 => 3,
        _ => 4,
    }
}

/// Panels of 400×310 under a title, up to 4 per row.
pub(crate) fn size(sources: &[Source]) -> (u32, u32) {
    let n = sources
        .first()
        .map_or(1, |s| varying_hparams(s.table).0.len().max(1));
    let cols = columns(n);
    let rows = n.div_ceil(cols);
    (
        (PANEL_W * cols as u32).max(600),
        HEADER + PANEL_H * rows as u32,
    )
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    src: &Source,
    opts: &PlotOptions,
) -> Result<(), PlotError> {
    let table = src.table;
    let metric = src.metric(opts)?;
    let metric_label = src.table.label(&metric);
    let goal = src.goal(&metric);
    if table.hparams.is_empty() {
        return Err(PlotError::NoData("no hparams to plot against".into()));
    }
    let rows: Vec<_> = src.rows_with(&metric).collect();
    if rows.is_empty() {
        return Err(PlotError::NoData(format!(
            "no row has a value of {metric_label}"
        )));
    }
    let rows_word = src.rows_word();
    let title = format!(
        "{metric_label} against each hparam · {} {rows_word} ({} is better)",
        rows.len(),
        if goal == Goal::Max { "higher" } else { "lower" }
    );
    let (shown, same) = varying_hparams(table);
    titles(area, &title, same_note(table, &same).as_deref())?;

    let ys: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.metrics.get(&metric).copied())
        .collect();
    let good = Goodness::new(ys.iter().copied(), goal);
    let goodness = |v: f64| good.of(v);
    let y_scale = Scale::numeric(&ys, false, 0.06, false);
    let mut order = rows.clone();
    order.sort_by(|a, b| {
        let ga = a.metrics.get(&metric).map_or(0.0, |v| goodness(*v));
        let gb = b.metrics.get(&metric).map_or(0.0, |v| goodness(*v));
        ga.total_cmp(&gb)
    });

    let cols = columns(shown.len());
    let body = area.margin(HEADER, 0, 0, 0);
    let grid_rows = shown.len().div_ceil(cols);
    let panels = body.split_evenly((grid_rows, cols));
    let dots = Dots {
        rows: &rows,
        order: &order,
        metric: &metric,
        metric_label: &metric_label,
        y_scale: &y_scale,
        good: &good,
    };
    for (h, panel) in shown.iter().zip(panels.iter()) {
        dots.panel(panel, h)?;
    }
    Ok(())
}

/// What every panel shares: the rows with the metric (and the order to
/// draw them in, worst first), the metric's scale and colours.
struct Dots<'a> {
    rows: &'a [&'a Row],
    order: &'a [&'a Row],
    metric: &'a MetricKey,
    metric_label: &'a str,
    y_scale: &'a Scale,
    good: &'a Goodness,
}

impl Dots<'_> {
    /// The x scale of hparam `h` over the rows.
    fn x_scale(&self, h: &HParamColumn) -> Scale {
        if numeric_column(h.kind) {
            let xs: Vec<f64> = self
                .rows
                .iter()
                .filter_map(|r| r.hparams.get(&h.name)?.as_f64())
                .collect();
            return Scale::numeric(&xs, true, 0.06, true);
        }
        let mut seen: Vec<&HParamValue> = self
            .rows
            .iter()
            .filter_map(|r| r.hparams.get(&h.name))
            .collect();
        seen.sort_by(|a, b| a.total_cmp(b));
        let mut values: Vec<String> = seen.iter().map(|v| v.to_string()).collect();
        values.dedup();
        Scale::Categorical { values }
    }

    /// One panel: the metric against hparam `h`, a dot per row.
    fn panel<DB: DrawingBackend>(
        &self,
        panel: &DrawingArea<DB, Shift>,
        h: &HParamColumn,
    ) -> Result<(), PlotError> {
        let is_num = numeric_column(h.kind);
        let (pw, ph) = panel.dim_in_pixel();
        let frame = Frame {
            rect: Rect {
                x0: 78,
                y0: 34,
                x1: pw as i32 - 18,
                y1: ph as i32 - 54,
            },
            x: self.x_scale(h),
            y: self.y_scale.clone(),
        };
        let x_name = if frame.x.is_log() {
            format!("{} (log)", h.label)
        } else {
            h.label.clone()
        };
        frame.draw(panel, &x_name, self.metric_label)?;
        let n = self.rows.len();
        let alpha = style::line_alpha(n).max(0.35);
        let radius = if n <= 50 { 5 } else { 3 };
        let slot = frame.x.slot();
        for r in self.order {
            let Some(v) = r.hparams.get(&h.name).map(|v| Val::of(v, is_num)) else {
                continue;
            };
            let Some(y) = r.metrics.get(self.metric).copied() else {
                continue;
            };
            let (Some(fx), Some(fy)) = (frame.x.frac(&v), frame.y.frac_num(y)) else {
                continue;
            };
            // Sideways jitter where values pile up: within a category's
            // slot, or a few pixels around one of few numeric values.
            let dx = if matches!(v, Val::Cat(_)) {
                jitter(&r.name) * slot * 0.3 * frame.rect.w() as f64
            } else if frame.x.is_few() && n > 20 {
                jitter(&r.name) * (frame.rect.w() as f64 * 0.03).min(12.0)
            } else {
                0.0
            };
            let p = (frame.rect.x(fx) + dx.round() as i32, frame.rect.y(fy));
            let c = style::scale(self.good.of(y));
            panel
                .draw(&Circle::new(p, radius, c.mix(alpha).filled()))
                .map_err(de)?;
            if n <= 50 {
                panel
                    .draw(&Circle::new(p, radius, c.stroke_width(1)))
                    .map_err(de)?;
            }
        }
        Ok(())
    }
}
