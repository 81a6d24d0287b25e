//! Population-based training (`--method pbt --population P`), synchronous
//! as Katib's `pbt` and PaddleHub AutoDL's population-based evaluation run
//! it: trials `g·P … g·P+P−1` are generation `g`, member `m` of generation
//! `g` is trial `g·P+m`, and a generation starts when the previous one has
//! ended.
//!
//! * Generation 0 draws its hparams as `--method random` does (trial `i` of
//!   a seed) and starts from nothing (`{parent_checkpoint}` empty).
//! * Member `m` of generation `g > 0` continues the checkpoint of member `m`
//!   of generation `g−1` with the same hparams, unless that member is in the
//!   bottom [`QUANTILE`] of its generation by the objective (or has no
//!   value: failed, metrics unavailable). Then it *exploits*: it continues
//!   the checkpoint of a member of the top [`QUANTILE`] (picked by a seeded
//!   draw) and *explores* from that member's hparams: each one is resampled
//!   from the space with probability [`RESAMPLE`], else a real value is
//!   multiplied by 0.8 or 1.2 and a grid or categorical value moves to a
//!   neighbouring one (Ray Tune's defaults; Katib's `truncation_threshold`
//!   is the quantile). The quantile holds ⌈P·q⌉ members, at most P/2.
//! * If no member of the previous generation has a value, a member starts
//!   afresh with a random draw.
//!
//! Every trial gets `{checkpoint_dir}` (`DIR/<session>/checkpoint`, created
//! empty) and `{parent_checkpoint}` (the parent's `checkpoint_dir`, or empty)
//! as placeholders and as `HP_CHECKPOINT_DIR` / `HP_PARENT_CHECKPOINT`. A
//! trial reads its parent's checkpoint and writes its own; the runner copies
//! nothing (a finished parent's directory is never written again).
//!
//! Each decision depends only on the seed, the trial index and the journaled
//! results of the previous generation, and is journaled as a `lineage`
//! record before the member's first launch, so `--resume` after a SIGKILL
//! continues the same lineage.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::hparams::HParamValue;
use crate::rng::SplitMix64;
use crate::trainer::Trial;
use crate::tune::adaptive::trial_from_json;
use crate::tune::journal::{History, Lineage, Record, State};
use crate::tune::search::dims::{Dim, Dims};
use crate::tune::space::{format_value, Space};

/// Fraction of a generation in the bottom (replaced) and top (copied)
/// quantiles.
pub const QUANTILE: f64 = 0.25;
/// Probability that exploring resamples an hparam instead of perturbing it.
pub const RESAMPLE: f64 = 0.25;
/// Factors a real hparam is multiplied by when perturbed.
pub const FACTORS: [f64; 2] = [0.8, 1.2];
/// The placeholder (and `HP_CHECKPOINT_DIR`) of a member's own checkpoint.
pub const CHECKPOINT_DIR: &str = "checkpoint_dir";
/// The placeholder (and `HP_PARENT_CHECKPOINT`) of the checkpoint it continues.
pub const PARENT_CHECKPOINT: &str = "parent_checkpoint";
/// A member's checkpoint directory inside its session directory.
pub const CHECKPOINT_SUBDIR: &str = "checkpoint";

/// The population's state during a run, rebuilt from the journal.
#[derive(Debug)]
pub struct Pbt {
    population: u64,
    seed: u64,
    minimize: bool,
    space: Space,
    dims: Dims,
    lineage: BTreeMap<u64, Lineage>,
    /// Lineages already in the journal.
    journaled: BTreeSet<u64>,
    /// The hparams of every member launched.
    values: BTreeMap<u64, Trial>,
    /// Objective of every member that ended (None: no usable value).
    done: BTreeMap<u64, Option<f64>>,
    /// Session directory of each member's latest ended attempt.
    dirs: BTreeMap<u64, String>,
}

impl Pbt {
    /// The state of a population of `population` over `space`, with what
    /// the journal `h` says earlier runners did.
    pub fn new(space: &Space, seed: u64, population: u64, minimize: bool, h: &History) -> Self {
        let mut p = Pbt {
            population: population.max(1),
            seed,
            minimize,
            space: space.clone(),
            dims: Dims::new(space),
            lineage: h.lineage.clone(),
            journaled: h.lineage.keys().copied().collect(),
            values: BTreeMap::new(),
            done: BTreeMap::new(),
            dirs: BTreeMap::new(),
        };
        for (index, a) in h.latest() {
            p.values.insert(index, trial_from_json(&a.params));
            if let Some(end) = &a.end {
                p.ended(index, end.state, end.objective, &a.dir);
            }
        }
        p
    }

    /// Whether trial `index` may start: its whole previous generation ended.
    pub fn ready(&self, index: u64) -> bool {
        let g = index / self.population;
        g == 0
            || ((g - 1) * self.population..g * self.population).all(|i| self.done.contains_key(&i))
    }

    /// Trial `index` ended in `state` (in session `dir`).
    pub fn ended(&mut self, index: u64, state: State, objective: Option<f64>, dir: &str) {
        let value = match state {
            State::Succeeded | State::EarlyStopped => objective.filter(|v| !v.is_nan()),
            State::Killed | State::Interrupted => return,
            _ => None,
        };
        self.done.insert(index, value);
        self.dirs.insert(index, dir.to_string());
    }

    /// The hparams of trial `index` (its lineage decided now if it was not
    /// journaled before).
    pub fn values(&mut self, index: u64) -> Trial {
        // The decision is a function of the seed, the index and the
        // previous generation's journaled results: a journaled lineage is
        // decided again identically.
        let (trial, lineage) = self.decide(index);
        self.lineage.entry(index).or_insert(lineage);
        trial
    }

    /// Trial `index` launches with `values`.
    pub fn launched(&mut self, index: u64, values: &Trial) {
        self.values.insert(index, values.clone());
    }

    /// The journal record of trial `index`'s lineage, once.
    pub fn lineage_record(&mut self, index: u64) -> Option<Record> {
        let lineage = self.lineage.get(&index)?.clone();
        self.journaled.insert(index).then_some(Record::Lineage {
            trial: index,
            lineage,
        })
    }

    /// `{checkpoint_dir}` and `{parent_checkpoint}` of trial `index` in
    /// session `dir` of the experiment `root`.
    pub fn checkpoints(&self, index: u64, root: &Path, dir: &str) -> [(String, String); 2] {
        let abs = |d: &str| {
            let p = root.join(d).join(CHECKPOINT_SUBDIR);
            std::path::absolute(&p).unwrap_or(p).display().to_string()
        };
        let parent = self
            .lineage
            .get(&index)
            .and_then(|l| l.parent)
            .and_then(|p| self.dirs.get(&p))
            .map_or(String::new(), |d| abs(d));
        [
            (CHECKPOINT_DIR.to_string(), abs(dir)),
            (PARENT_CHECKPOINT.to_string(), parent),
        ]
    }

    /// The previous generation's members ranked best first (no value last,
    /// ties by index).
    fn ranked(&self, g: u64) -> Vec<(u64, Option<f64>)> {
        let p = self.population;
        let mut r: Vec<(u64, Option<f64>)> = ((g - 1) * p..g * p)
            .map(|i| (i, self.done.get(&i).copied().flatten()))
            .collect();
        let sign = if self.minimize { 1.0 } else { -1.0 };
        r.sort_by(|a, b| match (a.1, b.1) {
            (Some(x), Some(y)) => (sign * x).total_cmp(&(sign * y)).then(a.0.cmp(&b.0)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.0.cmp(&b.0),
        });
        r
    }

    /// Exploit and explore for trial `index`: its values and lineage.
    fn decide(&self, index: u64) -> (Trial, Lineage) {
        let p = self.population;
        let (g, m) = (index / p, index % p);
        let fresh = |parent: Option<u64>| {
            let lineage = Lineage {
                generation: g,
                member: m,
                parent,
                exploit: false,
                explore: Vec::new(),
            };
            (self.space.sample(self.seed, index), lineage)
        };
        if g == 0 {
            return fresh(None);
        }
        let ranked = self.ranked(g);
        let cut = ((p as f64 * QUANTILE).ceil() as usize).min(p as usize / 2);
        let top: Vec<u64> = ranked[..cut]
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(i, _)| *i)
            .collect();
        let bottom: Vec<u64> = ranked[ranked.len() - cut..]
            .iter()
            .map(|(i, _)| *i)
            .collect();
        let own = (g - 1) * p + m;
        let own_value = self.done.get(&own).copied().flatten();
        if own_value.is_some() && !bottom.contains(&own) {
            if let Some(v) = self.values.get(&own) {
                let lineage = Lineage {
                    generation: g,
                    member: m,
                    parent: Some(own),
                    exploit: false,
                    explore: Vec::new(),
                };
                return (v.clone(), lineage);
            }
        }
        let mut rng =
            SplitMix64::new(self.seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x05ee_d9b7);
        let Some(&parent) = top.get(rng.below(top.len() as u64) as usize) else {
            return fresh(None);
        };
        let Some(base) = self.values.get(&parent) else {
            return fresh(None);
        };
        let (trial, explore) = self.explore(base, &mut rng);
        let lineage = Lineage {
            generation: g,
            member: m,
            parent: Some(parent),
            exploit: true,
            explore,
        };
        (trial, lineage)
    }

    /// Perturbs `base`: each searched hparam resampled or nudged; returns
    /// the new values and what changed.
    fn explore(&self, base: &Trial, rng: &mut SplitMix64) -> (Trial, Vec<String>) {
        let mut coords = Vec::with_capacity(self.dims.len());
        for (name, dim) in &self.dims.dims {
            let value = base.get(name);
            let c = match value.and_then(|v| dim.coord(v)) {
                Some(c) if rng.next_f64() >= RESAMPLE => nudge(dim, c, value, rng),
                _ => dim.random(rng),
            };
            coords.push(c);
        }
        let trial = self.dims.trial(&coords);
        let changed = self
            .dims
            .dims
            .iter()
            .filter_map(|(name, _)| {
                let (old, new) = (base.get(name), trial.get(name)?);
                (old != Some(new)).then(|| {
                    let old = old.map_or("-".to_string(), format_value);
                    format!("{name} {old}→{}", format_value(new))
                })
            })
            .collect();
        (trial, changed)
    }
}

/// A perturbed coordinate: a real times 0.8 or 1.2, a grid or choice index
/// one step either way (clamped into the dim later).
fn nudge(dim: &Dim, c: f64, value: Option<&HParamValue>, rng: &mut SplitMix64) -> f64 {
    let up = rng.below(2) == 1;
    match dim {
        Dim::Real { log, .. } => {
            let x = value.and_then(HParamValue::as_f64).unwrap_or(c);
            let y = x * if up { FACTORS[1] } else { FACTORS[0] };
            if *log {
                y.ln()
            } else {
                y
            }
        }
        Dim::Grid { .. } | Dim::Cat(_) => c + if up { 1.0 } else { -1.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> Space {
        Space::from_args(&[
            "lr=loguniform(0.001,1)".to_string(),
            "opt=choice(a,b,c)".to_string(),
            "k=int(1,9)".to_string(),
        ])
        .unwrap()
    }

    /// A population of 4 whose generation 0 ended with `values`.
    fn after_gen0(values: [Option<f64>; 4], minimize: bool) -> Pbt {
        let mut p = Pbt::new(&space(), 7, 4, minimize, &History::default());
        for (i, v) in values.into_iter().enumerate() {
            let i = i as u64;
            let t = p.values(i);
            p.launched(i, &t);
            let state = if v.is_some() {
                State::Succeeded
            } else {
                State::Failed
            };
            p.ended(i, state, v, &format!("trial-{i:04}"));
        }
        p
    }

    #[test]
    fn bottom_member_exploits_the_top_and_explores() {
        let mut p = after_gen0([Some(0.5), Some(0.9), Some(0.1), Some(0.7)], false);
        assert!(p.ready(4) && p.ready(7) && !p.ready(8));
        let kept: Vec<Trial> = (4..8).map(|i| p.values(i)).collect();
        // Member 2 (0.1) was worst: it continues trial 1 (0.9, the best).
        let l = &p.lineage[&6];
        assert_eq!(
            (l.generation, l.member, l.parent, l.exploit),
            (1, 2, Some(1), true)
        );
        assert!(!l.explore.is_empty(), "{l:?}");
        assert_ne!(kept[2], p.values[&1]);
        // The others continue their own line with the same values.
        for (m, own) in [(0, 0u64), (1, 1), (3, 3)] {
            let l = &p.lineage[&(4 + m)];
            assert_eq!((l.parent, l.exploit), (Some(own), false));
            assert_eq!(kept[m as usize], p.values[&own]);
        }
        // Explored values stay in the space.
        let lr = kept[2].get_f64("lr").unwrap();
        assert!((0.001..=1.0).contains(&lr), "{lr}");
        assert!(p.lineage_record(6).is_some() && p.lineage_record(6).is_none());
    }

    #[test]
    fn failed_members_count_as_bottom_and_decisions_are_reproducible() {
        let mut a = after_gen0([None, Some(0.2), Some(0.3), Some(0.4)], true);
        let mut b = after_gen0([None, Some(0.2), Some(0.3), Some(0.4)], true);
        let l = {
            a.values(4);
            a.lineage[&4].clone()
        };
        assert_eq!((l.parent, l.exploit), (Some(1), true));
        assert_eq!(a.values(4), b.values(4));
        assert_eq!(a.lineage[&4], b.lineage[&4]);
        let dirs = a.checkpoints(4, Path::new("/x"), "trial-0004");
        assert_eq!(dirs[0].1, "/x/trial-0004/checkpoint");
        assert_eq!(dirs[1].1, "/x/trial-0001/checkpoint");
        // Nobody to copy: start afresh.
        let mut c = after_gen0([None, None, None, None], true);
        c.values(5);
        assert_eq!(c.lineage[&5].parent, None);
    }
}
