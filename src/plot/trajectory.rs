//! The incumbent plot (d2l's "best so far"): sessions in the order they
//! started, each as a faint dot at its metric value, and a step line of the
//! best value reached up to it. Several logdirs give one line each, to
//! compare two searches. A session's start is its start info's time, or the
//! first wall time of its run when that is 0; ties go by name.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::analysis::{Goal, Row};
use crate::export::text::metric as fmt_metric;
use crate::logdir::{Logdir, MetricKey};
use crate::plot::frame::{de, fit, legend_entry, rect_beside_legend, Frame, Scale, LEGEND_W};
use crate::plot::{style, PlotError, PlotOptions, Source};

/// When a row's first session started (seconds; infinity if unknown).
fn start_of(ld: &Logdir, row: &Row) -> f64 {
    row.sessions
        .iter()
        .filter_map(|name| {
            let s = ld.session(name)?;
            if s.start_time_secs > 0.0 {
                Some(s.start_time_secs)
            } else {
                ld.runs.get(name)?.start_time
            }
        })
        .fold(f64::INFINITY, f64::min)
}

/// A search's values in start order and the running best.
pub fn best_so_far(values: &[f64], goal: Goal) -> Vec<f64> {
    let mut best: Option<f64> = None;
    values
        .iter()
        .map(|&v| {
            if v.is_finite() && best.is_none_or(|b| goal.better(v, b)) {
                best = Some(v);
            }
            best.unwrap_or(f64::NAN)
        })
        .collect()
}

/// One search's sessions in start order: its values and the running best.
struct Line {
    label: String,
    values: Vec<f64>,
    best: Vec<f64>,
}

/// Past this many sessions in a line, their values are drawn as one
/// vertical stroke per pixel column (from the smallest to the largest value
/// there) instead of a dot each: 10,000 dots overlap into a smear and a
/// megabyte of SVG.
const MAX_DOTS: usize = 1000;

/// The sessions' `values` (in start order) as their range per pixel column.
fn draw_spread<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    values: &[f64],
    color: RGBColor,
) -> Result<(), PlotError> {
    let mut columns: std::collections::BTreeMap<i32, (i32, i32)> = Default::default();
    for (i, v) in values.iter().enumerate() {
        if let Some((x, y)) = frame.at_num((i + 1) as f64, *v) {
            let c = columns.entry(x).or_insert((y, y));
            *c = (c.0.min(y), c.1.max(y));
        }
    }
    for (x, (lo, hi)) in columns {
        let seg = vec![(x, lo - 1), (x, hi + 1)];
        area.draw(&PathElement::new(seg, color.mix(0.35).stroke_width(2)))
            .map_err(de)?;
    }
    Ok(())
}

/// The dots of a plot: how opaque and how large.
#[derive(Clone, Copy)]
struct Dots {
    alpha: f64,
    radius: i32,
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    sources: &[Source],
    opts: &PlotOptions,
) -> Result<(), PlotError> {
    let first = sources
        .first()
        .ok_or_else(|| PlotError::NoData("no logdir to plot".into()))?;
    let metric = first.metric(opts)?;
    let metric_label = first.table.label(&metric);
    let goal = first.goal(&metric);
    let lines = lines_of(sources, &metric, goal);
    let n = lines.iter().map(|l| l.values.len()).max().unwrap_or(0);
    if n == 0 {
        return Err(PlotError::NoData(format!(
            "no session has a value of {metric_label}"
        )));
    }
    let ys: Vec<f64> = lines
        .iter()
        .flat_map(|l| l.values.iter().copied())
        .collect();
    let xs: Vec<f64> = (1..=n).map(|i| i as f64).collect();
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let frame = Frame {
        rect: rect_beside_legend(w, h),
        x: Scale::numeric(&xs, false, 0.03, true),
        y: Scale::numeric(&ys, false, 0.05, false),
    };

    let ts = style::text(style::TITLE, style::INK, HPos::Left, VPos::Top);
    let title = format!(
        "best {metric_label} so far ({goal}) by session start order",
        goal = if goal == Goal::Max { "max" } else { "min" }
    );
    let title = fit(area, &title, &ts, w - 20);
    area.draw(&Text::new(title, (12, 12), ts)).map_err(de)?;
    frame.draw(area, "sessions, in the order they started", &metric_label)?;

    let dots = Dots {
        alpha: style::line_alpha(n).clamp(0.3, 0.6),
        radius: if n <= 60 { 4 } else { 2 },
    };
    for (li, line) in lines.iter().enumerate() {
        draw_line(area, &frame, line, style::palette(li), dots)?;
    }
    draw_legend(area, &frame, &lines, dots)
}

/// Each source's rows that have `metric`, in start order (ties by name).
fn lines_of(sources: &[Source], metric: &MetricKey, goal: Goal) -> Vec<Line> {
    sources
        .iter()
        .map(|src| {
            let mut rows: Vec<(f64, &Row, f64)> = src
                .rows_with(metric)
                .filter_map(|r| Some((start_of(src.logdir, r), r, *r.metrics.get(metric)?)))
                .collect();
            rows.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
            let values: Vec<f64> = rows.iter().map(|r| r.2).collect();
            let best = best_so_far(&values, goal);
            Line {
                label: src.label.to_string(),
                values,
                best,
            }
        })
        .collect()
}

/// One search: a dot per session and the step line of its running best.
fn draw_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    line: &Line,
    color: RGBColor,
    dots: Dots,
) -> Result<(), PlotError> {
    if line.values.len() > MAX_DOTS {
        draw_spread(area, frame, &line.values, color)?;
    } else {
        draw_dots(area, frame, &line.values, color, dots)?;
    }
    area.draw(&PathElement::new(
        step_corners(frame, &line.best),
        color.stroke_width(3),
    ))
    .map_err(de)
}

/// A dot per session.
fn draw_dots<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    values: &[f64],
    color: RGBColor,
    dots: Dots,
) -> Result<(), PlotError> {
    for (i, v) in values.iter().enumerate() {
        if let Some(p) = frame.at_num((i + 1) as f64, *v) {
            area.draw(&Circle::new(p, dots.radius, color.mix(dots.alpha).filled()))
                .map_err(de)?;
        }
    }
    Ok(())
}

/// A step line: the best holds until a session beats it. Only the corners
/// are drawn (collinear points make thick bitmap lines wobble).
fn step_corners(frame: &Frame, best: &[f64]) -> Vec<(i32, i32)> {
    let mut pts: Vec<(i32, i32)> = Vec::new();
    let mut last: Option<(usize, f64)> = None;
    for (i, &b) in best.iter().enumerate() {
        if !b.is_finite() {
            continue;
        }
        match last {
            Some((_, prev)) if prev == b => {}
            Some((_, prev)) => {
                pts.extend(frame.at_num((i + 1) as f64, prev));
                pts.extend(frame.at_num((i + 1) as f64, b));
            }
            None => pts.extend(frame.at_num((i + 1) as f64, b)),
        }
        last = Some((i, b));
    }
    if let Some(end) = last.and_then(|(i, b)| frame.at_num((i + 1) as f64, b)) {
        if pts.last() != Some(&end) {
            pts.push(end);
        }
    }
    pts
}

/// The legend right of the frame: a line per search with its session count
/// and best value, then what a dot is.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    lines: &[Line],
    dots: Dots,
) -> Result<(), PlotError> {
    let lx = frame.rect.x1 + 24;
    let mut ly = frame.rect.y0;
    let ls = style::text(style::LABEL, style::INK, HPos::Left, VPos::Center);
    for (li, line) in lines.iter().enumerate() {
        let label = if lines.len() == 1 {
            "best so far"
        } else {
            line.label.as_str()
        };
        let best = line.best.last().copied().unwrap_or(f64::NAN);
        let note = format!("{} sessions, best {}", line.values.len(), fmt_metric(best));
        legend_entry(
            area,
            (lx, ly),
            style::palette(li),
            ("", label),
            Some(&note),
            LEGEND_W - 40,
        )?;
        ly += 44;
    }
    let color = style::palette(0);
    area.draw(&Circle::new(
        (lx + 11, ly),
        dots.radius,
        color.mix(dots.alpha).filled(),
    ))
    .map_err(de)?;
    let each = if lines.len() == 1 {
        "one session"
    } else {
        "one session (its logdir's colour)"
    };
    let each = fit(area, each, &ls, LEGEND_W - 40);
    area.draw(&Text::new(each, (lx + 30, ly), ls)).map_err(de)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_best() {
        let b = best_so_far(&[0.5, 0.3, f64::NAN, 0.7, 0.6], Goal::Max);
        assert_eq!(b, vec![0.5, 0.5, 0.5, 0.7, 0.7]);
        let b = best_so_far(&[0.5, 0.3, 0.4], Goal::Min);
        assert_eq!(b, vec![0.5, 0.3, 0.3]);
        assert!(best_so_far(&[f64::NAN], Goal::Min)[0].is_nan());
    }
}
