//! Table-driven tests of the SPEC grammar, grids, draws, domains, the
//! fingerprint and the space-file dialects with their bound conventions.

use super::*;
use crate::hparams::{Domain, HParamValue as V};

fn kind(arg: &str) -> ParamKind {
    match Param::parse_arg(arg) {
        Ok(p) => p.kind,
        Err(e) => panic!("{arg}: {e}"),
    }
}

fn s(x: &str) -> V {
    V::Str(x.to_string())
}

#[test]
fn specs_parse() {
    use ParamKind::*;
    let cases: Vec<(&str, ParamKind)> = vec![
        ("opt=choice(adam, sgd)", Choice(vec![s("adam"), s("sgd")])),
        (
            "bs=choice(16,32, 64)",
            Choice(vec![V::Int(16), V::Int(32), V::Int(64)]),
        ),
        (
            "d=choice(0.1, .5, 1e-3, 2)",
            Choice(vec![
                V::Float(0.1),
                V::Float(0.5),
                V::Float(0.001),
                V::Int(2),
            ]),
        ),
        (
            "b=choice(true, False)",
            Choice(vec![V::Bool(true), V::Bool(false)]),
        ),
        (
            r#"x=choice("a,b", 'c)d', " e ")"#,
            Choice(vec![s("a,b"), s("c)d"), s(" e ")]),
        ),
        (r#"x=choice("1", "2")"#, Choice(vec![s("1"), s("2")])),
        (
            r#"x=choice("say \"hi\"", 'it\'s')"#,
            Choice(vec![s("say \"hi\""), s("it's")]),
        ),
        ("x=choice(x; rm -rf ~)", Choice(vec![s("x; rm -rf ~")])),
        ("lr=uniform(0, 1)", Uniform { lo: 0.0, hi: 1.0 }),
        ("lr=loguniform(1e-5,1e-1)", LogUniform { lo: 1e-5, hi: 0.1 }),
        ("units=int(32, 512)", Int { lo: 32, hi: 512 }),
        ("n=int(-3,-3)", Int { lo: -3, hi: -3 }),
        (
            "bs=range(16,129,16)",
            Range {
                start: 16.0,
                stop: 129.0,
                step: 16.0,
            },
        ),
        (
            "k=range(0,5)",
            Range {
                start: 0.0,
                stop: 5.0,
                step: 1.0,
            },
        ),
        (
            "k=range(10,0,-3)",
            Range {
                start: 10.0,
                stop: 0.0,
                step: -3.0,
            },
        ),
        (
            "d=quniform(0, 0.5, 0.1)",
            QUniform {
                lo: 0.0,
                hi: 0.5,
                q: 0.1,
            },
        ),
        (
            "d=qloguniform(1, 1000, 10)",
            QLogUniform {
                lo: 1.0,
                hi: 1000.0,
                q: 10.0,
            },
        ),
        (
            "d=steps(0.1, 0.5, 0.1)",
            Stepped {
                lo: 0.1,
                hi: 0.5,
                step: 0.1,
            },
        ),
        (
            "w=normal(0, 1)",
            Normal {
                mu: 0.0,
                sigma: 1.0,
                q: None,
            },
        ),
        (
            "w=qlognormal(0, 1, 2)",
            LogNormal {
                mu: 0.0,
                sigma: 1.0,
                q: Some(2.0),
            },
        ),
        ("epochs=20", Const(V::Int(20))),
        ("lr=1e-3", Const(V::Float(0.001))),
        ("opt=adam", Const(s("adam"))),
        ("flag=true", Const(V::Bool(true))),
        ("msg= hello world ", Const(s("hello world"))),
        (r#"f="relu(x)""#, Const(s("relu(x)"))),
        ("n=inf", Const(s("inf"))),
        ("a.b-c_d=1", Const(V::Int(1))),
        ("x=  uniform ( 1 , 2 )  ", Uniform { lo: 1.0, hi: 2.0 }),
    ];
    for (arg, want) in cases {
        assert_eq!(kind(arg), want, "{arg}");
    }
}

#[test]
fn spec_errors_name_parameter_and_position() {
    // (arg, substring of the message, position in the SPEC)
    let cases: &[(&str, &str, Option<usize>)] = &[
        ("lr", "expected NAME=SPEC", None),
        ("=uniform(0,1)", "name is empty", None),
        ("l r=1", "character 2", None),
        ("lr=", "empty SPEC", Some(1)),
        ("lr=uniform(1,)", "expected a value", Some(11)),
        ("lr=uniform(1,x)", "expected a number, got \"x\"", Some(11)),
        ("lr=uniform(1)", "takes 2 arguments, got 1", Some(10)),
        ("lr=uniform(1,2,3)", "takes 2 arguments, got 3", Some(13)),
        ("lr=uniform(2,1)", "below the lower bound", Some(11)),
        ("lr=uniform(0,1", "missing ')'", Some(12)),
        ("lr=uniform(0,1) x", "after ')'", Some(14)),
        ("lr=loguniform(0,1)", "must be > 0", Some(12)),
        ("n=int(1.5,3)", "expected an integer", Some(5)),
        ("n=int(5,1)", "below the lower bound", Some(7)),
        ("k=range(0,1,0)", "must not be 0", Some(11)),
        ("k=range(5,1)", "is empty", Some(9)),
        ("d=quniform(0,1,-1)", "q must be > 0", Some(14)),
        (
            "x=choice(1, a)",
            "must all be numbers, all strings or all bools",
            Some(11),
        ),
        ("x=choice(a, \"b)", "unclosed", Some(11)),
        ("x=choice(a(b))", "unexpected '('", Some(9)),
        ("x=unifrom(0,1)", "unknown function \"unifrom\"", Some(1)),
        ("x=interval(0,1)", "unknown function", Some(1)),
    ];
    for (arg, want, pos) in cases {
        let e = Param::parse_arg(arg).expect_err(arg).message;
        assert!(e.contains(want), "{arg}: {e}");
        if let Some(pos) = pos {
            assert!(e.contains(&format!("at character {pos} of")), "{arg}: {e}");
            let name = arg.split('=').next().unwrap_or("");
            assert!(e.contains(&format!("parameter {name:?}")), "{arg}: {e}");
        }
    }
}

#[test]
fn duplicate_names_are_an_error() {
    let args = vec!["lr=0.1".to_string(), "lr=uniform(0,1)".to_string()];
    let e = Space::from_args(&args).unwrap_err();
    assert!(e.message.contains("\"lr\" is given twice"), "{e}");
}

#[test]
fn format_value_prints_ints_as_ints() {
    let cases = [
        (V::Int(32), "32"),
        (V::Float(32.0), "32"),
        (V::Float(0.001), "0.001"),
        (V::Float(1e-5), "0.00001"),
        (V::Float(-2.5), "-2.5"),
        (V::Bool(true), "true"),
        (s("x; rm -rf ~"), "x; rm -rf ~"),
    ];
    for (v, want) in cases {
        assert_eq!(format_value(&v), want);
    }
}

fn grid_of(arg: &str) -> Vec<String> {
    let space = Space::from_args(&[arg.to_string()]).unwrap();
    let name = &space.params[0].name;
    space
        .grid()
        .unwrap()
        .iter()
        .map(|t| format_value(t.get(name).unwrap()))
        .collect()
}

#[test]
fn grids_enumerate_exactly() {
    let cases: &[(&str, &str)] = &[
        ("x=choice(b, a)", "b a"),
        ("x=int(1,4)", "1 2 3 4"),
        ("x=range(0,5)", "0 1 2 3 4"),
        ("x=range(16,129,16)", "16 32 48 64 80 96 112 128"),
        (
            "x=range(0, 1, 0.1)",
            "0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9",
        ),
        ("x=range(0, 1.0001, 0.25)", "0 0.25 0.5 0.75 1"),
        ("x=range(10,0,-3)", "10 7 4 1"),
        ("x=range(0.5, 2)", "0.5 1.5"),
        ("x=steps(0.1, 0.5, 0.1)", "0.1 0.2 0.3 0.4 0.5"),
        ("x=steps(1, 10, 4)", "1 5 9"),
        ("x=quniform(0, 0.5, 0.1)", "0 0.1 0.2 0.3 0.4 0.5"),
        ("x=quniform(32, 256, 32)", "32 64 96 128 160 192 224 256"),
        // NNI's clip(round(x/q)·q, lo, hi): clipped ends are values too.
        ("x=quniform(1, 10, 3)", "1 3 6 9"),
        ("x=quniform(1, 11, 3)", "1 3 6 9 11"),
        ("x=7", "7"),
    ];
    for (arg, want) in cases {
        assert_eq!(grid_of(arg).join(" "), *want, "{arg}");
    }
}

#[test]
fn grid_values_of_whole_numbers_are_ints() {
    let space =
        Space::from_args(&["bs=range(16,65,16)".into(), "q=quniform(0,1,0.5)".into()]).unwrap();
    let g = space.grid().unwrap();
    assert_eq!(g.len(), 12);
    assert_eq!(g[0].get("bs"), Some(&V::Int(16)));
    assert_eq!(g[1].get("q"), Some(&V::Float(0.5)));
    // q = 0.5 is not whole, so its values are floats even where whole.
    assert_eq!(g[2].get("q"), Some(&V::Float(1.0)));
    // First parameter varies slowest.
    assert_eq!(g[3].get("bs"), Some(&V::Int(32)));
}

#[test]
fn grid_refuses_continuous_and_huge() {
    let space =
        Space::from_args(&["a=choice(1,2)".into(), "lr=loguniform(1e-4, 1)".into()]).unwrap();
    let e = space.grid().unwrap_err().message;
    assert!(e.contains("\"lr\" is continuous"), "{e}");
    let space = Space::from_args(&["a=int(0, 100000)".into(), "b=int(0, 100000)".into()]).unwrap();
    let e = space.grid().unwrap_err().message;
    assert!(e.contains("more than") && e.contains("\"b\""), "{e}");
    assert_eq!(Space::default().grid().unwrap(), vec![Trial::new()]);
}

fn space(args: &[&str]) -> Space {
    Space::from_args(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>()).unwrap()
}

#[test]
fn sample_is_a_function_of_seed_and_index() {
    let sp = space(&[
        "lr=loguniform(1e-5, 1e-1)",
        "bs=choice(16, 32, 64)",
        "u=int(1, 3)",
        "d=uniform(0, 1)",
    ]);
    let forward: Vec<Trial> = (0..50).map(|i| sp.sample(7, i)).collect();
    let backward: Vec<Trial> = (0..50).rev().map(|i| sp.sample(7, i)).collect();
    assert!(forward.iter().eq(backward.iter().rev()));
    assert_ne!(sp.sample(7, 0), sp.sample(8, 0));
    assert_ne!(sp.sample(7, 0), sp.sample(7, 1));
    // Reordering or adding parameters leaves the others' values alone.
    let other = space(&[
        "d=uniform(0, 1)",
        "extra=choice(a,b)",
        "lr=loguniform(1e-5, 1e-1)",
    ]);
    for i in 0..20 {
        assert_eq!(sp.sample(3, i).get("lr"), other.sample(3, i).get("lr"));
        assert_eq!(sp.sample(3, i).get("d"), other.sample(3, i).get("d"));
    }
}

#[test]
fn samples_stay_in_bounds_and_reach_int_ends() {
    let sp = space(&[
        "lr=loguniform(1e-5, 1e-1)",
        "u=int(1, 3)",
        "k=range(0, 10, 5)",
        "q=quniform(0, 1, 0.25)",
        "ql=qloguniform(1, 100, 10)",
        "st=steps(0.1, 0.3, 0.1)",
        "n=qnormal(10, 2, 1)",
    ]);
    let mut ints = std::collections::BTreeSet::new();
    let mut quarters = std::collections::BTreeSet::new();
    for i in 0..2000 {
        let t = sp.sample(1, i);
        let lr = t.get_f64("lr").unwrap();
        assert!((1e-5..=1e-1).contains(&lr), "{lr}");
        ints.insert(t.get_i64("u").unwrap());
        assert!(matches!(t.get("u"), Some(V::Int(_))));
        assert!(matches!(t.get("k"), Some(V::Int(0 | 5))), "{t}");
        quarters.insert(format_value(t.get("q").unwrap()));
        let ql = t.get_f64("ql").unwrap();
        assert!(
            (1.0..=100.0).contains(&ql) && (ql == 1.0 || ql % 10.0 == 0.0),
            "{ql}"
        );
        let st = format_value(t.get("st").unwrap());
        assert!(["0.1", "0.2", "0.3"].contains(&st.as_str()), "{st}");
        assert!(matches!(t.get("n"), Some(V::Int(_))), "{t}");
    }
    assert_eq!(ints.into_iter().collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(
        quarters.into_iter().collect::<Vec<_>>(),
        vec!["0", "0.25", "0.5", "0.75", "1"]
    );
}

#[test]
fn experiment_config_domains_and_metrics() {
    let sp = space(&[
        "opt=choice(adam, sgd)",
        "lr=loguniform(1e-5, 1e-1)",
        "d=uniform(0, 0.5)",
        "u=int(16, 512)",
        "bs=range(16, 65, 16)",
        "q=quniform(0, 1, 0.5)",
        "w=normal(0, 1)",
        "epochs=20",
    ]);
    let obj = Objective {
        name: "validation/epoch_loss".into(),
        minimize: true,
    };
    let cfg = sp.experiment_config(
        &obj,
        &["acc".into(), "validation/epoch_loss".into(), "a/b/c".into()],
    );
    let doms: Vec<Option<Domain>> = cfg.hparams.iter().map(|h| h.domain.clone()).collect();
    assert_eq!(
        doms,
        vec![
            Some(Domain::discrete(["adam", "sgd"]).unwrap()),
            Some(Domain::log_real(1e-5, 0.1).unwrap()),
            Some(Domain::real(0.0, 0.5).unwrap()),
            Some(Domain::int(16, 512).unwrap()),
            Some(Domain::discrete([16, 32, 48, 64]).unwrap()),
            Some(Domain::discrete([0.0, 0.5, 1.0]).unwrap()),
            None,
            Some(Domain::discrete([20]).unwrap()),
        ]
    );
    let metrics: Vec<(&str, &str)> = cfg
        .metrics
        .iter()
        .map(|m| (m.group.as_str(), m.tag.as_str()))
        .collect();
    assert_eq!(
        metrics,
        vec![("validation", "epoch_loss"), ("", "acc"), ("a/b", "c")]
    );
    cfg.validate().unwrap();
}

#[test]
fn fingerprint_is_canonical_and_specs_round_trip() {
    let args = [
        "opt=choice(adam, \"s,g d\", 'x\"y')",
        "lr=loguniform(0.00001, 1e-1)",
        "u=int(1,3)",
        "k=range(0,1,0.1)",
        "q=quniform(0,1,0.25)",
        "ql=qloguniform(1,100,10)",
        "st=steps(1,9,2)",
        "n=normal(0,1)",
        "qn=qnormal(0,1,0.5)",
        "ln=lognormal(0,1)",
        "qln=qlognormal(0,1,2)",
        "c=adam",
        "f=32.0",
        "b=choice(true,false)",
    ];
    let sp = space(&args);
    for p in &sp.params {
        let back = Param::parse_arg(&format!("{}={}", p.name, p.spec())).unwrap();
        assert_eq!(&back, p, "{}", p.spec());
    }
    let same = space(&[
        "opt=choice(adam,\"s,g d\",'x\"y')",
        "lr=loguniform(1e-5,0.1)",
    ]);
    assert!(sp.fingerprint().starts_with(
        &same.fingerprint()[..same.fingerprint().len() - 1]
            .lines()
            .take(2)
            .collect::<Vec<_>>()
            .join("\n")
    ));
    assert_eq!(
        space(&["lr=loguniform(1e-5, 0.1)", "u=int(1,3)"]).fingerprint(),
        "hp-report tune space v1\nlr=loguniform(1e-5, 0.1)\nu=int(1, 3)\n"
    );
    assert_ne!(
        space(&["u=int(1,3)"]).fingerprint(),
        space(&["u=int(1,4)"]).fingerprint()
    );
}

#[test]
fn describe_golden() {
    let sp = space(&[
        "lr=loguniform(1e-5, 0.1)",
        "batch=choice(16, 32, 64)",
        "units=int(32, 512)",
        "bs=range(16, 129, 16)",
        "epochs=20",
    ]);
    let want = "\
lr      loguniform  [0.00001, 0.1]     log     continuous
batch   choice      {16, 32, 64}               3 values
units   int         [32, 512]          linear  481 values
bs      range       [16, 129) step 16  linear  8 values
epochs  constant    20                         1 value
grid: not finite (continuous parameters): random search
";
    assert_eq!(sp.describe(), want);
    let finite = space(&["batch=choice(16, 32)", "units=int(1, 3)"]);
    assert!(
        finite.describe().ends_with("grid: 6 trials\n"),
        "{}",
        finite.describe()
    );
}

// ---- space files -------------------------------------------------------

fn load(name: &str, text: &str) -> Result<SpaceFile, SpaceError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    SpaceFile::load(&path)
}

fn loaded(name: &str, text: &str) -> SpaceFile {
    load(name, text).unwrap_or_else(|e| panic!("{e}"))
}

fn kinds(sf: &SpaceFile) -> Vec<(String, ParamKind)> {
    sf.space
        .params
        .iter()
        .map(|p| (p.name.clone(), p.kind.clone()))
        .collect()
}

#[test]
fn wandb_sweep_yaml() {
    let sf = loaded(
        "sweep.yaml",
        r#"
program: train.py
method: random
metric: {name: val_loss, goal: minimize, target: 0.05}
run_cap: 50
command: [python, "${program}", "${args}"]
early_terminate: {type: hyperband, min_iter: 3}
parameters:
  lr: {distribution: log_uniform_values, min: 1e-5, max: 0.1}
  layers: {values: [1, 2, 3]}
  act: {values: [relu, tanh]}
  epochs: {value: 10}
  units: {min: 32, max: 256}
  dropout: {min: 0.0, max: 0.5}
  ln: {distribution: log_uniform, min: -9.210340371976182, max: -2.302585092994045}
  q: {distribution: q_uniform, min: 0, max: 1, q: 0.25}
  n: {distribution: normal}
  opt: "choice(adam, sgd)"
  nni: {_type: randint, _value: [1, 5]}
  model:
    parameters:
      depth: {distribution: int_uniform, min: 2, max: 4}
"#,
    );
    use ParamKind::*;
    let k = kinds(&sf);
    let get = |n: &str| {
        k.iter()
            .find(|(m, _)| m == n)
            .map(|(_, k)| k.clone())
            .unwrap()
    };
    assert_eq!(get("lr"), LogUniform { lo: 1e-5, hi: 0.1 });
    assert_eq!(get("layers"), Choice(vec![V::Int(1), V::Int(2), V::Int(3)]));
    assert_eq!(get("act"), Choice(vec![s("relu"), s("tanh")]));
    assert_eq!(get("epochs"), Const(V::Int(10)));
    assert_eq!(
        get("units"),
        Int { lo: 32, hi: 256 },
        "int min/max → int_uniform, max included"
    );
    assert_eq!(get("dropout"), Uniform { lo: 0.0, hi: 0.5 });
    match get("ln") {
        LogUniform { lo, hi } => assert!(
            (lo - 1e-4).abs() < 1e-15 && (hi - 0.1).abs() < 1e-12,
            "{lo} {hi}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        get("q"),
        QUniform {
            lo: 0.0,
            hi: 1.0,
            q: 0.25
        }
    );
    assert_eq!(
        get("n"),
        Normal {
            mu: 0.0,
            sigma: 1.0,
            q: None
        }
    );
    assert_eq!(get("opt"), Choice(vec![s("adam"), s("sgd")]));
    assert_eq!(get("nni"), Int { lo: 1, hi: 4 });
    assert_eq!(get("model.depth"), Int { lo: 2, hi: 4 });
    assert_eq!(
        sf.objective,
        Some(Objective {
            name: "val_loss".into(),
            minimize: true
        })
    );
    assert_eq!(sf.target, Some(0.05));
    assert_eq!(sf.max_trials, Some(50));
    assert_eq!(sf.method.as_deref(), Some("random"));
    assert_eq!(sf.program.as_deref(), Some("train.py"));
    assert_eq!(
        sf.command,
        Some(vec!["python".into(), "${program}".into(), "${args}".into()])
    );
    assert_eq!(sf.dialect, Some(Dialect::Wandb));
    assert!(
        sf.warnings.iter().any(|w| w.contains("natural logarithms")),
        "{:?}",
        sf.warnings
    );
    assert!(
        sf.warnings.iter().any(|w| w.contains("early_terminate")),
        "{:?}",
        sf.warnings
    );
}

#[test]
fn wandb_sweep_json_and_inverse_logs() {
    let sf = loaded(
        "sweep.json",
        r#"{"method": "grid", "metric": {"name": "acc", "goal": "maximize"},
            "parameters": {"a": {"distribution": "inv_log_uniform", "min": 0, "max": 2.302585092994046},
                           "b": {"distribution": "inv_log_uniform_values", "min": 0.01, "max": 1},
                           "c": {"distribution": "q_log_uniform_values", "min": 1, "max": 100, "q": 5}}}"#,
    );
    let k = kinds(&sf);
    match &k[0].1 {
        ParamKind::LogUniform { lo, hi } => {
            assert!((lo - 0.1).abs() < 1e-12 && *hi == 1.0, "{lo} {hi}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(k[1].1, ParamKind::LogUniform { lo: 0.01, hi: 1.0 });
    assert_eq!(
        k[2].1,
        ParamKind::QLogUniform {
            lo: 1.0,
            hi: 100.0,
            q: 5.0
        }
    );
    assert_eq!(
        sf.objective,
        Some(Objective {
            name: "acc".into(),
            minimize: false
        })
    );
}

#[test]
fn nni_search_space_bounds() {
    let sf = loaded(
        "search_space.json",
        r#"{"lr": {"_type": "loguniform", "_value": [1e-5, 0.1]},
            "bs": {"_type": "choice", "_value": [32, 64]},
            "layers": {"_type": "randint", "_value": [1, 4]},
            "d": {"_type": "quniform", "_value": [0, 0.5, 0.1]},
            "u": {"_type": "uniform", "_value": [0, 1]},
            "ql": {"_type": "qloguniform", "_value": [1, 1000, 1]},
            "n": {"_type": "qnormal", "_value": [0, 1, 0.5]},
            "ln": {"_type": "lognormal", "_value": [0, 1]}}"#,
    );
    use ParamKind::*;
    let k: std::collections::BTreeMap<_, _> = kinds(&sf).into_iter().collect();
    assert_eq!(k["lr"], LogUniform { lo: 1e-5, hi: 0.1 });
    assert_eq!(k["bs"], Choice(vec![V::Int(32), V::Int(64)]));
    assert_eq!(
        k["layers"],
        Int { lo: 1, hi: 3 },
        "NNI randint excludes the upper bound"
    );
    assert_eq!(
        k["d"],
        QUniform {
            lo: 0.0,
            hi: 0.5,
            q: 0.1
        }
    );
    assert_eq!(k["u"], Uniform { lo: 0.0, hi: 1.0 });
    assert_eq!(
        k["ql"],
        QLogUniform {
            lo: 1.0,
            hi: 1000.0,
            q: 1.0
        }
    );
    assert_eq!(
        k["n"],
        Normal {
            mu: 0.0,
            sigma: 1.0,
            q: Some(0.5)
        }
    );
    assert_eq!(
        k["ln"],
        LogNormal {
            mu: 0.0,
            sigma: 1.0,
            q: None
        }
    );
    assert_eq!(sf.dialect, Some(Dialect::Nni));
    assert_eq!(sf.objective, None);
}

#[test]
fn nni_config_with_inline_space_and_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ss.json"),
        r#"{"x": {"_type": "choice", "_value": ["a"]}}"#,
    )
    .unwrap();
    let cfg = dir.path().join("config.yml");
    std::fs::write(&cfg, "searchSpaceFile: ss.json\ntrialConcurrency: 2\nmaxTrialNumber: 10\ntuner: {name: GridSearch}\ntrialCommand: python3 t.py\n").unwrap();
    let sf = SpaceFile::load(&cfg).unwrap();
    assert_eq!(
        kinds(&sf),
        vec![("x".to_string(), ParamKind::Choice(vec![s("a")]))]
    );
    assert_eq!(
        (sf.parallel, sf.max_trials, sf.method.as_deref()),
        (Some(2), Some(10), Some("grid"))
    );
    assert_eq!(sf.dialect, Some(Dialect::NniConfig));
    assert!(sf.warnings[0].contains("trialCommand"));
    let sf = loaded(
        "c.yaml",
        "searchSpace:\n  lr: {_type: uniform, _value: [0.1, 0.2]}\nmaxTrialNum: 3\n",
    );
    assert_eq!(
        sf.space.params[0].kind,
        ParamKind::Uniform { lo: 0.1, hi: 0.2 }
    );
    assert_eq!(sf.max_trials, Some(3));
}

const KATIB: &str = r#"
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {namespace: kubeflow, name: random}
spec:
  objective:
    type: maximize
    goal: 0.99
    objectiveMetricName: Validation-accuracy
    additionalMetricNames: [Train-accuracy]
  algorithm: {algorithmName: random}
  parallelTrialCount: 3
  maxTrialCount: 12
  maxFailedTrialCount: 3
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: {min: "0.01", max: "0.03"}
    - name: wd
      parameterType: double
      feasibleSpace: {min: "0.0001", max: "0.1", distribution: logUniform}
    - name: num-layers
      parameterType: int
      feasibleSpace: {min: "2", max: "5"}
    - name: units
      parameterType: int
      feasibleSpace: {min: "16", max: "64", step: "16"}
    - name: momentum
      parameterType: double
      feasibleSpace: {min: "0.5", max: "0.9", step: "0.2"}
    - name: batch
      parameterType: discrete
      feasibleSpace: {list: ["32", "64", "0.5"]}
    - name: optimizer
      parameterType: categorical
      feasibleSpace: {list: ["sgd", "adam", "1"]}
  trialTemplate:
    primaryContainerName: training-container
"#;

#[test]
fn katib_experiment() {
    let sf = loaded("exp.yaml", KATIB);
    use ParamKind::*;
    let k: std::collections::BTreeMap<_, _> = kinds(&sf).into_iter().collect();
    assert_eq!(k["lr"], Uniform { lo: 0.01, hi: 0.03 });
    assert_eq!(
        k["wd"],
        LogUniform {
            lo: 0.0001,
            hi: 0.1
        }
    );
    assert_eq!(k["num-layers"], Int { lo: 2, hi: 5 });
    assert_eq!(
        k["units"],
        Stepped {
            lo: 16.0,
            hi: 64.0,
            step: 16.0
        }
    );
    assert_eq!(
        k["momentum"],
        Stepped {
            lo: 0.5,
            hi: 0.9,
            step: 0.2
        }
    );
    assert_eq!(
        k["batch"],
        Choice(vec![V::Int(32), V::Int(64), V::Float(0.5)])
    );
    assert_eq!(
        k["optimizer"],
        Choice(vec![s("sgd"), s("adam"), s("1")]),
        "categorical stays strings"
    );
    assert_eq!(
        sf.objective,
        Some(Objective {
            name: "Validation-accuracy".into(),
            minimize: false
        })
    );
    assert_eq!(sf.target, Some(0.99));
    assert_eq!(sf.other_metrics, vec!["Train-accuracy".to_string()]);
    assert_eq!(
        sf.strategy,
        Some(Strategy::Max),
        "Katib's default for maximize"
    );
    assert_eq!(
        (sf.parallel, sf.max_trials, sf.max_failures),
        (Some(3), Some(12), Some(3))
    );
    assert_eq!(sf.method.as_deref(), Some("random"));
    assert_eq!(sf.dialect, Some(Dialect::Katib));
    // Katib's grid: min + k·step ≤ max, both ends included when on the grid.
    let units = Space {
        params: vec![sf.space.get("units").unwrap().clone()],
    };
    let g: Vec<String> = units
        .grid()
        .unwrap()
        .iter()
        .map(|t| format_value(t.get("units").unwrap()))
        .collect();
    assert_eq!(g, ["16", "32", "48", "64"]);
    let m = Space {
        params: vec![sf.space.get("momentum").unwrap().clone()],
    };
    let g: Vec<String> = m
        .grid()
        .unwrap()
        .iter()
        .map(|t| format_value(t.get("momentum").unwrap()))
        .collect();
    assert_eq!(g, ["0.5", "0.7", "0.9"]);
}

#[test]
fn katib_metric_strategies() {
    let text = KATIB.replace(
        "    additionalMetricNames: [Train-accuracy]\n",
        "    metricStrategies: [{name: Validation-accuracy, value: latest}]\n",
    );
    assert_eq!(loaded("e.yaml", &text).strategy, Some(Strategy::Last));
}

#[test]
fn space_file_errors_name_file_parameter_and_key() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("a.yaml", "parameters:\n  lr: {min: 1, max: }\n", &["\"lr\"", "expected `values`"]),
        ("b.yaml", "parameters:\n  lr: {distribution: uniform, min: 1}\n", &["\"lr\"", "missing `max`"]),
        ("c.yaml", "parameters:\n  lr: {distribution: uniform, min: 2, max: 1}\n", &["\"lr\"", "below the lower bound"]),
        ("d.yaml", "parameters:\n  lr: {distribution: log_uniform, min: 0.0001, max: 1000}\n", &["\"lr\"", "natural logarithms"]),
        ("e.yaml", "parameters:\n  lr: {distribution: beta}\n", &["not supported", "parameters.lr.distribution"]),
        ("f.yaml", "parameters:\n  x: {values: [1, a]}\n", &["\"x\"", "must all be numbers"]),
        ("g.json", r#"{"x": {"_type": "randint", "_value": [3, 3]}}"#, &["\"x\"", "empty"]),
        ("h.json", r#"{"x": {"_type": "choice", "_value": [{"_name": "a"}]}}"#, &["\"x\"", "conditional"]),
        ("i.json", r#"{"x": {"_type": "gamma", "_value": [1]}}"#, &["unknown NNI _type"]),
        ("j.yaml", "foo: 1\n", &["not a recognised space file"]),
        ("k.yaml", "parameters: [\n", &["not valid YAML or JSON", "line"]),
        ("l.yaml", "kind: Experiment\nspec:\n  parameters:\n    - name: lr\n      parameterType: double\n      feasibleSpace: {min: \"x\", max: \"1\"}\n", &["\"lr\"", "expected a number", "spec.parameters.0.feasibleSpace.min"]),
        ("m.yaml", "kind: Experiment\nspec:\n  parameters:\n    - name: lr\n      parameterType: float\n      feasibleSpace: {}\n", &["unknown parameterType"]),
        ("n.yaml", "parameters:\n  x: \"uniform(1,\"\n", &["\"x\"", "expected a value"]),
    ];
    for (name, text, wants) in cases {
        let e = load(name, text).expect_err(name).message;
        assert!(e.contains(name), "{name}: {e}");
        for w in *wants {
            assert!(e.contains(w), "{name}: want {w:?} in {e}");
        }
    }
    let e = SpaceFile::load(Path::new("/nonexistent/space.yaml")).unwrap_err();
    assert!(e.message.contains("cannot read"), "{e}");
}

#[test]
fn parameters_keep_the_file_order() {
    let json = r#"{"z": {"_type": "choice", "_value": [1]}, "a": {"_type": "choice", "_value": [2]}, "m": {"_type": "randint", "_value": [0, 2]}}"#;
    let yaml = "parameters:\n  z: {value: 1}\n  a: {value: 2}\n  m: {values: [0, 1]}\n";
    for (name, text) in [("s.json", json), ("s.yaml", yaml)] {
        let names: Vec<String> = loaded(name, text)
            .space
            .params
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["z", "a", "m"], "{name}");
    }
}

/// The support and grids that the real W&B sweeps engine (0.2.0) and NNI
/// (3.0) give for tests/tune_scripts/dialects/ (measured with
/// tests/tune_scripts/check_dialects.py): hp-report must read the same
/// bounds, except the two documented choices (W&B's q_uniform grid drops
/// max, W&B's q_log_uniform_values does not clip).
#[test]
fn dialect_files_match_the_real_tools() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tune_scripts/dialects");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1e-300);
    let support = |k: &ParamKind| match *k {
        ParamKind::LogUniform { lo, hi } | ParamKind::QLogUniform { lo, hi, .. } => (lo, hi),
        ParamKind::Int { lo, hi } => (lo as f64, hi as f64),
        ParamKind::QUniform { lo, hi, .. } => (lo, hi),
        ref other => panic!("{other:?}"),
    };
    let grid = |p: &Param| -> Vec<String> {
        let one = Space {
            params: vec![p.clone()],
        };
        one.grid()
            .unwrap()
            .iter()
            .map(|t| format_value(t.get(&p.name).unwrap()))
            .collect()
    };
    let w = SpaceFile::load(&dir.join("wandb_sweep.yaml")).unwrap();
    let real: &[(&str, f64, f64)] = &[
        ("a_int", 2.0, 5.0),
        ("b_intu", -1.0, 1.0),
        ("c_q", 0.0, 1.0),
        ("d_lnb", 1e-4, 0.1),
        ("e_vals", 1e-4, 0.1),
        ("f_inv", 0.1, 1.0),
        ("g_invv", 0.01, 1.0),
        ("h_qlv", 1.0, 100.0), // W&B: 0 (round(1/5)*5, not clipped)
    ];
    for (name, lo, hi) in real {
        let (a, b) = support(&w.space.get(name).unwrap().kind);
        assert!(
            close(a, *lo) && close(b, *hi),
            "{name}: [{a}, {b}] vs W&B [{lo}, {hi}]"
        );
    }
    assert_eq!(grid(w.space.get("a_int").unwrap()), ["2", "3", "4", "5"]);
    assert_eq!(grid(w.space.get("b_intu").unwrap()), ["-1", "0", "1"]);
    // W&B: 0 0.25 0.5 0.75 (np.arange drops max).
    assert_eq!(
        grid(w.space.get("c_q").unwrap()),
        ["0", "0.25", "0.5", "0.75", "1"]
    );
    let n = SpaceFile::load(&dir.join("nni_search_space.json")).unwrap();
    assert_eq!(grid(n.space.get("r").unwrap()), ["1", "2", "3"]);
    assert_eq!(grid(n.space.get("q").unwrap()), ["1", "3", "6", "9"]);
    let ql = grid(n.space.get("ql").unwrap());
    assert_eq!(
        (ql.len(), ql[0].as_str(), ql[1].as_str(), ql[100].as_str()),
        (101, "1", "10", "1000")
    );
    assert_eq!(support(&n.space.get("lu").unwrap().kind), (0.001, 0.1));
}

#[test]
fn set_replaces_in_place_and_env_vars() {
    let mut sp = space(&["a=1", "b=2"]);
    sp.set(Param::parse_arg("a=choice(3,4)").unwrap());
    sp.set(Param::parse_arg("c=5").unwrap());
    assert_eq!(
        sp.fingerprint(),
        "hp-report tune space v1\na=choice(3, 4)\nb=2\nc=5\n"
    );
    let cases = [
        ("lr", "HP_LR"),
        ("batch-size", "HP_BATCH_SIZE"),
        ("model.depth", "HP_MODEL_DEPTH"),
        ("ünï", "HP__N_"),
    ];
    for (name, want) in cases {
        let p = Param {
            name: name.into(),
            kind: ParamKind::Const(V::Int(1)),
        };
        assert_eq!(p.env_var(), want);
    }
}
