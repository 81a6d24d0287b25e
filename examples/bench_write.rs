//! Write benchmark driver: appends N scalars with
//! `EventFileWriter::write_scalar` (round-robin over a few tags, one step per
//! round) and prints the time of the write loop plus the final flush as one
//! JSON line. Like the peers it is measured to the page cache (no fsync).
//!
//! ```text
//! cargo run --release --no-default-features --example bench_write -- OUTDIR [--scalars 1000000] [--tags 4]
//! ```

use std::time::Instant;

use hp_report::event::EventFileWriter;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut out = None;
    let (mut n, mut tags) = (1_000_000u64, 4u64);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--scalars" => n = args.next().and_then(|v| v.parse().ok()).unwrap_or(n),
            "--tags" => tags = args.next().and_then(|v| v.parse().ok()).unwrap_or(tags),
            s => out = Some(s.to_string()),
        }
    }
    let Some(out) = out else {
        eprintln!("usage: bench_write OUTDIR [--scalars N] [--tags T]");
        std::process::exit(2);
    };
    let names: Vec<String> = (0..tags.max(1)).map(|t| format!("metric_{t}")).collect();
    let t0 = Instant::now();
    let run = || -> hp_report::Result<()> {
        let mut w = EventFileWriter::create(&out)?;
        for i in 0..n {
            let t = (i % names.len() as u64) as usize;
            let step = (i / names.len() as u64) as i64;
            w.write_scalar(&names[t], step, 1.0 / (1.0 + i as f64))?;
        }
        w.flush()
    };
    if let Err(e) = run() {
        eprintln!("bench_write: {e}");
        std::process::exit(1);
    }
    let secs = t0.elapsed().as_secs_f64();
    println!("{{\"writer\": \"hp-report\", \"scalars\": {n}, \"seconds\": {secs:.4}}}");
}
