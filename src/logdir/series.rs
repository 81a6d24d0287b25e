//! A scalar time series, summarised while it streams in.
//!
//! A logdir can hold millions of points; the table needs a handful of numbers
//! per series. [`Series`] keeps the last, first, smallest and largest points
//! and a count — constant memory — plus, only when asked for by
//! [`SeriesOptions`], the whole curve, a tail of the last N points, or the
//! point at one step.

use std::collections::VecDeque;

use serde::Serialize;

/// One scalar datum.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Point {
    /// Training step.
    pub step: i64,
    /// Seconds since the epoch.
    pub wall_time: f64,
    /// The value (scalars are f32 on disk, widened exactly).
    pub value: f64,
}

/// What a [`Series`] keeps beyond its constant-size summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeriesOptions {
    /// Keep every point (for curves and plots).
    pub curves: bool,
    /// Keep the last `tail` points (for a mean over the last N).
    pub tail: usize,
    /// Keep the last point written at this step.
    pub at_step: Option<i64>,
}

/// A scalar series of one (run, tag).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Points read.
    pub count: u64,
    /// The first point read.
    pub first: Point,
    /// The last point read: TensorBoard's value for the hparams table (its
    /// loaders always keep the newest point).
    pub last: Point,
    /// The point with the smallest value (NaN ignored; the first of ties).
    pub min: Option<Point>,
    /// The point with the largest value (NaN ignored; the first of ties).
    pub max: Option<Point>,
    /// Every point in read order, if curves were asked for.
    pub points: Vec<Point>,
    /// The last points, if a tail was asked for.
    pub tail: VecDeque<Point>,
    /// The last point at the requested step.
    pub at_step: Option<Point>,
}

impl Series {
    /// A series starting with `p`.
    pub fn new(p: Point, opts: &SeriesOptions) -> Self {
        let mut s = Series {
            count: 0,
            first: p,
            last: p,
            min: None,
            max: None,
            points: Vec::new(),
            // Grown as points arrive: N may be large and most series short.
            tail: VecDeque::with_capacity(opts.tail.min(64)),
            at_step: None,
        };
        s.push(p, opts);
        s
    }

    /// Adds the next point.
    #[inline]
    pub fn push(&mut self, p: Point, opts: &SeriesOptions) {
        self.count += 1;
        self.last = p;
        if !p.value.is_nan() {
            if self.min.is_none_or(|m| p.value < m.value) {
                self.min = Some(p);
            }
            if self.max.is_none_or(|m| p.value > m.value) {
                self.max = Some(p);
            }
        }
        if opts.curves {
            self.points.push(p);
        }
        if opts.tail > 0 {
            if self.tail.len() == opts.tail {
                self.tail.pop_front();
            }
            self.tail.push_back(p);
        }
        if opts.at_step == Some(p.step) {
            self.at_step = Some(p);
        }
    }
}
