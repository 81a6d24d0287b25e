//! Text laid out glyph by glyph with ab_glyph, for every backend.
//!
//! plotters 0.3.7 draws each glyph of a string at the pen position without
//! its left side bearing (`ab_glyph.rs` draws the outline's pixels relative
//! to their bounding box and never adds `px_bounds().min.x`), so a glyph
//! whose ink starts far right of its origin (`-`: ~0.1 em) is drawn too far
//! left and one whose ink starts left of it (`_`: below 0) too far right:
//! `run -88` and `epoch _loss`. Every ASCII glyph is off by its bearing.
//!
//! [`Glyphs`] wraps a backend. In a raster image it draws text itself: each
//! glyph placed at its pen position (advances plus kerning) with its
//! bearing, at the em size and baseline the SVG backend asks a browser for
//! (`font-size` = size / 1.24; `dy` 0.76 em, 0.5 ex, −0.5 ex for top, centre,
//! bottom), so PNG and SVG text agree. For every backend it measures text
//! the same way, so labels are elided to what is drawn.

use std::sync::OnceLock;

use ab_glyph::{point, Font, FontRef, GlyphId, PxScale, ScaleFont};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontTransform,
};

use crate::plot::style;

/// The embedded font, parsed once (`None` would only mean corrupt bytes).
fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(style::FONT).ok())
        .as_ref()
}

/// A line of text: each glyph with its pen position, and the total advance.
pub(crate) struct Layout {
    /// ab_glyph's scale for an em of `size / 1.24` pixels.
    pub scale: PxScale,
    /// (glyph, pen x in pixels from the start of the line).
    pub glyphs: Vec<(GlyphId, f32)>,
    /// The advance of the whole line in pixels.
    pub width: f32,
    /// The em in pixels.
    pub em: f32,
}

impl Layout {
    /// `text` at plotters' font `size`, laid out with advances and kerning.
    pub(crate) fn new(font: &FontRef<'_>, size: f64, text: &str) -> Layout {
        let em = (size / 1.24) as f32;
        let upem = font.units_per_em().unwrap_or(2048.0);
        let scale = PxScale::from(em * font.height_unscaled() / upem);
        let scaled = font.as_scaled(scale);
        let mut glyphs = Vec::with_capacity(text.len());
        let mut pen = 0.0f32;
        let mut prev: Option<GlyphId> = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                pen += scaled.kern(p, id);
            }
            glyphs.push((id, pen));
            pen += scaled.h_advance(id);
            prev = Some(id);
        }
        Layout {
            scale,
            glyphs,
            width: pen,
            em,
        }
    }
}

/// The font's x-height in pixels at `em` (for SVG's `ex`).
fn x_height(font: &FontRef<'_>, em: f32) -> f32 {
    let upem = font.units_per_em().unwrap_or(2048.0);
    let xh = font
        .outline(font.glyph_id('x'))
        .map(|o| o.bounds.max.y)
        .unwrap_or(upem / 2.0);
    xh / upem * em
}

/// A backend whose text is laid out by [`Layout`]; drawn by it too when
/// `raster` (bitmaps), left to the inner backend otherwise (SVG text is laid
/// out by the viewer).
pub(crate) struct Glyphs<B> {
    inner: B,
    raster: bool,
}

impl<B: DrawingBackend> Glyphs<B> {
    /// Wraps `inner`; `raster` for a pixel backend.
    pub(crate) fn new(inner: B, raster: bool) -> Self {
        Glyphs { inner, raster }
    }

    /// Draws `text` glyph by glyph; `false` if it cannot (no font, rotated).
    fn draw_glyphs<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<bool, DrawingErrorKind<B::ErrorType>> {
        let Some(font) = font() else { return Ok(false) };
        if !matches!(style.transform(), FontTransform::None) {
            return Ok(false);
        }
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(true);
        }
        let layout = Layout::new(font, style.size(), text);
        let anchor = style.anchor();
        let left = pos.0 as f32
            - match anchor.h_pos {
                HPos::Left => 0.0,
                HPos::Center => layout.width / 2.0,
                HPos::Right => layout.width,
            };
        let baseline = pos.1 as f32
            + match anchor.v_pos {
                VPos::Top => 0.76 * layout.em,
                VPos::Center => 0.5 * x_height(font, layout.em),
                VPos::Bottom => -0.5 * x_height(font, layout.em),
            };
        let (w, h) = self.inner.get_size();
        let mut result = Ok(());
        for &(id, pen) in &layout.glyphs {
            let glyph = id.with_scale_and_position(layout.scale, point(left + pen, baseline));
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let b = outline.px_bounds();
            let inner = &mut self.inner;
            outline.draw(|x, y, coverage| {
                let (px, py) = (b.min.x as i32 + x as i32, b.min.y as i32 + y as i32);
                let inside = px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h;
                if coverage > 0.0 && inside && result.is_ok() {
                    let c = BackendColor {
                        alpha: color.alpha * f64::from(coverage.min(1.0)),
                        rgb: color.rgb,
                    };
                    result = inner.draw_pixel((px, py), c);
                }
            });
        }
        result.map(|()| true)
    }
}

impl<B: DrawingBackend> DrawingBackend for Glyphs<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        if self.raster && self.draw_glyphs(text, style, pos)? {
            return Ok(());
        }
        self.inner.draw_text(text, style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<B::ErrorType>> {
        match font() {
            Some(font) => {
                let l = Layout::new(font, style.size(), text);
                Ok((l.width.ceil() as u32, l.em.ceil() as u32))
            }
            None => self.inner.estimate_text_size(text, style),
        }
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;

    /// Columns with ink after drawing `text` left-aligned at x = 10.
    fn ink_columns(text: &str, size: f64) -> Vec<bool> {
        let (w, h) = (120u32, 60u32);
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        {
            let area =
                Glyphs::new(BitMapBackend::with_buffer(&mut rgb, (w, h)), true).into_drawing_area();
            let ts = style::text(size, BLACK, HPos::Left, VPos::Center);
            area.draw(&Text::new(text.to_string(), (10, 30), ts))
                .unwrap();
        }
        (0..w as usize)
            .map(|x| (0..h as usize).any(|y| rgb[(y * w as usize + x) * 3] < 200))
            .collect()
    }

    /// The columns where the reference layout puts ink: each glyph's
    /// outline bounds (font units, scaled) from its pen position, the pen
    /// moved by the font's advance widths and kerning pairs, read from
    /// ab_glyph directly rather than through [`Layout`].
    fn reference_columns(text: &str, size: f64) -> Vec<(f32, f32)> {
        let font = font().unwrap();
        let upem = font.units_per_em().unwrap();
        let per_unit = (size / 1.24) as f32 / upem;
        let mut pen = 10.0f32;
        let mut prev = None;
        let mut spans = Vec::new();
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                pen += font.kern_unscaled(p, id) * per_unit;
            }
            if let Some(o) = font.outline(id) {
                spans.push((
                    pen + o.bounds.min.x * per_unit,
                    pen + o.bounds.max.x * per_unit,
                ));
            }
            pen += font.h_advance_unscaled(id) * per_unit;
            prev = Some(id);
        }
        spans
    }

    #[test]
    fn every_ascii_glyph_sits_where_the_font_puts_it() {
        style::register();
        for c in (0x21u8..0x7f).map(char::from) {
            for text in [format!("H{c}"), format!("{c}H"), format!("m{c}{c}n")] {
                let ink = ink_columns(&text, 20.0);
                let spans = reference_columns(&text, 20.0);
                // Coverage under 20 % leaves no ink, so allow a pixel at
                // each edge of a span.
                let near = |x: usize| {
                    let x = x as f32;
                    spans.iter().any(|&(a, b)| x >= a - 1.5 && x <= b + 0.5)
                };
                for (x, _) in ink.iter().enumerate().filter(|(_, i)| **i) {
                    assert!(near(x), "{text:?}: ink at x={x}, glyphs at {spans:?}");
                }
                for &(a, b) in &spans {
                    if b - a >= 2.0 {
                        let mid = ((a + b) / 2.0) as usize;
                        let any = (a.ceil() as usize..=b.floor() as usize).any(|x| ink[x]);
                        assert!(any, "{text:?}: no ink in {a}..{b} (mid {mid})");
                    }
                }
            }
        }
    }

    #[test]
    fn measured_width_is_the_sum_of_advances() {
        let font = font().unwrap();
        let l = Layout::new(font, 20.0, "run -88 epoch_loss");
        let upem = font.units_per_em().unwrap();
        let per_unit = (20.0 / 1.24) as f32 / upem;
        let sum: f32 = "run -88 epoch_loss"
            .chars()
            .map(|c| font.h_advance_unscaled(font.glyph_id(c)) * per_unit)
            .sum();
        // DejaVu Sans has no kerning pairs among these.
        assert!((l.width - sum).abs() < 0.5, "{} vs {sum}", l.width);
    }
}
