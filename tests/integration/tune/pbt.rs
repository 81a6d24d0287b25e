//! `--method pbt --population P` end to end with `pbt_member.py`, whose
//! score adds gain(x) to the score of the checkpoint it continues: the
//! lineage in the journal, the checkpoints passed along it, exploit of the
//! top quantile by the bottom one, improvement over generation 0, every
//! member a TensorBoard session, `tune status`, and a SIGKILL of the runner
//! then `--resume` keeping the lineage of an uninterrupted run.

use super::*;

/// Lineage records by trial: (generation, member, parent, exploit);
/// fails on a trial journaled twice.
fn lineages(dir: &Path) -> BTreeMap<u64, (u64, u64, Option<u64>, bool)> {
    let mut out = BTreeMap::new();
    for r in records(dir) {
        if let Record::Lineage { trial, lineage: l } = r {
            let prev = out.insert(trial, (l.generation, l.member, l.parent, l.exploit));
            assert!(prev.is_none(), "lineage of trial {trial} journaled twice");
        }
    }
    out
}

/// x of each trial's latest launch.
fn xs(dir: &Path) -> BTreeMap<u64, f64> {
    launched_params(dir)
        .into_iter()
        .map(|(t, p)| (t, p["x"].as_f64().expect("x")))
        .collect()
}

/// What a member saved: its score and the x of each generation of its line.
fn saved(dir: &Path, session: &str) -> (f64, Vec<f64>) {
    let path = dir.join(session).join("checkpoint/state.json");
    let v: Value = serde_json::from_slice(&std::fs::read(&path).expect("state.json"))
        .expect("state.json is JSON");
    let xs = v["xs"].as_array().expect("xs");
    (
        v["score"].as_f64().expect("score"),
        xs.iter().map(|x| x.as_f64().expect("x")).collect(),
    )
}

fn pbt_cmd<'a>(py: &'a str, s: &'a str, sleep: &'a str) -> Vec<&'a str> {
    vec![
        py,
        s,
        "{checkpoint_dir}",
        "{parent_checkpoint}",
        "--sleep",
        sleep,
    ]
}

#[test]
fn pbt_exploits_the_top_members_and_improves_on_generation_zero() {
    let Some(py) = python() else { return };
    let t = tmp();
    let dir = t.path().join("exp");
    let s = script("pbt_member.py");
    let o = tune(
        &dir,
        &["x=uniform(0,1)"],
        "--objective score:max --method pbt --population 4 -n 16 -j 4 --seed 3 -q",
        &pbt_cmd(py, &s, "0"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let e = ends(&dir);
    assert_eq!(e.len(), 16, "{e:?}");
    assert!(e.iter().all(|t| t.2 == State::Succeeded), "{e:?}");
    let score: BTreeMap<u64, f64> = e.iter().map(|t| (t.0, t.3.expect("score"))).collect();
    let lin = lineages(&dir);
    let x = xs(&dir);
    assert_eq!(lin.len(), 16);
    let mut exploits = 0;
    for (&trial, &(g, m, parent, exploit)) in &lin {
        assert_eq!((g, m), (trial / 4, trial % 4));
        let (own_score, line) = saved(&dir, &journal::attempt_dir(trial, 1));
        assert!((own_score - score[&trial]).abs() < 1e-9);
        let Some(p) = parent else {
            assert_eq!(g, 0);
            assert_eq!(line, vec![x[&trial]]);
            continue;
        };
        // It continued its parent's checkpoint: the parent's line plus itself.
        assert_eq!(p / 4, g - 1, "trial {trial}: parent {p}");
        let (_, parent_line) = saved(&dir, &journal::attempt_dir(p, 1));
        assert_eq!(line[..line.len() - 1], parent_line[..], "trial {trial}");
        let prev: Vec<u64> = ((g - 1) * 4..g * 4).collect();
        let best = *prev
            .iter()
            .max_by(|a, b| score[a].total_cmp(&score[b]))
            .expect("gen");
        let worst = *prev
            .iter()
            .min_by(|a, b| score[a].total_cmp(&score[b]))
            .expect("gen");
        let own = (g - 1) * 4 + m;
        if exploit {
            // The bottom quarter (1 of 4) copies the top quarter, perturbed.
            exploits += 1;
            assert_eq!((own, p), (worst, best), "trial {trial}");
            assert!((0.0..=1.0).contains(&x[&trial]));
        } else {
            assert_eq!(p, own, "trial {trial}");
            assert_eq!(x[&trial], x[&p], "trial {trial}");
        }
    }
    assert_eq!(exploits, 3, "one per generation after the first: {lin:?}");
    let best_of = |g: u64| {
        (g * 4..g * 4 + 4)
            .map(|i| score[&i])
            .fold(f64::MIN, f64::max)
    };
    assert!(best_of(3) > best_of(0), "{score:?}");

    // TensorBoard: every member a session with its x and SUCCESS.
    let ld = logdir::load(&dir, &LoadOptions::default()).expect("load");
    assert_eq!(ld.sessions.len(), 16);
    assert!(ld.sessions.iter().all(|s| s.status == Status::Success));
    assert!(ld.sessions.iter().all(|s| s.hparams.contains_key("x")));
    let st = run(&["tune", "status", path_str(&dir)]);
    assert!(st.status.success(), "{}", text(&st));
    assert_contains(&st, "pbt: population 4, generation 4 of 4");
    assert_contains(&st, "(exploit; x ");
}

#[test]
fn pbt_needs_a_population_and_keeps_its_placeholders_apart() {
    let Some(py) = python() else { return };
    let t = tmp();
    let s = script("pbt_member.py");
    let cmd = pbt_cmd(py, &s, "0");
    let o = tune(
        &t.path().join("a"),
        &["x=uniform(0,1)"],
        "--objective score:max --method pbt",
        &cmd,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_contains(&o, "--population");
    let o = tune(
        &t.path().join("b"),
        &["x=uniform(0,1)"],
        "--objective score:max --method random",
        &cmd,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_contains(&o, "{checkpoint_dir}");
}

#[test]
fn pbt_resumed_after_sigkill_keeps_the_lineage_of_an_uninterrupted_run() {
    let Some(py) = python() else { return };
    let t = tmp();
    let s = script("pbt_member.py");
    let cmd = pbt_cmd(py, &s, "0.3");
    let args = |dir: &Path, resume: bool| -> Vec<String> {
        let mut a: Vec<String> = ["tune", "--logdir", path_str(dir), "-p", "x=uniform(0,1)"]
            .iter()
            .map(|x| x.to_string())
            .collect();
        if resume {
            a.push("--resume".into());
        }
        for o in "--objective score:max --method pbt --population 3 -n 9 -j 3 --seed 11 -q"
            .split(' ')
            .chain(["--"])
            .chain(cmd.iter().copied())
        {
            a.push(o.to_string());
        }
        a
    };
    let as_strs = |v: &[String]| v.iter().map(String::clone).collect::<Vec<String>>();
    let a = t.path().join("a");
    let o = hp(&as_strs(&args(&a, false))
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>())
    .output()
    .expect("run");
    assert!(o.status.success(), "{}", text(&o));

    // Killed once generation 0 has ended and generation 1 is running.
    let b = t.path().join("b");
    let first = as_strs(&args(&b, false));
    let mut child = hp(&first.iter().map(String::as_str).collect::<Vec<_>>())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    wait_until("generation 1 to start", Duration::from_secs(60), || {
        b.join(journal::JOURNAL_FILE).exists() && lineages(&b).len() >= 4
    });
    child.kill().expect("SIGKILL");
    wait_child(&mut child, Duration::from_secs(10));
    let before = lineages(&b);
    let resumed = as_strs(&args(&b, true));
    let o = hp(&resumed.iter().map(String::as_str).collect::<Vec<_>>())
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", text(&o));

    let (want, got) = (lineages(&a), lineages(&b));
    assert_eq!(got.len(), 9);
    assert_eq!(
        got, want,
        "the lineage differs from the uninterrupted run's"
    );
    for (t, l) in &before {
        assert_eq!(got.get(t), Some(l), "trial {t}'s journaled lineage changed");
    }
    assert_eq!(xs(&b), xs(&a));
    // Every trial succeeded once (its latest attempt), with the same score.
    let (sa, _) = succeeded(&a);
    let (sb, nb) = succeeded(&b);
    assert_eq!(sa.len(), 9);
    assert_eq!(sb, sa);
    assert!(nb.values().all(|&n| n == 1), "{nb:?}");
}
