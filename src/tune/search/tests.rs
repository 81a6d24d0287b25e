//! Tests of the samplers: reproducibility, staying inside the space, no
//! copy of a running trial, and quality against random search on Branin.

use super::problems::{run, Problem};
use super::*;
use crate::hparams::HParamValue;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        0.5 * (xs[n / 2 - 1] + xs[n / 2])
    }
}

/// Every kind of parameter, for the inside-the-space tests.
fn every_kind() -> Space {
    use crate::tune::space::{Param, ParamKind};
    let p = |name: &str, kind| Param {
        name: name.to_string(),
        kind,
    };
    Space {
        params: vec![
            p("lr", ParamKind::LogUniform { lo: 1e-5, hi: 1e-1 }),
            p("x", ParamKind::Uniform { lo: -2.0, hi: 3.0 }),
            p("layers", ParamKind::Int { lo: 1, hi: 6 }),
            p(
                "units",
                ParamKind::Range {
                    start: 16.0,
                    stop: 129.0,
                    step: 16.0,
                },
            ),
            p(
                "ratio",
                ParamKind::Range {
                    start: 0.1,
                    stop: 0.9,
                    step: 0.2,
                },
            ),
            p(
                "dropout",
                ParamKind::QUniform {
                    lo: 0.0,
                    hi: 0.5,
                    q: 0.1,
                },
            ),
            p(
                "opt",
                ParamKind::Choice(vec![
                    HParamValue::Str("adam".into()),
                    HParamValue::Str("x; rm -rf ~".into()),
                    HParamValue::Bool(true),
                    HParamValue::Int(7),
                ]),
            ),
            p("const", ParamKind::Const(HParamValue::Str("fixed".into()))),
        ],
    }
}

/// True when `t` holds exactly the space's parameters, each a legal value.
fn inside(t: &Trial) -> Result<(), String> {
    let bad = |n: &str| Err(format!("{n} out of the space in {t}"));
    let lr = t.get_f64("lr").unwrap_or(-1.0);
    if !(1e-5..=1e-1).contains(&lr) {
        return bad("lr");
    }
    if !(-2.0..=3.0).contains(&t.get_f64("x").unwrap_or(9.0)) {
        return bad("x");
    }
    if !matches!(t.get("layers"), Some(HParamValue::Int(1..=6))) {
        return bad("layers");
    }
    match t.get("units") {
        Some(HParamValue::Int(u)) if (16..=128).contains(u) && u % 16 == 0 => {}
        _ => return bad("units"),
    }
    let ratio = t.get_f64("ratio").unwrap_or(-1.0);
    let k = (ratio - 0.1) / 0.2;
    if !((k - k.round()).abs() < 1e-9 && (0.0..=3.0).contains(&k.round())) {
        return bad("ratio");
    }
    let d = t.get_f64("dropout").unwrap_or(-1.0) / 0.1;
    if !((d - d.round()).abs() < 1e-9 && (0.0..=5.0).contains(&d.round())) {
        return bad("dropout");
    }
    let opt_ok = matches!(t.get("opt"), Some(HParamValue::Str(s)) if s == "adam" || s == "x; rm -rf ~")
        || matches!(
            t.get("opt"),
            Some(HParamValue::Bool(true)) | Some(HParamValue::Int(7))
        );
    if !opt_ok {
        return bad("opt");
    }
    if t.get_str("const") != Some("fixed") || t.len() != 8 {
        return bad("const");
    }
    Ok(())
}

fn samplers() -> Vec<(&'static str, Box<dyn Sampler>)> {
    vec![
        ("tpe", Box::new(Tpe::default())),
        (
            "tpe-univariate",
            Box::new(Tpe {
                multivariate: false,
                ..Tpe::default()
            }),
        ),
        (
            "tpe-random-start",
            Box::new(Tpe {
                latin_start: false,
                ..Tpe::default()
            }),
        ),
        ("cmaes", Box::new(CmaEs::default())),
        ("gp", Box::new(Gp::default())),
        ("random", Box::new(RandomSearch)),
    ]
}

/// A made-up objective over `every_kind`, some trials failing.
fn objective(t: &Trial) -> Option<f64> {
    let lr = t.get_f64("lr")?;
    if t.get_i64("layers")? == 6 {
        return None;
    }
    Some((lr.log10() + 3.0).powi(2) + t.get_f64("x")?.powi(2) + t.get_f64("dropout")?)
}

/// Runs 40 trials, 4 at a time: each proposal sees the 3 still running.
fn run_parallel(s: &dyn Sampler, space: &Space, seed: u64) -> Vec<Trial> {
    let mut done: Vec<Observation> = Vec::new();
    let mut running: Vec<Trial> = Vec::new();
    let mut all = Vec::new();
    for i in 0..40u64 {
        let t = s.suggest(space, seed, i, &done, &running, true);
        if let Err(e) = inside(&t) {
            panic!("{e}");
        }
        assert!(
            !running.contains(&t),
            "trial {i} copies a running trial: {t}"
        );
        all.push(t.clone());
        running.push(t);
        if running.len() == 4 {
            let t = running.remove(0);
            done.push(Observation {
                value: objective(&t),
                trial: t,
            });
        }
    }
    all
}

#[test]
fn proposals_stay_inside_the_space_and_avoid_running_trials() {
    let space = every_kind();
    for (name, s) in samplers() {
        for seed in 0..3 {
            let trials = run_parallel(s.as_ref(), &space, seed);
            assert_eq!(trials.len(), 40, "{name}");
        }
    }
}

#[test]
fn same_seed_same_trials_other_seed_other_trials() {
    let space = every_kind();
    for (name, s) in samplers() {
        let a = run_parallel(s.as_ref(), &space, 7);
        let b = run_parallel(s.as_ref(), &space, 7);
        let c = run_parallel(s.as_ref(), &space, 8);
        assert_eq!(a, b, "{name} is not reproducible");
        assert_ne!(a, c, "{name} ignores the seed");
    }
}

#[test]
fn a_small_grid_is_not_proposed_twice_while_running() {
    use crate::tune::space::{Param, ParamKind};
    // 2 × 2 points, 3 running: the one free point must come out.
    let space = Space {
        params: vec![
            Param {
                name: "a".into(),
                kind: ParamKind::Int { lo: 0, hi: 1 },
            },
            Param {
                name: "b".into(),
                kind: ParamKind::Choice(vec![
                    HParamValue::Str("x".into()),
                    HParamValue::Str("y".into()),
                ]),
            },
        ],
    };
    let running: Vec<Trial> = [(0, "x"), (0, "y"), (1, "x")]
        .iter()
        .map(|(a, b)| Trial::new().with("a", *a as i64).with("b", *b))
        .collect();
    let done: Vec<Observation> = (0..12)
        .map(|i| Observation {
            trial: Trial::new().with("a", (i % 2) as i64).with("b", "x"),
            value: Some(i as f64),
        })
        .collect();
    for (name, s) in samplers() {
        for seed in 0..5 {
            let t = s.suggest(&space, seed, 20, &done, &running, true);
            assert_eq!(t, Trial::new().with("a", 1i64).with("b", "y"), "{name}");
        }
    }
}

#[test]
fn values_read_back_from_logs_count_as_running() {
    // A running trial read back from a log has floats where we wrote ints.
    let dims = dims::Dims::new(&every_kind());
    let t = Trial::new().with("layers", 3.0).with("units", 32.0);
    let c = dims.coords(&t);
    assert_eq!(c[2], Some(2.0));
    assert_eq!(c[3], Some(1.0));
    assert_eq!(c[0], None);
}

/// Median over seeds 0..10 of the best value after `n` trials.
fn median_best(s: &dyn Sampler, problem: Problem, n: usize) -> f64 {
    median(
        (0..10)
            .map(|seed| *run(s, problem, seed, n).last().unwrap_or(&f64::NAN))
            .collect(),
    )
}

#[test]
fn tpe_beats_random_on_branin() {
    // Not timed: median best after 30 trials over 10 seeds (Optuna's TPE:
    // 0.680 over 20 seeds, random 1.46; see docs/benchmarks.md).
    let med = |s: &dyn Sampler| median_best(s, Problem::Branin, 30);
    let tpe = med(&Tpe::default());
    let random = med(&RandomSearch);
    assert!(tpe < random, "tpe {tpe} vs random {random}");
    assert!(tpe < 1.0, "tpe median best {tpe}");
}

#[test]
fn gp_finds_the_branin_minimum() {
    // Issue 14's target: within 0.1 of 0.3979 in at least 8 of 10 seeds
    // after 30 trials (not timed).
    let gp = Gp::default();
    let hits = (0..10)
        .filter(|&seed| {
            let best = *run(&gp, Problem::Branin, seed, 30)
                .last()
                .unwrap_or(&f64::NAN);
            best < Problem::Branin.optimum() + 0.1
        })
        .count();
    assert!(hits >= 8, "{hits} of 10 seeds within 0.1 of the minimum");
}

#[test]
fn cmaes_beats_random_on_hartmann6() {
    let med = |s: &dyn Sampler| median_best(s, Problem::Hartmann6, 60);
    let cma = med(&CmaEs::default());
    let random = med(&RandomSearch);
    assert!(cma < random, "cmaes {cma} vs random {random}");
}

#[test]
fn cmaes_converges_on_a_sphere() {
    use crate::tune::space::{Param, ParamKind};
    // A shifted sphere: CMA-ES must home in, which a wrong update would not.
    let space = Space {
        params: ["a", "b", "c"]
            .iter()
            .map(|n| Param {
                name: n.to_string(),
                kind: ParamKind::Uniform { lo: -1.0, hi: 1.0 },
            })
            .collect(),
    };
    let f = |t: &Trial| {
        let g = |n| t.get_f64(n).unwrap_or(f64::NAN);
        (g("a") - 0.3).powi(2) + (g("b") + 0.2).powi(2) + (g("c") - 0.5).powi(2)
    };
    let s = CmaEs::default();
    let mut done = Vec::new();
    let mut best = f64::INFINITY;
    for i in 0..200 {
        let t = s.suggest(&space, 1, i, &done, &[], true);
        let v = f(&t);
        best = best.min(v);
        done.push(Observation {
            trial: t,
            value: Some(v),
        });
    }
    assert!(best < 1e-4, "best {best}");
}

#[test]
fn maximising_minus_f_proposes_what_minimising_f_does() {
    let space = Problem::Branin.space();
    for (name, s) in samplers() {
        let (mut lo, mut hi) = (Vec::new(), Vec::new());
        for i in 0..25 {
            let a = s.suggest(&space, 3, i, &lo, &[], true);
            let b = s.suggest(&space, 3, i, &hi, &[], false);
            assert_eq!(a, b, "{name} trial {i}");
            let v = Problem::Branin.eval(&a);
            lo.push(Observation {
                trial: a,
                value: Some(v),
            });
            hi.push(Observation {
                trial: b,
                value: Some(-v),
            });
        }
    }
}

#[test]
fn methods_by_name_and_decisions_as_json() {
    for m in ["tpe", "cmaes", "gp", "random"] {
        assert!(sampler(m).is_some(), "{m}");
    }
    assert!(sampler("bayes").is_none());
    let d = Decision::Stop(Evidence {
        rule: "asha",
        bracket: None,
        step: 3,
        rung: 3,
        value: 0.7,
        compared: vec![0.5],
        cut: Some(0.5),
        why: "rank 1/2 > 1/3".into(),
    });
    let json = serde_json::to_string(&d).unwrap_or_default();
    assert_eq!(
        json,
        r#"{"Stop":{"rule":"asha","step":3,"rung":3,"value":0.7,"compared":[0.5],"cut":0.5,"why":"rank 1/2 > 1/3"}}"#
    );
}
