//! A metric's curve over steps, one line per session: the sessions of the
//! best `highlight` table rows in distinct colours with a legend, every
//! other session faint grey behind them (past [`MAX_FAINT`] of them, a
//! grey band of their range, quartiles and median). Optional smoothing is TensorBoard's
//! scalar-dashboard EMA with debiasing; long curves are thinned to about
//! [`MAX_POINTS`] points, each keeping its smallest and largest value. The y axis is logarithmic with `--log-y`, or by
//! itself when the values are positive and span more than two decades
//! (the title says which).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::export::text::metric as fmt_metric;
use crate::logdir::{MetricKey, Point};
use crate::plot::frame::{
    de, fit, fit_end, legend_entry, rect_beside_legend, Frame, Scale, LEGEND_W,
};
use crate::plot::{style, PlotError, PlotOptions, Source};

/// Points kept per drawn curve.
pub(crate) const MAX_POINTS: usize = 1000;

/// TensorBoard's smoothing (`tf-smoothing`): an exponential moving average
/// started at 0 and divided by `1 - weight^n` so that early points are not
/// pulled towards 0; non-finite values pass through without entering the
/// average, and a constant series is left as it is.
pub fn smooth(values: &[f64], weight: f64) -> Vec<f64> {
    if !(weight > 0.0 && weight < 1.0) || values.is_empty() {
        return values.to_vec();
    }
    let first = values[0];
    if values.iter().all(|v| *v == first) {
        return values.to_vec();
    }
    let mut last = 0.0;
    let mut n = 0i32;
    values
        .iter()
        .map(|&v| {
            if !v.is_finite() {
                return v;
            }
            last = last * weight + (1.0 - weight) * v;
            n += 1;
            last / (1.0 - weight.powi(n))
        })
        .collect()
}

/// Every `k`-th index so that at most `max` remain, always keeping the last.
pub fn thin(len: usize, max: usize) -> Vec<usize> {
    if len <= max || max < 2 {
        return (0..len).collect();
    }
    let stride = len.div_ceil(max - 1);
    let mut idx: Vec<usize> = (0..len).step_by(stride).collect();
    if idx.last() != Some(&(len - 1)) {
        idx.push(len - 1);
    }
    idx
}

/// Adds to the sorted indices `idx` those of the smallest and the largest
/// finite value, so that thinning never hides a spike or a dip.
fn keep_extremes(idx: &mut Vec<usize>, values: &[f64]) {
    let finite = || values.iter().enumerate().filter(|(_, v)| v.is_finite());
    let lo = finite().min_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i);
    let hi = finite().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i);
    for i in [lo, hi].into_iter().flatten() {
        if let Err(at) = idx.binary_search(&i) {
            idx.insert(at, i);
        }
    }
}

/// One session's curve, ready to draw: (step, value) pairs.
struct Curve {
    raw: Vec<(f64, f64)>,
    smooth: Vec<(f64, f64)>,
    /// Index into the highlighted rows, if highlighted.
    top: Option<usize>,
}

fn curve(points: &[Point], weight: f64, top: Option<usize>) -> Curve {
    let values: Vec<f64> = points.iter().map(|p| p.value).collect();
    let smoothed = smooth(&values, weight);
    let mut idx = thin(points.len(), MAX_POINTS);
    if idx.len() < points.len() {
        keep_extremes(&mut idx, &values);
    }
    let raw = idx
        .iter()
        .map(|&i| (points[i].step as f64, values[i]))
        .collect();
    let smooth = idx
        .iter()
        .map(|&i| (points[i].step as f64, smoothed[i]))
        .collect();
    Curve { raw, smooth, top }
}

/// The y scale of the curves' values `ys`: logarithmic when asked for, or
/// when every value is positive and they span more than two decades. The
/// second value says why it is logarithmic, for the title.
pub(crate) fn y_scale(ys: &[f64], log_y: bool) -> (Scale, Option<String>) {
    let finite: Vec<f64> = ys.iter().copied().filter(|y| y.is_finite()).collect();
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let positive: Vec<f64> = finite.iter().copied().filter(|y| *y > 0.0).collect();
    let auto = lo > 0.0 && hi / lo > AUTO_LOG_RATIO;
    if !(log_y || auto) || positive.is_empty() {
        return (Scale::numeric(ys, false, 0.04, false), None);
    }
    let plo = positive.iter().copied().fold(f64::INFINITY, f64::min);
    let phi = positive.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (plo, phi) = if phi > plo {
        (plo, phi)
    } else {
        (plo / 2.0, phi * 2.0)
    };
    let f = (phi / plo).powf(0.04);
    let scale = Scale::Log {
        lo: plo / f,
        hi: phi * f,
        marks: Vec::new(),
    };
    let decades = (hi / lo).log10();
    let why = if auto {
        format!("log y: values span {decades:.1} decades")
    } else {
        let dropped = finite.len() - positive.len();
        if dropped > 0 {
            format!("log y (--log-y; {dropped} points ≤ 0 not drawn)")
        } else {
            "log y (--log-y)".to_string()
        }
    };
    (scale, Some(why))
}

/// Values spanning more than this factor (all positive) get a log y axis.
pub(crate) const AUTO_LOG_RATIO: f64 = 100.0;

/// Every session's curve of `metric`, and the best `highlight` rows that
/// have one (their curves marked; rows without the metric are skipped, as
/// runs of a logdir without hparams often are).
fn collect<'a>(
    src: &'a Source,
    metric: &MetricKey,
    opts: &PlotOptions,
) -> (Vec<Curve>, Vec<&'a crate::analysis::Row>) {
    let mut curves = Vec::new();
    let mut top = Vec::new();
    for row in &src.table.rows {
        let hl = (top.len() < opts.highlight).then_some(top.len());
        let before = curves.len();
        for name in &row.sessions {
            let Some(series) = src.logdir.session(name).and_then(|s| s.metric(metric)) else {
                continue;
            };
            if !series.points.is_empty() {
                curves.push(curve(&series.points, opts.smooth, hl));
            }
        }
        if hl.is_some() && curves.len() > before {
            top.push(row);
        }
    }
    (curves, top)
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    src: &Source,
    opts: &PlotOptions,
) -> Result<(), PlotError> {
    let metric = src.metric(opts)?;
    let metric_label = src.table.label(&metric);
    let weight = opts.smooth;
    let (curves, top) = collect(src, &metric, opts);
    if curves.is_empty() {
        return Err(PlotError::NoData(format!(
            "no session has points of {metric_label} (was the logdir loaded with curves?)"
        )));
    }

    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for c in &curves {
        for &(x, y) in c.raw.iter().chain(c.smooth.iter()) {
            xs.push(x);
            ys.push(y);
        }
    }
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let (y, log_note) = y_scale(&ys, opts.log_y);
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let frame = Frame {
        rect: rect_beside_legend(w, h),
        x: Scale::numeric(&xs, false, 0.01, true),
        y,
    };

    let ts = style::text(style::TITLE, style::INK, HPos::Left, VPos::Top);
    let unit = src.rows_word();
    let mut title = format!(
        "{metric_label} by step · {} curves, best {} {unit} highlighted",
        curves.len(),
        top.len()
    );
    if weight > 0.0 && weight < 1.0 {
        title.push_str(&format!(" · smoothing {weight}"));
    }
    if let Some(note) = log_note {
        title.push_str(&format!(" · {note}"));
    }
    let title = fit(area, &title, &ts, w - 20);
    area.draw(&Text::new(title, (12, 12), ts)).map_err(de)?;
    frame.draw(area, "step", &metric_label)?;
    draw_curves(area, &frame, &curves, weight > 0.0 && weight < 1.0)?;
    let faint_n = curves.iter().filter(|c| c.top.is_none()).count();
    legend(area, &frame, src, &metric, &top, faint_n)
}

/// The faint curves, then the highlighted ones, best last (on top).
fn draw_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    curves: &[Curve],
    smoothing: bool,
) -> Result<(), PlotError> {
    let faint_n = curves.iter().filter(|c| c.top.is_none()).count();
    let faint = style::FAINT.mix(style::line_alpha(faint_n).min(0.5));
    let path = |pts: &[(f64, f64)]| -> Vec<(i32, i32)> {
        pts.iter()
            .filter_map(|&(x, y)| frame.at_num(x, y))
            .collect()
    };
    if faint_n > MAX_FAINT {
        draw_band(area, frame, curves)?;
    } else {
        for c in curves.iter().filter(|c| c.top.is_none()) {
            area.draw(&PathElement::new(path(&c.smooth), faint.stroke_width(1)))
                .map_err(de)?;
        }
    }
    let mut highlighted: Vec<&Curve> = curves.iter().filter(|c| c.top.is_some()).collect();
    highlighted.sort_by_key(|c| std::cmp::Reverse(c.top));
    for c in highlighted {
        let color = style::palette(c.top.unwrap_or(0));
        if smoothing {
            area.draw(&PathElement::new(
                path(&c.raw),
                color.mix(0.25).stroke_width(1),
            ))
            .map_err(de)?;
        }
        let pts = path(&c.smooth);
        if pts.len() == 1 {
            area.draw(&Circle::new(pts[0], 3, color.filled()))
                .map_err(de)?;
        }
        area.draw(&PathElement::new(pts, color.stroke_width(2)))
            .map_err(de)?;
    }
    Ok(())
}

/// Past this many curves that are not highlighted, they are drawn as a
/// band instead of one faint line each: 10,000 lines made an unreadable
/// grey block and a 5 MB SVG, a band stays a few polygons.
pub(crate) const MAX_FAINT: usize = 300;

/// The curves that are not highlighted, summarised per pixel column: the
/// range from the smallest to the largest value (light), the middle half
/// between the quartiles (darker) and the median (a line).
fn draw_band<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    curves: &[Curve],
) -> Result<(), PlotError> {
    let mut columns: std::collections::BTreeMap<i32, Vec<i32>> = Default::default();
    for c in curves.iter().filter(|c| c.top.is_none()) {
        for &(x, y) in &c.smooth {
            if let Some((px, py)) = frame.at_num(x, y) {
                columns.entry(px).or_default().push(py);
            }
        }
    }
    let mut qs: Vec<(i32, [i32; 5])> = Vec::with_capacity(columns.len());
    for (px, mut ys) in columns {
        ys.sort_unstable();
        let q = |f: f64| ys[((ys.len() - 1) as f64 * f).round() as usize];
        qs.push((px, [q(0.0), q(0.25), q(0.5), q(0.75), q(1.0)]));
    }
    let band = |lo: usize, hi: usize| -> Vec<(i32, i32)> {
        let upper = qs.iter().map(|(x, q)| (*x, q[hi]));
        let lower = qs.iter().rev().map(|(x, q)| (*x, q[lo]));
        upper.chain(lower).collect()
    };
    area.draw(&Polygon::new(band(0, 4), style::FAINT.mix(0.25).filled()))
        .map_err(de)?;
    area.draw(&Polygon::new(band(1, 3), style::FAINT.mix(0.45).filled()))
        .map_err(de)?;
    let median: Vec<(i32, i32)> = qs.iter().map(|(x, q)| (*x, q[2])).collect();
    area.draw(&PathElement::new(median, style::FAINT.stroke_width(1)))
        .map_err(de)
}

/// The legend right of the plot: rank, name (its end kept) and value of
/// each highlighted row, then the count of the others.
fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    src: &Source,
    metric: &MetricKey,
    top: &[&crate::analysis::Row],
    faint_n: usize,
) -> Result<(), PlotError> {
    let table = src.table;
    let lx = frame.rect.x1 + 24;
    let mut ly = frame.rect.y0;
    let ls = style::text(style::LABEL, style::INK, HPos::Left, VPos::Center);
    let vs = style::text(style::TICK, style::AXIS, HPos::Left, VPos::Center);
    let head = match &table.sort {
        Some((k, g)) => format!("rank by {} ({g})", table.label(k)),
        None => "rank".to_string(),
    };
    let head = fit_end(area, "", &head, &vs, LEGEND_W - 10);
    area.draw(&Text::new(head, (lx, ly), vs.clone()))
        .map_err(de)?;
    ly += 24;
    for (i, row) in top.iter().enumerate() {
        let note = row.metrics.get(metric).map(|v| {
            if table.groups {
                format!("{} of {}: {}", table.agg, table.reduce, fmt_metric(*v))
            } else {
                format!("{}: {}", table.reduce, fmt_metric(*v))
            }
        });
        legend_entry(
            area,
            (lx, ly),
            style::palette(i),
            (&format!("{}. ", row.rank), &row.name),
            note.as_deref(),
            LEGEND_W - 40,
        )?;
        ly += 42;
    }
    if faint_n > MAX_FAINT {
        area.draw(&Rectangle::new(
            [(lx, ly - 7), (lx + 22, ly + 7)],
            style::FAINT.mix(0.45).filled(),
        ))
        .map_err(de)?;
        let what = format!("others ({faint_n}): median, quartiles, range");
        let what = fit_end(area, "", &what, &ls, LEGEND_W - 40);
        area.draw(&Text::new(what, (lx + 30, ly), ls)).map_err(de)?;
    } else if faint_n > 0 {
        area.draw(&PathElement::new(
            vec![(lx, ly), (lx + 22, ly)],
            style::FAINT.stroke_width(2),
        ))
        .map_err(de)?;
        area.draw(&Text::new(format!("others ({faint_n})"), (lx + 30, ly), ls))
            .map_err(de)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothing_matches_tensorboard() {
        // TensorBoard: last = last*w + (1-w)*v; smoothed = last / (1 - w^n).
        let s = smooth(&[1.0, 2.0, 3.0], 0.6);
        assert!(
            (s[0] - 1.0).abs() < 1e-12,
            "debiased first point is the point"
        );
        let l2 = 0.4 * 0.6 + 0.4 * 2.0;
        assert!((s[1] - l2 / (1.0 - 0.36)).abs() < 1e-12);
        assert_eq!(smooth(&[5.0, 5.0], 0.9), vec![5.0, 5.0]);
        assert_eq!(smooth(&[1.0, 3.0], 0.0), vec![1.0, 3.0]);
        let s = smooth(&[1.0, f64::NAN, 3.0], 0.5);
        assert!(s[1].is_nan() && s[2].is_finite());
    }

    #[test]
    fn log_y_when_asked_or_over_two_decades() {
        let (s, why) = y_scale(&[20.0, 5.0, 0.4, 0.1], false);
        assert!(s.is_log());
        assert_eq!(why.as_deref(), Some("log y: values span 2.3 decades"));
        let (s, why) = y_scale(&[20.0, 0.4], false);
        assert!(!s.is_log() && why.is_none(), "1.7 decades stay linear");
        let (s, _) = y_scale(&[20.0, -1.0, 0.001], false);
        assert!(!s.is_log(), "not all positive");
        let (s, why) = y_scale(&[2.0, 0.0, 1.0], true);
        assert!(s.is_log());
        assert_eq!(
            why.as_deref(),
            Some("log y (--log-y; 1 points ≤ 0 not drawn)")
        );
        let (s, _) = y_scale(&[-2.0, 0.0], true);
        assert!(!s.is_log(), "nothing positive to draw on a log axis");
    }

    #[test]
    fn thinning_keeps_extremes() {
        let mut values = vec![0.0; 5000];
        values[1234] = 9.0;
        values[4321] = -9.0;
        let mut idx = thin(values.len(), MAX_POINTS);
        keep_extremes(&mut idx, &values);
        assert!(idx.contains(&1234) && idx.contains(&4321));
        assert!(idx.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn thinning_keeps_ends() {
        let idx = thin(10_000, 1000);
        assert!(idx.len() <= 1001);
        assert_eq!(idx.first(), Some(&0));
        assert_eq!(idx.last(), Some(&9999));
        assert_eq!(thin(5, 1000), vec![0, 1, 2, 3, 4]);
    }
}
