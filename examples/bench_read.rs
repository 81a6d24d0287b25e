//! Read benchmark driver: loads a logdir with `hp_report::logdir::load_source`
//! (the read + aggregate path the CLI uses) and prints what it found as one
//! JSON line. `bench/run.sh` times this process from the outside, like the
//! peers. LOGDIR may be a bucket URL when built with `--features cloud`
//! (`bench/cloud.sh`).
//!
//! ```text
//! cargo run --release --no-default-features --example bench_read -- LOGDIR
//! ```

use std::path::Path;
use std::time::Instant;

use hp_report::logdir::{self, LoadOptions};

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: bench_read LOGDIR");
        std::process::exit(2);
    };
    let t0 = Instant::now();
    let loaded = logdir::source::open(Path::new(&dir))
        .and_then(|src| logdir::load_source(src.as_ref(), &LoadOptions::default(), &|_, _| {}));
    let ld = match loaded {
        Ok(l) => l,
        Err(e) => {
            eprintln!("bench_read: {e}");
            std::process::exit(1);
        }
    };
    let secs = t0.elapsed().as_secs_f64();
    // Rank by the first metric's value, as the CLI's table would, so the
    // aggregate is used and the work cannot be skipped.
    let first_metric = ld.experiment.metrics.first().map(|m| m.key.clone());
    let best = first_metric.as_ref().and_then(|k| {
        ld.sessions
            .iter()
            .filter_map(|s| s.metric(k).map(|v| (v.last.value, s.name.as_str())))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    });
    println!(
        "{{\"sessions\": {}, \"runs\": {}, \"files\": {}, \"events\": {}, \"bytes\": {}, \"warnings\": {}, \"best\": {:?}, \"load_seconds\": {secs:.4}}}",
        ld.sessions.len(),
        ld.runs.len(),
        ld.file_count(),
        ld.event_count(),
        ld.byte_count(),
        ld.warnings.len(),
        best.map(|b| b.1).unwrap_or(""),
    );
}
