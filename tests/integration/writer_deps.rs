//! A trainer that depends on `hp-report = { default-features = false }`
//! compiles only the writer/reader core: `cargo tree` of that build lists no
//! polars, plotters or clap.

use std::process::Command;

#[test]
fn core_build_pulls_no_heavy_dependencies() {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let out = match Command::new(env!("CARGO"))
        .args(["tree", "--no-default-features", "-e", "normal"])
        .args([
            "--prefix",
            "none",
            "--format",
            "{p}",
            "--manifest-path",
            manifest,
        ])
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            eprintln!("skipped: cannot run cargo ({e})");
            return;
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo tree failed: {stderr}");
    let tree = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(names.contains(&"prost"), "unexpected tree:\n{tree}");
    for heavy in ["polars", "plotters", "clap", "arrow", "parquet"] {
        let found: Vec<&&str> = names
            .iter()
            .filter(|n| **n == heavy || n.starts_with(&format!("{heavy}-")))
            .collect();
        assert!(found.is_empty(), "{heavy} in the core build: {found:?}");
    }
}
