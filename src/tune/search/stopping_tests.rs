//! The early-stopping rules on hand-built tables (the rules as
//! docs/runner-notes.md states them) and on the decisions Syne Tune's ASHA
//! and Optuna's MedianPruner took on random report sequences
//! (tests/data/stopping_oracle.json, made by bench/stopping_oracle.py).

use super::*;

fn reports(trial: u64, points: &[(u64, f64)], finished: bool) -> Reports {
    Reports {
        trial,
        points: points.to_vec(),
        finished,
    }
}

fn asha(eta: u64, max: Option<u64>) -> Rule {
    Rule::Asha { grace: 1, eta, max }
}

fn is_stop(d: &Decision) -> bool {
    matches!(d, Decision::Stop(_))
}

#[test]
fn asha_first_at_a_rung_continues_then_rank_decides() {
    let r = asha(3, None);
    let mut table = vec![reports(0, &[(1, 0.5)], false)];
    match r.decide(&table, 0, true) {
        Decision::Continue(Some(e)) => assert_eq!(e.why, "first trial at rung 1"),
        d => panic!("{d:?}"),
    }
    // 0.7 against [0.5]: 1 better of 2, 1/2 > 1/3: stop.
    table.push(reports(1, &[(1, 0.7)], false));
    match r.decide(&table, 1, true) {
        Decision::Stop(e) => {
            assert_eq!((e.rung, e.value, e.compared.clone()), (1, 0.7, vec![0.5]));
            assert_eq!(e.cut, Some(0.5));
            assert_eq!(e.why, "rank 1/2 > 1/3");
        }
        d => panic!("{d:?}"),
    }
    // 0.4 is the best: continue.
    table.push(reports(2, &[(1, 0.4)], false));
    assert!(!is_stop(&r.decide(&table, 2, true)));
    // 0.45 among [0.5, 0.7, 0.4]: 1 better of 4, 1/4 ≤ 1/3: continue;
    // 0.6: 2 of 4 > 1/3: stop.
    table.push(reports(3, &[(1, 0.45)], false));
    match r.decide(&table, 3, true) {
        Decision::Continue(Some(e)) => {
            assert_eq!((e.cut, e.why.as_str()), (Some(0.45), "rank 1/4 ≤ 1/3"))
        }
        d => panic!("{d:?}"),
    }
    table[3].points[0].1 = 0.6;
    assert!(is_stop(&r.decide(&table, 3, true)));
    // Maximising turns the ranking round: 0.6 is then second best of 4.
    assert!(!is_stop(&r.decide(&table, 3, false)));
}

#[test]
fn asha_records_at_the_highest_unrecorded_rung_and_stops_at_max() {
    let r = asha(3, Some(27));
    // Steps 2, 10, 11: recorded at rung 1, then 9, then 3 (Syne Tune's order).
    let me = reports(0, &[(2, 0.1), (10, 0.2), (11, 0.3)], false);
    let other = reports(1, &[(1, 0.0), (3, 0.0), (9, 0.0)], false);
    let table = vec![me.clone(), other];
    match r.decide(&table, 0, true) {
        Decision::Stop(e) => assert_eq!((e.rung, e.value), (3, 0.3)),
        d => panic!("{d:?}"),
    }
    // A report between rungs decides nothing.
    let mut t2 = table.clone();
    t2[0].points = vec![(1, 0.1), (2, 0.5)];
    assert_eq!(r.decide(&t2, 0, true), Decision::Continue(None));
    // At max every trial stops.
    t2[0].points.push((27, 0.0));
    match r.decide(&t2, 0, true) {
        Decision::Stop(e) => assert_eq!(e.why, "reached max=27"),
        d => panic!("{d:?}"),
    }
}

#[test]
fn hyperband_compares_within_a_bracket_only() {
    let rule: Rule = "hyperband:grace=1,eta=3,max=27"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let Rule::Hyperband { brackets, .. } = rule else {
        panic!("{rule:?}")
    };
    assert_eq!(brackets, 4);
    // Brackets follow the allocation 27·4/4, 9·4/3, 3·4/2, 4/1 = 27, 12, 6, 4.
    let mut count = [0usize; 4];
    for t in 0..4900u64 {
        count[bracket_of(t, 3, 4)] += 1;
    }
    let share: Vec<f64> = count.iter().map(|c| *c as f64 / 4900.0).collect();
    for (s, want) in share
        .iter()
        .zip([27.0 / 49.0, 12.0 / 49.0, 6.0 / 49.0, 4.0 / 49.0])
    {
        assert!((s - want).abs() < 0.03, "{share:?}");
    }
    // Two trials of bracket 0 and one of bracket 1: bracket 0's first rung
    // (1) ignores bracket 1's values.
    let b0: Vec<u64> = (0..)
        .filter(|t| bracket_of(*t, 3, 4) == 0)
        .take(2)
        .collect();
    let b1 = (0..).find(|t| bracket_of(*t, 3, 4) == 1).unwrap_or(0);
    let table = vec![
        reports(b1, &[(3, 0.0)], false),
        reports(b0[0], &[(1, 0.2)], false),
        reports(b0[1], &[(1, 0.3)], false),
    ];
    match rule.decide(&table, b0[1], true) {
        Decision::Stop(e) => assert_eq!((e.bracket, e.compared.clone()), (Some(0), vec![0.2])),
        d => panic!("{d:?}"),
    }
    // Bracket 1's first rung is 3.
    match rule.decide(&table, b1, true) {
        Decision::Continue(Some(e)) => assert_eq!((e.bracket, e.rung), (Some(1), 3)),
        d => panic!("{d:?}"),
    }
}

#[test]
fn median_is_optunas_median_of_finished_trials_against_best_so_far() {
    let r = Rule::Median {
        warmup: 2,
        min_trials: 3,
        max: None,
    };
    let mut table = vec![
        reports(0, &[(1, 5.0), (2, 1.0), (3, 0.9)], true),
        reports(1, &[(1, 5.0), (2, 2.0), (3, 1.8)], true),
        reports(9, &[(1, 0.5), (2, 3.0)], false),
    ];
    // Two finished trials < min_trials 3: no decision.
    assert_eq!(r.decide(&table, 9, true), Decision::Continue(None));
    table.push(reports(2, &[(1, 5.0), (2, 4.0)], true));
    table.push(reports(3, &[(1, 5.0), (2, 9.0)], true));
    // Best so far 0.5 (step 1) against the median of [1, 2, 4, 9] at step 2,
    // 3.0: continue, though the latest value 3.0 is worse.
    match r.decide(&table, 9, true) {
        Decision::Continue(Some(e)) => {
            assert_eq!((e.value, e.cut, e.rung), (0.5, Some(3.0), 2));
        }
        d => panic!("{d:?}"),
    }
    // A trial whose best is 4.0 against the same median 3.0: stop.
    table.push(reports(7, &[(1, 4.0), (2, 4.5)], false));
    match r.decide(&table, 7, true) {
        Decision::Stop(e) => assert_eq!((e.value, e.cut, e.compared.len()), (4.0, Some(3.0), 4)),
        d => panic!("{d:?}"),
    }
    // Maximising: best 4.5 beats the median 3.0.
    assert!(!is_stop(&r.decide(&table, 7, false)));
    // Before the warm-up step: no decision.
    table[5].points.truncate(1);
    assert_eq!(r.decide(&table, 7, true), Decision::Continue(None));
}

#[test]
fn katib_median_is_a_mean_of_per_trial_averages() {
    let r: Rule = "katib-median:start_step=2,min_trials=3"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let table = vec![
        reports(0, &[(1, 1.0), (2, 3.0), (3, 0.5)], true), // average of first 2: 2
        reports(1, &[(1, 2.0), (2, 2.0)], true),           // 2
        reports(2, &[(1, 5.0), (2, 3.0)], true),           // 4
        reports(3, &[(1, 3.0)], false),
        reports(4, &[(1, 3.0), (2, 2.7)], false),
        reports(5, &[(1, 3.0), (2, 2.6)], false),
    ];
    // One report < start_step 2: nothing yet.
    assert_eq!(r.decide(&table, 3, true), Decision::Continue(None));
    // Mean of [2, 2, 4] = 8/3 ≈ 2.667: 2.7 stops, 2.6 continues.
    match r.decide(&table, 4, true) {
        Decision::Stop(e) => {
            assert_eq!(e.compared, vec![2.0, 2.0, 4.0]);
            assert!((e.cut.unwrap_or(0.0) - 8.0 / 3.0).abs() < 1e-12);
        }
        d => panic!("{d:?}"),
    }
    assert!(!is_stop(&r.decide(&table, 5, true)));
}

#[test]
fn specs_parse_and_print_back() {
    for (spec, canon) in [
        ("asha", "asha:grace=1,eta=3"),
        ("asha:grace=1,eta=3,max=81", "asha:grace=1,eta=3,max=81"),
        ("asha: eta = 4 ", "asha:grace=1,eta=4"),
        (
            "hyperband:max=81",
            "hyperband:grace=1,eta=3,max=81,brackets=5",
        ),
        (
            "hyperband:grace=3,max=81,brackets=2",
            "hyperband:grace=3,eta=3,max=81,brackets=2",
        ),
        ("median", "median:warmup=0,min_trials=5"),
        (
            "median:warmup=5,min_trials=3",
            "median:warmup=5,min_trials=3",
        ),
        ("katib-median", "katib-median:start_step=4,min_trials=3"),
    ] {
        let r: Rule = spec.parse().unwrap_or_else(|e| panic!("{spec}: {e}"));
        assert_eq!(r.to_string(), canon);
        assert_eq!(canon.parse::<Rule>(), Ok(r));
    }
    for (spec, msg) in [
        ("sha", "--early-stop sha: unknown rule `sha` (expected asha, hyperband, median or katib-median)"),
        ("asha:grace=0", "--early-stop asha:grace=0: grace must be at least 1, got 0"),
        ("asha:eta=1", "--early-stop asha:eta=1: eta must be at least 2, got 1"),
        ("asha:eta=2.5", "--early-stop asha:eta=2.5: eta=`2.5` is not a whole number"),
        ("asha:warmup=3", "--early-stop asha:warmup=3: unknown key `warmup` for asha (expected grace, eta, max)"),
        ("asha:max", "--early-stop asha:max: `max` is not KEY=VALUE"),
        ("asha:eta=3,eta=4", "--early-stop asha:eta=3,eta=4: `eta` given twice"),
        ("asha:grace=9,max=3", "--early-stop asha:grace=9,max=3: max (3) must be at least grace (9)"),
        ("hyperband", "--early-stop hyperband: hyperband needs max=R, the step at which trials end"),
        (
            "hyperband:max=9,brackets=4",
            "--early-stop hyperband:max=9,brackets=4: brackets must be between 1 and 3 (the rungs from grace=1 to max=9), got 4",
        ),
        ("median:min_trials=0", "--early-stop median:min_trials=0: min_trials must be at least 1, got 0"),
    ] {
        match spec.parse::<Rule>() {
            Err(e) => assert_eq!(e.to_string(), msg),
            Ok(r) => panic!("{spec} parsed as {r:?}"),
        }
    }
}

/// The oracle file's decisions, replayed report by report.
#[test]
fn decisions_equal_syne_tune_asha_and_optuna_median_pruner() {
    let oracle: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/data/stopping_oracle.json"))
            .unwrap_or_else(|e| panic!("{e}"));
    let num = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let int = |v: &serde_json::Value| v.as_u64().unwrap_or(0);
    let mut checked = 0;
    for case in oracle["asha"].as_array().into_iter().flatten() {
        let (grace, eta, max, brackets) = (
            int(&case["grace"]),
            int(&case["eta"]),
            int(&case["max"]),
            int(&case["brackets"]) as usize,
        );
        let rule = if brackets > 1 {
            Rule::Hyperband {
                grace,
                eta,
                max,
                brackets,
            }
        } else {
            Rule::Asha {
                grace,
                eta,
                max: Some(max),
            }
        };
        let minimize = case["minimize"].as_bool().unwrap_or(true);
        checked += replay(&rule, minimize, case["events"].as_array(), |e| {
            ("report", int(&e[0]), int(&e[1]), num(&e[2]), e[3].as_str())
        });
    }
    for case in oracle["median"].as_array().into_iter().flatten() {
        let rule = Rule::Median {
            warmup: int(&case["warmup"]),
            min_trials: int(&case["min_trials"]) as usize,
            max: None,
        };
        let minimize = case["minimize"].as_bool().unwrap_or(true);
        checked += replay(&rule, minimize, case["events"].as_array(), |e| {
            let kind = if e[0] == "complete" {
                "complete"
            } else {
                "report"
            };
            (kind, int(&e[1]), int(&e[2]), num(&e[3]), e[4].as_str())
        });
    }
    assert!(checked > 1500, "only {checked} decisions checked");
}

type Event<'a> = (&'static str, u64, u64, f64, Option<&'a str>);

/// Feeds events into a table; after each report compares our decision with
/// the oracle's. Returns the number of decisions compared.
fn replay<'a>(
    rule: &Rule,
    minimize: bool,
    events: Option<&'a Vec<serde_json::Value>>,
    read: impl Fn(&'a serde_json::Value) -> Event<'a>,
) -> usize {
    let mut table: Vec<Reports> = Vec::new();
    let mut n = 0;
    for (i, e) in events.into_iter().flatten().enumerate() {
        let (kind, trial, step, value, want) = read(e);
        let pos = match table.iter().position(|r| r.trial == trial) {
            Some(p) => p,
            None => {
                table.push(reports(trial, &[], false));
                table.len() - 1
            }
        };
        if kind == "complete" {
            table[pos].finished = true;
            continue;
        }
        table[pos].points.push((step, value));
        let got = if is_stop(&rule.decide(&table, trial, minimize)) {
            "stop"
        } else {
            "continue"
        };
        assert_eq!(Some(got), want, "{rule} minimize={minimize}: event {i} {e}");
        n += 1;
    }
    n
}

#[test]
fn median_with_max_ends_a_trial_at_its_budget_instead_of_cutting_it() {
    let r: Rule = "median:warmup=1,min_trials=2,max=3".parse().expect("rule");
    assert_eq!(r.to_string(), "median:warmup=1,min_trials=2,max=3");
    let table = vec![
        reports(0, &[(1, 1.0), (2, 0.5), (3, 0.1)], true),
        reports(1, &[(1, 1.0), (2, 0.5), (3, 0.2)], true),
        reports(9, &[(1, 2.0), (2, 2.0)], false),
    ];
    // Worse than the median at step 2: stopped, with the comparison.
    match r.decide(&table, 9, true) {
        Decision::Stop(e) => assert!(e.cut.is_some(), "{e:?}"),
        d => panic!("{d:?}"),
    }
    // At step 3 = max it is just as bad, but it ran its budget.
    let mut table = table;
    table[2] = reports(9, &[(1, 2.0), (2, 2.0), (3, 2.0)], false);
    match r.decide(&table, 9, true) {
        Decision::Stop(e) => assert_eq!((e.why.as_str(), e.cut), ("reached max=3", None)),
        d => panic!("{d:?}"),
    }
    assert!("median:max=0".parse::<Rule>().is_err());
    assert_eq!(
        "median".parse::<Rule>().expect("rule").to_string(),
        "median:warmup=0,min_trials=5"
    );
}
