//! Parallel coordinates: one vertical axis per hparam, then the metric
//! axes; one polyline per table row, coloured by the metric (viridis,
//! yellow-green best) and drawn worst first so the best lie on top. The
//! colour metric's axis is itself the colour bar. Categorical axes list
//! their values, numeric axes span the domain and the values seen, on a log
//! scale when positive values span decades. hparams that are the same in
//! every row get no axis; the subtitle names them.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::analysis::{Goal, Row};
use crate::hparams::HParamValue;
use crate::logdir::{HParamDomain, MetricKey};
use crate::plot::frame::{de, fit, fit_start, number, Rect, Scale, Val};
use crate::plot::{
    numeric_column, same_note, style, varying_hparams, Goodness, PlotError, PlotOptions, Source,
};

/// How an axis reads its value from a row.
type Getter = Box<dyn Fn(&Row) -> Option<Val>>;

/// One vertical axis.
struct Axis {
    /// Top line (a metric's group; empty for hparams).
    over: String,
    /// Name.
    name: String,
    scale: Scale,
    value: Getter,
}

const TOP: i32 = 104;
const BOTTOM_MARGIN: i32 = 56;
const LEFT: i32 = 90;
const RIGHT: i32 = 90;
const HEIGHT: u32 = 580;

fn metric_keys(src: &Source, opts: &PlotOptions) -> Result<Vec<MetricKey>, PlotError> {
    let metric = src.metric(opts)?;
    let mut keys: Vec<MetricKey> = opts
        .extra_metrics
        .iter()
        .filter(|k| **k != metric)
        .cloned()
        .collect();
    keys.dedup();
    keys.push(metric);
    Ok(keys)
}

/// Width grows with the number of axes (hparams the same in every row are
/// not drawn: see [`varying_hparams`]).
pub(crate) fn size(sources: &[Source], opts: &PlotOptions) -> (u32, u32) {
    let n = sources.first().map_or(2, |s| {
        varying_hparams(s.table).0.len() + metric_keys(s, opts).map_or(1, |k| k.len())
    });
    let w = (170 * n as u32 + 60).clamp(800, 2400);
    (w, HEIGHT)
}

fn hparam_axis(src: &Source, name: &str, label: &str, is_num: bool) -> Axis {
    let rows = &src.table.rows;
    let domain = src
        .logdir
        .experiment
        .hparams
        .iter()
        .find(|h| h.name == name)
        .map(|h| &h.domain);
    let key = name.to_string();
    let scale = if is_num {
        let mut xs: Vec<f64> = rows
            .iter()
            .filter_map(|r| r.hparams.get(name)?.as_f64())
            .collect();
        match domain {
            Some(HParamDomain::Interval { min, max }) => xs.extend([*min, *max]),
            Some(HParamDomain::Discrete { values }) => {
                xs.extend(values.iter().filter_map(HParamValue::as_f64))
            }
            _ => {}
        }
        Scale::numeric(&xs, true, 0.0, true)
    } else {
        let mut values: Vec<String> = Vec::new();
        if let Some(HParamDomain::Discrete { values: d }) = domain {
            values.extend(d.iter().map(|v| v.to_string()));
        }
        let mut seen: Vec<&HParamValue> = rows.iter().filter_map(|r| r.hparams.get(name)).collect();
        seen.sort_by(|a, b| a.total_cmp(b));
        for v in seen {
            let s = v.to_string();
            if !values.contains(&s) {
                values.push(s);
            }
        }
        Scale::Categorical { values }
    };
    Axis {
        over: String::new(),
        name: label.to_string(),
        scale,
        value: Box::new(move |r: &Row| Some(Val::of(r.hparams.get(&key)?, is_num))),
    }
}

fn metric_axis(src: &Source, key: &MetricKey) -> Axis {
    let xs: Vec<f64> = src
        .table
        .rows
        .iter()
        .filter_map(|r| r.metrics.get(key).copied())
        .collect();
    let k = key.clone();
    Axis {
        over: key.group.to_string(),
        name: key.tag.to_string(),
        scale: Scale::numeric(&xs, false, 0.0, false),
        value: Box::new(move |r: &Row| Some(Val::Num(*r.metrics.get(&k)?))),
    }
}

/// Where the axes stand: the plot rectangle and the x of each axis.
struct Layout {
    rect: Rect,
    n: usize,
    /// Pixels between neighbouring axes.
    spacing: i32,
}

impl Layout {
    fn new(w: i32, h: i32, n: usize) -> Layout {
        let rect = Rect {
            x0: LEFT,
            y0: TOP,
            x1: w - RIGHT,
            y1: h - BOTTOM_MARGIN,
        };
        let spacing = if n > 1 {
            rect.w() / (n as i32 - 1)
        } else {
            rect.w()
        };
        Layout { rect, n, spacing }
    }

    fn x(&self, i: usize) -> i32 {
        if self.n <= 1 {
            (self.rect.x0 + self.rect.x1) / 2
        } else {
            self.rect.x0 + (self.rect.w() as f64 * i as f64 / (self.n - 1) as f64).round() as i32
        }
    }
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    src: &Source,
    opts: &PlotOptions,
) -> Result<(), PlotError> {
    let table = src.table;
    if table.rows.is_empty() {
        return Err(PlotError::NoData("no rows to plot".into()));
    }
    let keys = metric_keys(src, opts)?;
    let metric = keys
        .last()
        .cloned()
        .unwrap_or_else(|| MetricKey::new("", ""));
    let goal = src.goal(&metric);
    let (shown, same) = varying_hparams(table);
    let mut axes: Vec<Axis> = shown
        .iter()
        .map(|h| hparam_axis(src, &h.name, &h.label, numeric_column(h.kind)))
        .collect();
    axes.extend(keys.iter().map(|k| metric_axis(src, k)));
    let (w, h) = area.dim_in_pixel();
    let layout = Layout::new(w as i32, h as i32, axes.len());

    let rows_word = src.rows_word();
    let title = format!(
        "{} across hparams · {} {rows_word}",
        table.label(&metric),
        table.rows.len()
    );
    titles(area, &title, same_note(table, &same).as_deref())?;

    // The colour of a metric value: 1 = best seen.
    let good = Goodness::new(
        table
            .rows
            .iter()
            .filter_map(|r| r.metrics.get(&metric).copied()),
        goal,
    );
    draw_lines(area, src, &axes, &layout, &metric, &good)?;
    // Axes on top of the lines.
    for (i, ax) in axes.iter().enumerate() {
        draw_axis(area, ax, i, &layout, &good, goal)?;
    }
    Ok(())
}

/// The title, and under it the note on hparams left out.
pub(crate) fn titles<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    note: Option<&str>,
) -> Result<(), PlotError> {
    let (w, _) = area.dim_in_pixel();
    let ts = style::text(style::TITLE, style::INK, HPos::Left, VPos::Top);
    let title = fit(area, title, &ts, w as i32 - 20);
    area.draw(&Text::new(title, (12, 12), ts)).map_err(de)?;
    if let Some(note) = note {
        let ns = style::text(style::TICK, style::AXIS, HPos::Left, VPos::Top);
        let note = fit_start(area, note, &ns, w as i32 - 24);
        area.draw(&Text::new(note, (14, 40), ns)).map_err(de)?;
    }
    Ok(())
}

/// One polyline per row: rows without the metric first (grey), then worst
/// to best, so the best lie on top.
fn draw_lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    src: &Source,
    axes: &[Axis],
    layout: &Layout,
    metric: &MetricKey,
    good: &Goodness,
) -> Result<(), PlotError> {
    let mut order: Vec<(&Row, Option<f64>)> = src
        .table
        .rows
        .iter()
        .map(|r| {
            let g = r
                .metrics
                .get(metric)
                .copied()
                .filter(|v| v.is_finite())
                .map(|v| good.of(v));
            (r, g)
        })
        .collect();
    order.sort_by(|a, b| match (a.1, b.1) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.total_cmp(&y),
    });
    let alpha = style::line_alpha(order.len());
    let width = style::line_width(order.len());
    for (row, g) in &order {
        let color = match g {
            Some(t) => style::scale(*t).mix(alpha),
            None => style::FAINT.mix(alpha * 0.6),
        };
        let stroke = ShapeStyle::from(color).stroke_width(width);
        let mut run: Vec<(i32, i32)> = Vec::new();
        for (i, ax) in axes.iter().enumerate() {
            match (ax.value)(row).and_then(|v| ax.scale.frac(&v)) {
                Some(f) => run.push((layout.x(i), layout.rect.y(f))),
                None => {
                    if run.len() > 1 {
                        area.draw(&PathElement::new(std::mem::take(&mut run), stroke))
                            .map_err(de)?;
                    }
                    run.clear();
                }
            }
        }
        if run.len() > 1 {
            area.draw(&PathElement::new(run, stroke)).map_err(de)?;
        } else if let Some(&p) = run.first() {
            area.draw(&Circle::new(p, 2, stroke.filled())).map_err(de)?;
        }
    }
    Ok(())
}

/// The colour bar: a gradient strip along the metric axis at `x`.
fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ax: &Axis,
    x: i32,
    rect: &Rect,
    good: &Goodness,
) -> Result<(), PlotError> {
    let steps = 120;
    for s in 0..steps {
        let f0 = s as f64 / steps as f64;
        let f1 = (s + 1) as f64 / steps as f64;
        let v = match &ax.scale {
            Scale::Linear { lo, hi, .. } => lo + (hi - lo) * (f0 + f1) / 2.0,
            _ => 0.0,
        };
        let c = if good.is_empty() {
            style::FAINT
        } else {
            style::scale(good.of(v))
        };
        area.draw(&Rectangle::new(
            [(x, rect.y(f1) - 1), (x + 10, rect.y(f0))],
            c.filled(),
        ))
        .map_err(de)?;
    }
    Ok(())
}

/// Axis `i`: its line, name (and group above it), ticks on a white halo,
/// and the note under it (range, log, value count, or how to read colour).
fn draw_axis<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ax: &Axis,
    i: usize,
    layout: &Layout,
    good: &Goodness,
    goal: Goal,
) -> Result<(), PlotError> {
    let name_style = style::text(style::LABEL, style::INK, HPos::Center, VPos::Bottom);
    let over_style = style::text(style::TICK, style::AXIS, HPos::Center, VPos::Bottom);
    let note_style = style::text(style::TICK, style::AXIS, HPos::Center, VPos::Top);
    let axis_line = ShapeStyle::from(style::AXIS).stroke_width(1);
    let (rect, spacing) = (&layout.rect, layout.spacing);
    let x = layout.x(i);
    let is_colour = i + 1 == layout.n;
    if is_colour {
        colour_bar(area, ax, x, rect, good)?;
    }
    area.draw(&PathElement::new(
        vec![(x, rect.y0), (x, rect.y1)],
        axis_line,
    ))
    .map_err(de)?;
    let label_w = if is_colour {
        (spacing - 10).clamp(40, 2 * RIGHT + 20)
    } else {
        (spacing - 10).max(40)
    };
    let name = fit(area, &ax.name, &name_style, label_w);
    area.draw(&Text::new(name, (x, TOP - 14), name_style))
        .map_err(de)?;
    if !ax.over.is_empty() {
        let over = fit(area, &ax.over, &over_style, label_w);
        area.draw(&Text::new(over, (x, TOP - 34), over_style))
            .map_err(de)?;
    }
    let label_px = if i == 0 { LEFT - 10 } else { spacing / 2 - 8 };
    ticks(area, ax, x, rect, label_px)?;
    let note = match (&ax.scale, is_colour) {
        (_, true) => match goal {
            Goal::Max => "colour: higher is better".to_string(),
            Goal::Min => "colour: lower is better".to_string(),
        },
        (Scale::Log { lo, hi, .. }, _) => format!("log · {}–{}", number(*lo), number(*hi)),
        (Scale::Linear { lo, hi, .. }, _) => format!("{}–{}", number(*lo), number(*hi)),
        (Scale::Categorical { values }, _) => format!("{} values", values.len()),
    };
    let note = fit(area, &note, &note_style, label_w);
    area.draw(&Text::new(note, (x, rect.y1 + 10), note_style))
        .map_err(de)?;
    Ok(())
}

/// Tick marks and labels left of the axis at `x`, each on a white halo so
/// that lines behind do not hide it.
fn ticks<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ax: &Axis,
    x: i32,
    rect: &Rect,
    label_px: i32,
) -> Result<(), PlotError> {
    let tick_style = style::text(style::TICK, style::INK, HPos::Right, VPos::Center);
    let halo = ShapeStyle::from(WHITE.mix(0.75)).filled();
    let axis_line = ShapeStyle::from(style::AXIS).stroke_width(1);
    let max_ticks = ((rect.h() / 44).max(2)) as usize;
    for (f, label) in ax.scale.ticks(max_ticks) {
        let y = rect.y(f);
        area.draw(&PathElement::new(vec![(x - 4, y), (x, y)], axis_line))
            .map_err(de)?;
        let label = fit(area, &label, &tick_style, label_px.max(24));
        if let Ok((tw, th)) = area.estimate_text_size(&label, &tick_style) {
            let (tw, th) = (tw as i32, th as i32);
            area.draw(&Rectangle::new(
                [(x - 7 - tw, y - th / 2 - 1), (x - 5, y + th / 2 + 1)],
                halo,
            ))
            .map_err(de)?;
        }
        area.draw(&Text::new(label, (x - 6, y), tick_style.clone()))
            .map_err(de)?;
    }
    Ok(())
}
