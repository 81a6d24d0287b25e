//! Write peer: appends N scalars with tensorboard-rs' `SummaryWriter::add_scalar`
//! (round-robin over a few tags, as `examples/bench_write.rs` does) and
//! prints the time of the loop plus the final flush as one JSON line.
//!
//! usage: tbrs-write-peer OUTDIR [--scalars 1000000] [--tags 4]

use std::time::Instant;

use tensorboard_rs::summary_writer::SummaryWriter;

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
        eprintln!("usage: tbrs-write-peer OUTDIR [--scalars N] [--tags T]");
        std::process::exit(2);
    };
    let names: Vec<String> = (0..tags.max(1)).map(|t| format!("metric_{t}")).collect();
    let t0 = Instant::now();
    let mut w = SummaryWriter::new(&out);
    for i in 0..n {
        let t = (i % names.len() as u64) as usize;
        let step = (i / names.len() as u64) as usize;
        w.add_scalar(&names[t], (1.0 / (1.0 + i as f64)) as f32, step);
    }
    w.flush();
    drop(w);
    let secs = t0.elapsed().as_secs_f64();
    println!("{{\"writer\": \"tensorboard-rs\", \"scalars\": {n}, \"seconds\": {secs:.4}}}");
}
