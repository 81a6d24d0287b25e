//! Scales and axes drawn by hand: plotters' chart builder has no
//! categorical-or-log-or-linear axis chosen at run time and rotates y axis
//! names (which the ab_glyph backend draws unrotated), so the plots map
//! values to pixels with a [`Scale`] and draw their own [`Frame`]: grid,
//! ticks, tick labels, and horizontal axis names.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::export::text::{elide, printable};
use crate::hparams::HParamValue;
use crate::plot::style;
use crate::plot::PlotError;

/// Where values go along one axis, as a fraction in [0, 1].
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Scale {
    /// Linear between `lo` and `hi` (`lo < hi`).
    Linear {
        /// Value at 0.
        lo: f64,
        /// Value at 1.
        hi: f64,
        /// Values to tick instead of round numbers (a few discrete values).
        marks: Vec<f64>,
    },
    /// Logarithmic between `lo` and `hi` (`0 < lo < hi`).
    Log {
        /// Value at 0.
        lo: f64,
        /// Value at 1.
        hi: f64,
        /// Values to tick besides the powers of ten.
        marks: Vec<f64>,
    },
    /// Named values, evenly spaced, each in the middle of its slot.
    Categorical {
        /// The values in axis order.
        values: Vec<String>,
    },
}

/// A value on an axis.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    /// A number.
    Num(f64),
    /// A category.
    Cat(String),
}

impl Val {
    /// An hparam value as a number (numeric columns) or a category.
    pub(crate) fn of(v: &HParamValue, numeric: bool) -> Val {
        match v.as_f64() {
            Some(x) if numeric => Val::Num(x),
            _ => Val::Cat(v.to_string()),
        }
    }
}

/// Fewest decades (max/min) that make a positive numeric axis logarithmic.
const LOG_RATIO: f64 = 20.0;
/// At most this many distinct values are ticked as themselves.
const MAX_MARKS: usize = 8;

impl Scale {
    /// A numeric scale over `values` (finite ones), logarithmic when all are
    /// positive and span more than [`LOG_RATIO`]; `pad` widens the range by
    /// that fraction on each side. With `marks`, a few distinct values (hparam
    /// settings, steps) become the ticks instead of round numbers.
    pub(crate) fn numeric(values: &[f64], allow_log: bool, pad: f64, marks: bool) -> Scale {
        let mut xs: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let (Some(&lo), Some(&hi)) = (xs.first(), xs.last()) else {
            return Scale::Linear {
                lo: 0.0,
                hi: 1.0,
                marks: Vec::new(),
            };
        };
        let marks = if marks && xs.len() <= MAX_MARKS {
            xs.clone()
        } else {
            Vec::new()
        };
        if allow_log && lo > 0.0 && hi / lo >= LOG_RATIO {
            let f = (hi / lo).powf(pad);
            return Scale::Log {
                lo: lo / f,
                hi: hi * f,
                marks,
            };
        }
        if lo == hi {
            let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
            return Scale::Linear {
                lo: lo - d,
                hi: hi + d,
                marks,
            };
        }
        let d = (hi - lo) * pad;
        Scale::Linear {
            lo: lo - d,
            hi: hi + d,
            marks,
        }
    }

    /// The fraction for `v`, `None` if it cannot be placed (a category not
    /// on the axis, a non-finite number, a non-positive number on a log
    /// axis).
    pub(crate) fn frac(&self, v: &Val) -> Option<f64> {
        match (self, v) {
            (Scale::Linear { lo, hi, .. }, Val::Num(x)) if x.is_finite() => {
                Some((x - lo) / (hi - lo))
            }
            (Scale::Log { lo, hi, .. }, Val::Num(x)) if x.is_finite() && *x > 0.0 => {
                Some((x.ln() - lo.ln()) / (hi.ln() - lo.ln()))
            }
            (Scale::Categorical { values }, Val::Cat(c)) => {
                let i = values.iter().position(|v| v == c)?;
                Some((i as f64 + 0.5) / values.len() as f64)
            }
            _ => None,
        }
    }

    /// The fraction for a number.
    pub(crate) fn frac_num(&self, x: f64) -> Option<f64> {
        self.frac(&Val::Num(x))
    }

    /// Width of one category's slot (1 for numeric scales).
    pub(crate) fn slot(&self) -> f64 {
        match self {
            Scale::Categorical { values } => 1.0 / values.len().max(1) as f64,
            _ => 1.0,
        }
    }

    /// Whether the axis has only a few distinct values (ticked as such), so
    /// that points on it pile up and are worth jittering.
    pub(crate) fn is_few(&self) -> bool {
        match self {
            Scale::Linear { marks, .. } | Scale::Log { marks, .. } => !marks.is_empty(),
            Scale::Categorical { .. } => true,
        }
    }

    /// Whether the scale is logarithmic.
    pub(crate) fn is_log(&self) -> bool {
        matches!(self, Scale::Log { .. })
    }

    /// Ticks as (fraction, label), at most about `max` of them.
    pub(crate) fn ticks(&self, max: usize) -> Vec<(f64, String)> {
        let max = max.max(2);
        match self {
            Scale::Linear { lo, hi, marks } => {
                if !marks.is_empty() && marks.len() <= max {
                    return marks
                        .iter()
                        .map(|&x| ((x - lo) / (hi - lo), number(x)))
                        .collect();
                }
                let mut step = nice_step((hi - lo) / (max - 1) as f64);
                // At least 3 ticks when there is room: a lone tick says
                // little about the range.
                let count = |step: f64| ((hi / step).floor() - (lo / step).ceil() + 1.0).max(0.0);
                while count(step) < 3.0_f64.min(max as f64) {
                    let smaller = smaller_step(step);
                    if count(smaller) > max as f64 {
                        break;
                    }
                    step = smaller;
                }
                let mut out = Vec::new();
                let mut k = (lo / step).ceil();
                while k * step <= hi + step * 1e-9 && out.len() < 4 * max {
                    let x = k * step;
                    let x = if x.abs() < step * 1e-9 { 0.0 } else { x };
                    out.push(((x - lo) / (hi - lo), fmt_step(x, step)));
                    k += 1.0;
                }
                out
            }
            Scale::Log { lo, hi, marks } => {
                let f = |x: f64| (x.ln() - lo.ln()) / (hi.ln() - lo.ln());
                if !marks.is_empty() && marks.len() <= max {
                    return marks.iter().map(|&x| (f(x), number(x))).collect();
                }
                let (a, b) = (lo.log10().ceil() as i32, hi.log10().floor() as i32);
                // Few decades and room: 1, 2 and 5 times each power of ten.
                let fine: Vec<f64> = (a - 1..=b)
                    .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
                    .filter(|x| (*lo..=*hi).contains(x))
                    .collect();
                if fine.len() >= 3 && fine.len() <= max {
                    return fine.into_iter().map(|x| (f(x), number(x))).collect();
                }
                let every = ((b - a + 1) as usize).div_ceil(max).max(1) as i32;
                let mut out: Vec<(f64, String)> = (a..=b)
                    .filter(|e| (e - a) % every == 0)
                    .map(|e| {
                        let x = 10f64.powi(e);
                        (f(x), number(x))
                    })
                    .collect();
                if out.len() < 2 {
                    out = vec![(0.0, number(*lo)), (1.0, number(*hi))];
                }
                out
            }
            Scale::Categorical { values } => {
                let n = values.len();
                let every = n.div_ceil(max).max(1);
                values
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % every == 0)
                    .map(|(i, v)| ((i as f64 + 0.5) / n as f64, printable(v)))
                    .collect()
            }
        }
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let n = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    n * p
}

/// The next nice step below `step` (5 → 2 → 1 → 0.5 ...).
fn smaller_step(step: f64) -> f64 {
    let p = 10f64.powf(step.log10().floor());
    let m = (step / p).round();
    if m >= 5.0 {
        2.0 * p
    } else if m >= 2.0 {
        p
    } else {
        0.5 * p
    }
}

/// A tick value with as many decimals as its step needs.
fn fmt_step(x: f64, step: f64) -> String {
    let big = x.abs().max(step);
    if big >= 1e5 || step < 1e-4 {
        return format!("{x:.1e}");
    }
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    format!("{x:.decimals$}")
}

/// A number in its shortest readable form: `0.001`, `128`, `3e-05` → `3e-5`.
pub(crate) fn number(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if !(1e-4..1e6).contains(&a) {
        let s = format!("{x:e}");
        return s;
    }
    let s = format!("{:.4}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "0" || s == "-0" {
        format!("{x:e}")
    } else {
        s.to_string()
    }
}

/// A rectangle in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rect {
    /// Left.
    pub x0: i32,
    /// Top.
    pub y0: i32,
    /// Right.
    pub x1: i32,
    /// Bottom.
    pub y1: i32,
}

impl Rect {
    /// Pixel x for fraction `f` from the left.
    pub(crate) fn x(&self, f: f64) -> i32 {
        self.x0 + (f * (self.x1 - self.x0) as f64).round() as i32
    }
    /// Pixel y for fraction `f` from the bottom.
    pub(crate) fn y(&self, f: f64) -> i32 {
        self.y1 - (f * (self.y1 - self.y0) as f64).round() as i32
    }
    /// Width.
    pub(crate) fn w(&self) -> i32 {
        self.x1 - self.x0
    }
    /// Height.
    pub(crate) fn h(&self) -> i32 {
        self.y1 - self.y0
    }
}

/// A 2-D panel: its plotting rectangle and the two scales.
pub(crate) struct Frame {
    /// Where the data goes.
    pub rect: Rect,
    /// Horizontal scale.
    pub x: Scale,
    /// Vertical scale.
    pub y: Scale,
}

/// Converts a drawing error.
pub(crate) fn de<E: std::error::Error + Send + Sync>(
    e: plotters::drawing::DrawingAreaErrorKind<E>,
) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// Draws `s` elided so that it fits `max_px` pixels.
pub(crate) fn fit(
    area: &DrawingArea<impl DrawingBackend, Shift>,
    s: &str,
    style: &TextStyle,
    max_px: i32,
) -> String {
    let s = printable(s);
    let mut n = s.chars().count();
    let mut out = s.clone();
    while n > 3 {
        match area.estimate_text_size(&out, style) {
            Ok((w, _)) if (w as i32) <= max_px => return out,
            Err(_) => return out,
            _ => {}
        }
        n -= 1;
        out = elide(&s, n);
    }
    out
}

/// `prefix` then as much of the END of `name` as fits `max_px` pixels
/// (`3. …ogs/version_10`): run and logdir names differ at their end.
pub(crate) fn fit_end(
    area: &DrawingArea<impl DrawingBackend, Shift>,
    prefix: &str,
    name: &str,
    style: &TextStyle,
    max_px: i32,
) -> String {
    let chars: Vec<char> = printable(name).chars().collect();
    let candidates = (0..chars.len()).map(|skip| {
        let tail: String = chars[skip..].iter().collect();
        if skip == 0 {
            format!("{prefix}{tail}")
        } else {
            format!("{prefix}…{tail}")
        }
    });
    first_fitting(area, candidates, style, max_px).unwrap_or_else(|| format!("{prefix}…"))
}

/// As much of the START of `s` as fits `max_px` pixels, then `…` (for lists).
pub(crate) fn fit_start(
    area: &DrawingArea<impl DrawingBackend, Shift>,
    s: &str,
    style: &TextStyle,
    max_px: i32,
) -> String {
    let chars: Vec<char> = printable(s).chars().collect();
    let n = chars.len();
    let candidates = (0..n).map(|cut| {
        let head: String = chars[..n - cut].iter().collect();
        if cut == 0 {
            head
        } else {
            head + "…"
        }
    });
    first_fitting(area, candidates, style, max_px).unwrap_or_else(|| "…".to_string())
}

/// The first of `candidates` (longest first) that fits `max_px` pixels; a
/// font that cannot measure takes the first.
fn first_fitting(
    area: &DrawingArea<impl DrawingBackend, Shift>,
    mut candidates: impl Iterator<Item = String>,
    style: &TextStyle,
    max_px: i32,
) -> Option<String> {
    candidates.find(|s| match area.estimate_text_size(s, style) {
        Ok((w, _)) => (w as i32) <= max_px,
        Err(_) => true,
    })
}

/// Width of the legend column right of a line plot (curves, trajectory).
pub(crate) const LEGEND_W: i32 = 250;

/// The plot rectangle of a line plot with a legend column on its right, in
/// an area of `w` × `h` pixels: room for the title above, tick labels left
/// and below, and [`LEGEND_W`] for the legend.
pub(crate) fn rect_beside_legend(w: i32, h: i32) -> Rect {
    Rect {
        x0: 84,
        y0: 80,
        x1: w - LEGEND_W - 20,
        y1: h - 60,
    }
}

/// One legend entry with its top-left swatch at `(x, y)`: a short line in
/// `color`, `prefix` and `label` beside it and, if given, a smaller `note`
/// under the label, both elided to `max_px` pixels; a long label keeps its
/// end (see [`fit_end`]).
pub(crate) fn legend_entry<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    color: RGBColor,
    (prefix, label): (&str, &str),
    note: Option<&str>,
    max_px: i32,
) -> Result<(), PlotError> {
    let ls = style::text(style::LABEL, style::INK, HPos::Left, VPos::Center);
    let vs = style::text(style::TICK, style::AXIS, HPos::Left, VPos::Center);
    area.draw(&PathElement::new(
        vec![(x, y), (x + 22, y)],
        color.stroke_width(3),
    ))
    .map_err(de)?;
    let label = fit_end(area, prefix, label, &ls, max_px);
    area.draw(&Text::new(label, (x + 30, y), ls)).map_err(de)?;
    if let Some(note) = note {
        let note = fit(area, note, &vs, max_px);
        area.draw(&Text::new(note, (x + 30, y + 17), vs))
            .map_err(de)?;
    }
    Ok(())
}

impl Frame {
    /// Pixel position of a point, `None` if a coordinate cannot be placed.
    pub(crate) fn at(&self, x: &Val, y: &Val) -> Option<(i32, i32)> {
        let fx = self.x.frac(x)?;
        let fy = self.y.frac(y)?;
        Some((self.rect.x(fx), self.rect.y(fy)))
    }

    /// Pixel position of a numeric point.
    pub(crate) fn at_num(&self, x: f64, y: f64) -> Option<(i32, i32)> {
        self.at(&Val::Num(x), &Val::Num(y))
    }

    /// Draws the grid, the left and bottom axes with tick labels, the x
    /// axis name centred below, and the y axis name horizontally above the
    /// top-left corner.
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x_name: &str,
        y_name: &str,
    ) -> Result<(), PlotError> {
        let r = self.rect;
        let tick = style::text(style::TICK, style::AXIS, HPos::Center, VPos::Top);
        let ytick = style::text(style::TICK, style::AXIS, HPos::Right, VPos::Center);
        let label = style::text(style::LABEL, style::INK, HPos::Center, VPos::Top);
        let ylabel = style::text(style::LABEL, style::INK, HPos::Left, VPos::Bottom);

        // Ticks: as many as fit.
        let xmax = ((r.w() / 90).max(2)) as usize;
        let ymax = ((r.h() / 34).max(2)) as usize;
        let xt = self.x.ticks(xmax);
        let yt = self.y.ticks(ymax);
        let grid = ShapeStyle::from(style::GRID).stroke_width(1);
        for (f, _) in &xt {
            let px = r.x(*f);
            area.draw(&PathElement::new(vec![(px, r.y0), (px, r.y1)], grid))
                .map_err(de)?;
        }
        for (f, _) in &yt {
            let py = r.y(*f);
            area.draw(&PathElement::new(vec![(r.x0, py), (r.x1, py)], grid))
                .map_err(de)?;
        }
        let axis = ShapeStyle::from(style::AXIS).stroke_width(1);
        area.draw(&PathElement::new(
            vec![(r.x0, r.y0), (r.x0, r.y1), (r.x1, r.y1)],
            axis,
        ))
        .map_err(de)?;
        let slot_px = (self.x.slot() * r.w() as f64) as i32;
        let every_px = if xt.len() > 1 {
            (r.w() / xt.len() as i32).max(20)
        } else {
            r.w()
        };
        for (f, l) in &xt {
            let px = r.x(*f);
            area.draw(&PathElement::new(vec![(px, r.y1), (px, r.y1 + 4)], axis))
                .map_err(de)?;
            let l = fit(area, l, &tick, slot_px.min(every_px) - 6);
            area.draw(&Text::new(l, (px, r.y1 + 6), tick.clone()))
                .map_err(de)?;
        }
        for (f, l) in &yt {
            let py = r.y(*f);
            area.draw(&PathElement::new(vec![(r.x0 - 4, py), (r.x0, py)], axis))
                .map_err(de)?;
            let l = fit(area, l, &ytick, 70);
            area.draw(&Text::new(l, (r.x0 - 6, py), ytick.clone()))
                .map_err(de)?;
        }
        let xn = fit(area, x_name, &label, r.w());
        area.draw(&Text::new(xn, ((r.x0 + r.x1) / 2, r.y1 + 24), label))
            .map_err(de)?;
        let yn = fit(area, y_name, &ylabel, r.w() + 40);
        area.draw(&Text::new(yn, (r.x0 - 40, r.y0 - 8), ylabel))
            .map_err(de)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_scales() {
        let s = Scale::numeric(&[0.001, 0.01, 0.1], true, 0.0, true);
        assert!(s.is_log());
        assert!((s.frac_num(0.01).unwrap_or(-1.0) - 0.5).abs() < 1e-9);
        let s = Scale::numeric(&[32.0, 128.0], true, 0.0, true);
        assert!(!s.is_log());
        let ticks: Vec<String> = s.ticks(5).into_iter().map(|t| t.1).collect();
        assert_eq!(ticks, ["32", "128"]);
        let s = Scale::numeric(&[1.0, 1.0], true, 0.0, true);
        assert!(s.frac_num(1.0).is_some_and(|f| (f - 0.5).abs() < 1e-9));
        let s = Scale::numeric(&[], true, 0.0, true);
        assert!(s.frac_num(0.5).is_some());
        let s = Scale::numeric(
            &[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
            true,
            0.0,
            true,
        );
        let ticks: Vec<String> = s.ticks(4).into_iter().map(|t| t.1).collect();
        assert_eq!(ticks, ["0.0", "0.5"]);
        let s = Scale::numeric(&[0.86, 0.87, 0.95], false, 0.0, false);
        assert!(
            s.ticks(5).iter().all(|t| t.1.len() == 4),
            "round ticks, not the values"
        );
    }

    #[test]
    fn categorical_scale() {
        let s = Scale::Categorical {
            values: vec!["a".into(), "b".into()],
        };
        assert_eq!(s.frac(&Val::Cat("b".into())), Some(0.75));
        assert_eq!(s.frac(&Val::Cat("c".into())), None);
        assert_eq!(s.frac_num(1.0), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(number(0.001), "0.001");
        assert_eq!(number(128.0), "128");
        assert_eq!(number(3e-5), "3e-5");
        assert_eq!(number(0.30000000000000004), "0.3");
        assert_eq!(nice_step(0.23), 0.5);
        assert_eq!(smaller_step(0.5), 0.2);
        assert_eq!(smaller_step(0.2), 0.1);
        assert_eq!(smaller_step(1.0), 0.5);
        let s = Scale::numeric(&[0.11, 0.29], false, 0.06, false);
        assert!(s.ticks(3).len() >= 3, "{:?}", s.ticks(3));
        assert_eq!(fmt_step(0.5, 0.5), "0.5");
    }
}
