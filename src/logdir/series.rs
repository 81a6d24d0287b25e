//! A scalar time series, summarised while it streams in.
//!
//! A logdir can hold millions of points; the table needs a handful of numbers
//! per series. [`Series`] keeps the last, first, smallest and largest points
//! and a count — constant memory — plus, only when asked for by
//! [`SeriesOptions`], the whole curve, a tail of the last N points, or the
//! point at one step. [`ScalarMap`] holds the series of a run or session.

use std::borrow::Borrow;
use std::collections::VecDeque;
use std::fmt;
use std::ops::Index;
use std::sync::Arc;

use serde::Serialize;

use crate::sorted_map::SortedMap;

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
///
/// Kept small: a logdir of 10,000 short sessions holds 60,000 of them. The
/// extras of a mean over the last N points or of one step, rarely asked
/// for, live behind one pointer ([`Series::tail`], [`Series::at_step`]).
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
    /// The tail and the point at a step, if either was asked for.
    extras: Option<Box<Extras>>,
}

/// What a [`Series`] keeps for [`SeriesOptions::tail`] and
/// [`SeriesOptions::at_step`].
#[derive(Clone, Debug, Default, PartialEq)]
struct Extras {
    tail: VecDeque<Point>,
    at_step: Option<Point>,
}

impl Extras {
    /// Out of line: [`Series::push`] is inlined into the reader's loop.
    #[inline(never)]
    fn push(&mut self, p: Point, opts: &SeriesOptions) {
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
            extras: (opts.tail > 0 || opts.at_step.is_some()).then(|| {
                Box::new(Extras {
                    // Grown as points arrive: N may be large and most series short.
                    tail: VecDeque::with_capacity(opts.tail.min(64)),
                    at_step: None,
                })
            }),
        };
        s.push(p, opts);
        s
    }

    /// Adds the next point.
    #[inline(always)]
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
        if let Some(x) = &mut self.extras {
            x.push(p, opts);
        }
    }

    /// The last points, oldest first, if a tail was asked for (else empty).
    pub fn tail(&self) -> &VecDeque<Point> {
        static EMPTY: VecDeque<Point> = VecDeque::new();
        self.extras.as_ref().map_or(&EMPTY, |x| &x.tail)
    }

    /// The last point at the requested step, if one was asked for and read.
    pub fn at_step(&self) -> Option<Point> {
        self.extras.as_ref().and_then(|x| x.at_step)
    }
}

/// The scalar series of a run (by tag) or of a session (by [`MetricKey`]):
/// a map sorted by key, like a `BTreeMap`, but stored as one vector of
/// shared series ([`SortedMap`]).
///
/// Logdirs of many short sessions have a few series per run; a `BTreeMap`
/// allocates room for eleven in its first node, and a session used to copy
/// every series of its runs. Here a run's series take one allocation each,
/// and a session refers to the same ones (cloning a map clones pointers).
///
/// [`MetricKey`]: crate::logdir::MetricKey
#[derive(Clone, PartialEq)]
pub struct ScalarMap<K> {
    entries: SortedMap<K, Arc<Series>>,
}

impl<K> Default for ScalarMap<K> {
    fn default() -> Self {
        ScalarMap {
            entries: SortedMap::default(),
        }
    }
}

impl<K: Ord> ScalarMap<K> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of series.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True without series.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The series under `key`.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&Series>
    where
        K: Borrow<Q>,
    {
        self.entries.get(key).map(|s| &**s)
    }

    /// True if there is a series under `key`.
    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.entries.contains_key(key)
    }

    /// Puts `series` under `key`, replacing any series there.
    pub fn insert(&mut self, key: K, series: Series) {
        self.insert_shared(key, Arc::new(series));
    }

    /// Puts a shared series under `key`, replacing any series there.
    pub(crate) fn insert_shared(&mut self, key: K, series: Arc<Series>) {
        self.entries.insert(key, series);
    }

    /// Gives back spare capacity.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
    }

    /// Keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.keys()
    }

    /// Series in key order.
    pub fn values(&self) -> impl Iterator<Item = &Series> {
        self.entries.values().map(|s| &**s)
    }

    /// (key, series) in key order.
    pub fn iter(&self) -> Iter<'_, K> {
        self.entries.iter().map(entry_ref)
    }

    /// (key, shared series) in key order.
    pub(crate) fn iter_shared(&self) -> impl Iterator<Item = (&K, &Arc<Series>)> {
        self.entries.iter()
    }
}

fn entry_ref<'a, K>(e: (&'a K, &'a Arc<Series>)) -> (&'a K, &'a Series) {
    (e.0, &**e.1)
}

/// The iterator of [`ScalarMap::iter`].
pub type Iter<'a, K> = std::iter::Map<
    crate::sorted_map::Iter<'a, K, Arc<Series>>,
    fn((&'a K, &'a Arc<Series>)) -> (&'a K, &'a Series),
>;

impl<'a, K: Ord> IntoIterator for &'a ScalarMap<K> {
    type Item = (&'a K, &'a Series);
    type IntoIter = Iter<'a, K>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<K: Ord> FromIterator<(K, Series)> for ScalarMap<K> {
    /// Later entries replace earlier ones with the same key, as in a
    /// `BTreeMap`.
    fn from_iter<I: IntoIterator<Item = (K, Series)>>(iter: I) -> Self {
        ScalarMap {
            entries: iter.into_iter().map(|(k, s)| (k, Arc::new(s))).collect(),
        }
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized> Index<&Q> for ScalarMap<K> {
    type Output = Series;
    /// The series under `key`; panics without one (like `BTreeMap`'s).
    fn index(&self, key: &Q) -> &Series {
        match self.get(key) {
            Some(s) => s,
            None => panic!("no series under that key"),
        }
    }
}

impl<K: fmt::Debug> fmt::Debug for ScalarMap<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.entries.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(v: f64) -> Series {
        let p = Point {
            step: 0,
            wall_time: 0.0,
            value: v,
        };
        Series::new(p, &SeriesOptions::default())
    }

    #[test]
    fn scalar_map_sorts_and_replaces_like_a_btreemap() {
        let m: ScalarMap<String> = [("b", 1.0), ("a", 2.0), ("b", 3.0)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), series(v)))
            .collect();
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(m["b"].last.value, 3.0);
        assert!(m.contains_key("a") && !m.contains_key("c"));
        let mut m2 = m.clone();
        m2.insert("c".into(), series(4.0));
        m2.insert("a".into(), series(5.0));
        let got: Vec<(&String, f64)> = m2.iter().map(|(k, s)| (k, s.last.value)).collect();
        assert_eq!(got.len(), 3);
        assert_eq!((got[0].1, got[2].1), (5.0, 4.0));
        assert_eq!(
            m.get("a").map(|s| s.last.value),
            Some(2.0),
            "clone is separate"
        );
    }
}
