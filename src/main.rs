//! The `hp-report` binary: everything lives in [`hp_report::cli`].

fn main() {
    std::process::exit(hp_report::cli::main_with_args(std::env::args_os()));
}
