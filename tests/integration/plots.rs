//! Plots and the HTML report on the fixtures: every kind renders to PNG
//! (decodes, expected size) and to SVG (parses as XML, holds the axis and
//! hparam names); the report parses, lists every session, fetches nothing,
//! and escapes hostile names from the logs.
#![cfg(feature = "plot")]

use std::path::{Path, PathBuf};

use hp_report::analysis::{build, Query, Table};
use hp_report::logdir::{self, LoadOptions, Logdir, SeriesOptions};
use hp_report::plot::{render, render_svg, size, PlotKind, PlotOptions, Source};
use hp_report::report::{escape, figures, html};
use hp_report::{grid, Domain, ExperimentConfig, ExperimentWriter, HParam, Metric, Status};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn load(dir: &Path) -> (Logdir, Table) {
    let opts = LoadOptions {
        series: SeriesOptions {
            curves: true,
            ..Default::default()
        },
    };
    let ld = logdir::load(dir, &opts).expect("fixture loads");
    let table = build(&ld, &Query::default()).expect("table builds");
    (ld, table)
}

fn png_size(path: &Path) -> (u32, u32) {
    let file = std::fs::File::open(path).expect("png written");
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png decodes");
    (info.width, info.height)
}

/// All text nodes of an XML document, joined by newlines.
fn xml_text(doc: &roxmltree::Document) -> String {
    doc.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_fixture(name: &str) {
    let (ld, table) = load(&fixture(name));
    let label = name.to_string();
    let src = Source {
        label: &label,
        logdir: &ld,
        table: &table,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = PlotOptions::default();
    let metric = table.sort.as_ref().expect("a sort metric").0.to_string();
    for kind in PlotKind::ALL {
        // PNG: decodes, and at the size the API promised.
        let png = dir.path().join(format!("{kind}.png"));
        let dim = render(kind, &[src], &opts, &png).expect("png renders");
        assert_eq!(dim, size(kind, &[src], &opts));
        assert_eq!(png_size(&png), dim, "{name} {kind}");

        // An explicit size is honoured.
        let sized = PlotOptions {
            size: Some((900, 500)),
            ..PlotOptions::default()
        };
        let png2 = dir.path().join(format!("{kind}-sized.png"));
        render(kind, &[src], &sized, &png2).expect("sized png renders");
        assert_eq!(png_size(&png2), (900, 500));

        // SVG file and string: well-formed XML with the names on it.
        let svg_path = dir.path().join(format!("{kind}.svg"));
        render(kind, &[src], &opts, &svg_path).expect("svg renders");
        let svg = std::fs::read_to_string(&svg_path).expect("svg written");
        assert_eq!(svg, render_svg(kind, &[src], &opts).expect("svg string"));
        let doc = roxmltree::Document::parse(&svg)
            .unwrap_or_else(|e| panic!("{name} {kind}: SVG is not XML: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let text = xml_text(&doc);
        assert!(
            text.contains(&metric),
            "{name} {kind}: no {metric} in {text}"
        );
        match kind {
            PlotKind::Parallel | PlotKind::Scatter => {
                for h in &table.hparams {
                    assert!(text.contains(&h.label), "{name} {kind}: no {}", h.label);
                }
            }
            PlotKind::Curves => {
                assert!(text.contains("step"));
                // Long names keep their end: the last path component
                // (timestamp sub-runs of tensorboardX) shows whole.
                let name = &table.rows[0].name;
                let last = name.rsplit('/').next().unwrap_or(name);
                assert!(text.contains(last), "legend names the best: {text}");
            }
            PlotKind::Trajectory => assert!(text.contains("best so far")),
        }
    }
}

#[test]
fn every_kind_renders_for_keras_grid() {
    check_fixture("keras_mlp_grid");
}

#[test]
fn every_kind_renders_for_tensorboardx() {
    check_fixture("tbx_hparams");
}

#[test]
fn trajectory_compares_logdirs_and_other_kinds_refuse() {
    let (a, ta) = load(&fixture("keras_mlp_grid"));
    let (b, tb) = load(&fixture("keras_mlp_repeats"));
    let sources = [
        Source {
            label: "grid",
            logdir: &a,
            table: &ta,
        },
        Source {
            label: "repeats",
            logdir: &b,
            table: &tb,
        },
    ];
    let opts = PlotOptions {
        metric: Some(ta.sort.as_ref().expect("sort").0.clone()),
        ..PlotOptions::default()
    };
    let svg = render_svg(PlotKind::Trajectory, &sources, &opts).expect("trajectory");
    let doc = roxmltree::Document::parse(&svg).expect("xml");
    let text = xml_text(&doc);
    assert!(text.contains("grid") && text.contains("repeats"), "{text}");
    assert!(render_svg(PlotKind::Parallel, &sources, &opts).is_err());
}

#[test]
fn bad_extension_and_missing_metric_are_errors() {
    let (ld, table) = load(&fixture("keras_mlp_grid"));
    let src = Source {
        label: "x",
        logdir: &ld,
        table: &table,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let e = render(
        PlotKind::Scatter,
        &[src],
        &PlotOptions::default(),
        &dir.path().join("plot.gif"),
    );
    assert!(e.is_err());
    let opts = PlotOptions {
        metric: Some(hp_report::logdir::MetricKey::new("nope", "nothing")),
        ..PlotOptions::default()
    };
    assert!(render_svg(PlotKind::Curves, &[src], &opts).is_err());
    assert!(render_svg(PlotKind::Trajectory, &[src], &opts).is_err());
}

/// Parses the report as XML (it is written to be well-formed) and returns
/// its text.
fn parse_report(page: &str) -> String {
    let doc = roxmltree::Document::parse_with_options(
        page,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("report does not parse: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "html");
    let scripts: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "script")
        .collect();
    assert_eq!(scripts.len(), 1, "one inline script, ours");
    assert!(scripts.iter().all(|s| s.attribute("src").is_none()));
    let svgs = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "svg")
        .count();
    assert_eq!(svgs, 4, "every plot inline");
    xml_text(&doc)
}

fn assert_offline(page: &str) {
    let lower = page.to_ascii_lowercase();
    for bad in [
        "http:",
        "https:",
        "<script src",
        "<link",
        "<img",
        "url(",
        "@import",
    ] {
        assert!(!lower.contains(bad), "report references {bad}");
    }
}

#[test]
fn report_lists_every_session_and_fetches_nothing() {
    for name in ["keras_mlp_grid", "tbx_hparams", "keras_mlp_repeats"] {
        let (ld, table) = load(&fixture(name));
        let figs = figures(&ld, &table, &PlotOptions::default());
        let page = html(&fixture(name), &ld, &table, &figs);
        let text = parse_report(&page);
        for s in &ld.sessions {
            assert!(text.contains(&s.name), "{name}: session {} missing", s.name);
        }
        assert_offline(&page);
    }
}

#[test]
fn report_escapes_hostile_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let evil_hp = "<img src=x onerror=alert(1)>";
    let config = ExperimentConfig::new()
        .hparam(HParam::new(
            "opt\"'<b>",
            Domain::discrete([evil_hp, "a&b"]).expect("domain"),
        ))
        .metric(Metric::new("loss</td><script>").group("validation"));
    let exp = ExperimentWriter::create(dir.path(), &config).expect("writer");
    let names = ["<script>alert(\"x\")</script>", "q\"uo't & amp"];
    for (i, trial) in grid(&config, 2).expect("grid").iter().enumerate() {
        let mut s = exp.session(names[i], trial).expect("session");
        for step in 0..3 {
            s.scalar(
                "validation",
                "loss</td><script>",
                step,
                1.0 / (step + i as i64 + 1) as f64,
            )
            .expect("scalar");
        }
        s.end(Status::Success).expect("end");
    }
    drop(exp);

    let (ld, table) = load(dir.path());
    assert_eq!(ld.sessions.len(), 2);
    let figs = figures(&ld, &table, &PlotOptions::default());
    assert!(figs.iter().all(|f| f.svg.is_ok()), "{figs:?}");
    let page = html(dir.path(), &ld, &table, &figs);
    let text = parse_report(&page);
    for n in names {
        assert!(text.contains(n), "session {n} shown as text");
        assert!(page.contains(&escape(n)));
    }
    assert!(text.contains(evil_hp));
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("<img"));
    assert!(!page.contains("</td><script>"));
    assert_offline(&page);
}

#[cfg(feature = "cli")]
#[test]
fn cli_plot_and_report() {
    use hp_report::cli::main_with_args;
    let dir = tempfile::tempdir().expect("tempdir");
    let grid = fixture("keras_mlp_grid");
    let g = grid.to_str().expect("utf-8 path");
    let out = |f: &str| dir.path().join(f).to_str().expect("utf-8").to_string();
    let run = |args: &[&str]| main_with_args(["hp-report"].iter().chain(args));

    let svg = out("c.svg");
    let args = [
        "plot",
        g,
        "--kind",
        "curves",
        "--metric",
        "validation/epoch_loss",
    ];
    assert_eq!(
        run(&[&args[..], &["--smooth", "0.6", "-q", "-o", &svg]].concat()),
        0
    );
    let text = std::fs::read_to_string(&svg).expect("svg");
    assert!(text.contains("validation/epoch_loss") && text.contains("smoothing 0.6"));

    let png = out("p.png");
    let args = [
        "plot",
        g,
        "-k",
        "parallel",
        "--where",
        "deep_layers=1",
        "-q",
        "-o",
        &png,
    ];
    assert_eq!(run(&args), 0);
    assert_eq!(png_size(Path::new(&png)).1, 580);

    let sized = out("s.png");
    assert_eq!(
        run(&["plot", g, "-k", "scatter", "--size", "640x480", "-q", "-o", &sized]),
        0
    );
    assert_eq!(png_size(Path::new(&sized)), (640, 480));

    // Usage errors: exit 2.
    assert_eq!(run(&["plot", g, "--kind", "pie"]), 2);
    assert_eq!(run(&["plot", g, g, "--kind", "parallel", "-q"]), 2);
    assert_eq!(
        run(&["plot", g, "--kind", "scatter", "-q", "-o", &out("x.gif")]),
        2
    );
    assert_eq!(
        run(&["plot", g, "--kind", "scatter", "--metric", "nope", "-q"]),
        2
    );
    assert_eq!(run(&["plot", g, "--kind", "curves", "--smooth", "1.5"]), 2);
    assert_eq!(
        run(&[
            "plot",
            g,
            g,
            "--kind",
            "trajectory",
            "-q",
            "-o",
            &out("t.svg")
        ]),
        0
    );

    let page = out("r.html");
    assert_eq!(run(&["report", g, "--top", "3", "-q", "-o", &page]), 0);
    let page = std::fs::read_to_string(&page).expect("html");
    let text = parse_report(&page);
    assert!(text.contains("3 shown of 6 matching"), "{text}");
    assert_offline(&page);
}
