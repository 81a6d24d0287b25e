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

#[inline(always)]
fn set(p: &mut Point, step: i64, wall_time: f64, value: f64) {
    p.step = step;
    p.wall_time = wall_time;
    p.value = value;
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
            tail: VecDeque::with_capacity(opts.tail),
            at_step: None,
        };
        s.push(p, opts);
        s
    }

    /// Adds the next point.
    ///
    /// Always inlined: it runs once per scalar event, and called out of line
    /// the point went through the stack and its reload stalled on store
    /// forwarding (17% of the reader).
    #[inline(always)]
    pub fn push(&mut self, p: Point, opts: &SeriesOptions) {
        self.count += 1;
        // Field by field: copying the whole `Point` made the compiler store
        // it to the stack in halves and reload it whole, a store-forwarding
        // stall on every event.
        let Point {
            step,
            wall_time,
            value,
        } = p;
        set(&mut self.last, step, wall_time, value);
        if !value.is_nan() {
            match &mut self.min {
                Some(m) if value < m.value => set(m, step, wall_time, value),
                Some(_) => {}
                None => self.min = Some(p),
            }
            match &mut self.max {
                Some(m) if value > m.value => set(m, step, wall_time, value),
                Some(_) => {}
                None => self.max = Some(p),
            }
        }
        if opts.curves || opts.tail > 0 || opts.at_step.is_some() {
            self.push_extras(p, opts);
        }
    }

    /// The optional keeps of [`Series::push`], off the hot path.
    #[inline(never)]
    fn push_extras(&mut self, p: Point, opts: &SeriesOptions) {
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
