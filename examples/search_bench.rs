//! The Rust half of `bench/search_quality.sh`: runs hp-report's samplers
//! (through the library, one trial at a time) on the benchmark problems
//! and prints `problem<TAB>sampler<TAB>seed<TAB>best after N` per run.
//!
//! `cargo run --release --no-default-features --features tune --example
//! search_bench -- --seeds 10 [--only TPE,random]`

use hp_report::tune::search::problems::{run, Problem};
use hp_report::tune::search::{CmaEs, Gp, RandomSearch, Sampler, Tpe};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seeds = match args.iter().position(|a| a == "--seeds") {
        Some(i) => match args.get(i + 1).map(|s| s.parse::<u64>()) {
            Some(Ok(n)) => n,
            _ => {
                eprintln!("search_bench: --seeds needs a whole number");
                std::process::exit(2);
            }
        },
        None => 10,
    };
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1).cloned());
    let samplers: Vec<(&str, Box<dyn Sampler>)> = vec![
        ("TPE", Box::new(Tpe::default())),
        (
            "TPE univariate",
            Box::new(Tpe {
                multivariate: false,
                ..Tpe::default()
            }),
        ),
        (
            "TPE random start",
            Box::new(Tpe {
                latin_start: false,
                ..Tpe::default()
            }),
        ),
        ("CMA-ES", Box::new(CmaEs::default())),
        ("GP", Box::new(Gp::default())),
        ("random", Box::new(RandomSearch)),
    ];
    for problem in Problem::ALL {
        for (name, sampler) in &samplers {
            if only
                .as_deref()
                .is_some_and(|o| !o.split(',').any(|o| o == *name))
            {
                continue;
            }
            for seed in 0..seeds {
                let trace = run(sampler.as_ref(), problem, seed, problem.budget());
                let best = trace.last().copied().unwrap_or(f64::NAN);
                println!("{}\t{name}\t{seed}\t{best}", problem.name());
            }
        }
    }
}
