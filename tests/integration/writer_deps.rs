//! Heavy crates stay behind features: a trainer that depends on
//! `hp-report = { default-features = false }` compiles only the
//! writer/reader core (`cargo tree` of that build lists no polars, plotters
//! or clap), and the default build (the CLI) has no polars, which only the
//! `parquet` feature brings in.

use std::process::Command;

/// The crate names `cargo tree -e normal` lists with `features`, or `None`
/// when cargo cannot be run here.
fn tree(features: &[&str]) -> Option<Vec<String>> {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let out = match Command::new(env!("CARGO"))
        .arg("tree")
        .args(features)
        .args(["-e", "normal", "--prefix", "none", "--format", "{p}"])
        .args(["--manifest-path", manifest])
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            eprintln!("skipped: cannot run cargo ({e})");
            return None;
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo tree failed: {stderr}");
    let tree = String::from_utf8_lossy(&out.stdout);
    let names: Vec<String> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert!(
        names.iter().any(|n| n == "prost"),
        "unexpected tree:\n{tree}"
    );
    Some(names)
}

/// Asserts that none of `heavy` (or `heavy-*`) is in `names`.
fn assert_absent(names: &[String], heavy: &[&str], build: &str) {
    for heavy in heavy {
        let found: Vec<&String> = names
            .iter()
            .filter(|n| *n == heavy || n.starts_with(&format!("{heavy}-")))
            .collect();
        assert!(found.is_empty(), "{heavy} in the {build} build: {found:?}");
    }
}

#[test]
fn core_build_pulls_no_heavy_dependencies() {
    if let Some(names) = tree(&["--no-default-features"]) {
        let heavy = [
            "polars",
            "plotters",
            "clap",
            "arrow",
            "parquet",
            "serde_json",
        ];
        assert_absent(&names, &heavy, "core");
    }
}

#[test]
fn default_build_pulls_no_polars() {
    if let Some(names) = tree(&[]) {
        assert!(names.iter().any(|n| n == "clap"), "the CLI is in default");
        assert_absent(&names, &["polars", "arrow", "parquet"], "default");
    }
}
