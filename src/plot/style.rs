//! The look shared by every plot: the embedded font (registered once, so
//! text renders without system fonts), text styles, the categorical palette,
//! the metric colour scale, line transparency by count, and sizes.

use std::sync::Once;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle, TextStyle};

/// DejaVu Sans (Bitstream Vera licence, see `assets/DejaVuSans.LICENSE`).
pub(crate) static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// The family name every text style uses.
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers the embedded font under [`FAMILY`]; idempotent.
pub(crate) fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are ours and valid; a failure would show as missing
        // text, not a crash.
        let _ = register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// Title size in pixels.
pub(crate) const TITLE: f64 = 20.0;
/// Axis names and legend entries.
pub(crate) const LABEL: f64 = 15.0;
/// Tick labels.
pub(crate) const TICK: f64 = 13.0;

/// Text colour.
pub(crate) const INK: RGBColor = RGBColor(33, 37, 41);
/// Axis lines and tick labels.
pub(crate) const AXIS: RGBColor = RGBColor(90, 96, 104);
/// Grid lines.
pub(crate) const GRID: RGBColor = RGBColor(228, 231, 235);
/// Lines of sessions that are not highlighted, or lack the metric.
pub(crate) const FAINT: RGBColor = RGBColor(150, 155, 162);

/// A text style of `size` px in `color`, anchored at `h`/`v`.
pub(crate) fn text(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: (FAMILY, size).into_font(),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// Tableau 10: distinct hues for highlighted sessions and logdirs.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The `i`-th categorical colour (cycles after 10).
pub(crate) fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Viridis control points, 0 → 1.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

/// The upper end of viridis used: pure yellow is unreadable on white.
const SCALE_TOP: f64 = 0.86;

/// The metric colour scale at `t` ∈ [0, 1] (0 worst, 1 best): viridis from
/// dark purple to yellow-green, stopping short of yellow.
pub(crate) fn scale(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    } * SCALE_TOP;
    let x = t * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Opacity for one of `n` overlapping lines: opaque for a handful, faint
/// enough at hundreds that density shows.
pub(crate) fn line_alpha(n: usize) -> f64 {
    (12.0 / n.max(1) as f64).sqrt().clamp(0.12, 0.9)
}

/// Stroke width for one of `n` lines.
pub(crate) fn line_width(n: usize) -> u32 {
    if n <= 30 {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_ends_and_clamps() {
        assert_eq!(scale(0.0), RGBColor(68, 1, 84));
        assert_eq!(scale(-1.0), scale(0.0));
        assert_eq!(scale(f64::NAN), scale(0.0));
        assert_eq!(scale(2.0), scale(1.0));
        assert_ne!(scale(1.0), RGBColor(253, 231, 37));
    }

    #[test]
    fn alpha_falls_with_count() {
        assert!(line_alpha(2) > line_alpha(100));
        assert!(line_alpha(100) > line_alpha(500) - 1e-9);
        assert!(line_alpha(100_000) >= 0.12);
    }
}
