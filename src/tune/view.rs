//! What the user sees while trials run: on a terminal, a live block (the
//! running trials with their latest metric, done/failed counts, best so
//! far) redrawn in place under the log of finished trials; otherwise one
//! plain line per started and finished trial.

use std::io::{IsTerminal, Write};

use crate::tune::runner::{Finished, Observer, Progress};
use crate::tune::signal_name;
use crate::tune::trial::shell_line;

/// Prints progress to stderr.
pub struct View {
    live: bool,
    /// Lines of the live block now on screen.
    drawn: usize,
    objective: String,
    quiet: bool,
}

impl View {
    /// A view of an experiment optimising `objective`; live if stderr is a
    /// terminal (and `live_ok`), nothing but notes if `quiet`.
    pub fn new(objective: &str, live_ok: bool, quiet: bool) -> Self {
        View {
            live: live_ok && !quiet && std::io::stderr().is_terminal(),
            drawn: 0,
            objective: objective.to_string(),
            quiet,
        }
    }

    fn clear(&mut self, err: &mut impl Write) {
        if self.drawn > 0 {
            let _ = write!(err, "\x1b[{}F\x1b[J", self.drawn);
            self.drawn = 0;
        }
    }

    fn draw(&mut self, err: &mut impl Write, p: &Progress) {
        let best = p
            .best
            .as_ref()
            .map_or("-".to_string(), |(v, d)| format!("{} ({d})", num(*v)));
        let mut lines = vec![format!(
            "── {}/{} done, {} failed, {} running · best {} {best}",
            p.done,
            p.total,
            p.failed,
            p.running.len(),
            self.objective
        )];
        for t in p.running.iter().take(20) {
            let m = t
                .latest
                .as_ref()
                .map_or(String::new(), |(n, v)| format!("  {n}={}", num(*v)));
            lines.push(format!("   {}  {:.0}s{m}", t.dir, t.secs));
        }
        for l in &lines {
            let _ = writeln!(err, "{l}");
        }
        self.drawn = lines.len();
    }
}

/// `v` with about six significant digits (`0.186216`, `1234.57`, `1e-09`).
fn num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return v.to_string();
    }
    let mag = v.abs().log10().floor();
    if !(-4.0..9.0).contains(&mag) {
        return format!("{v:.5e}");
    }
    let decimals = (5.0 - mag).max(0.0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// One line about a finished trial.
fn finished_line(f: &Finished, objective: &str, p: &Progress) -> String {
    let mut how = f.state.as_str().to_string();
    if let Some(c) = f.exit_code.filter(|&c| c != 0) {
        how += &format!(" (exit {c})");
    }
    if let Some(s) = f.signal {
        how += &format!(" ({})", signal_name(s));
    }
    if let Some(e) = &f.error {
        how += &format!(": {e}");
    }
    let obj = f
        .objective
        .map_or(String::new(), |v| format!(" {objective}={}", num(v)));
    let best = p
        .best
        .as_ref()
        .map_or(String::new(), |(v, d)| format!(", best {} ({d})", num(*v)));
    format!(
        "{} {how}{obj} in {:.1}s [{}/{} done, {} failed{best}]",
        f.dir, f.secs, p.done, p.total, p.failed
    )
}

impl Observer for View {
    fn launched(&mut self, dir: &str, argv: &[String]) {
        if self.quiet || self.live {
            return;
        }
        eprintln!("{dir} started: {}", shell_line(argv));
    }

    fn finished(&mut self, f: &Finished, p: &Progress) {
        if self.quiet {
            return;
        }
        let mut err = std::io::stderr().lock();
        self.clear(&mut err);
        let _ = writeln!(err, "{}", finished_line(f, &self.objective, p));
        if self.live {
            self.draw(&mut err, p);
        }
    }

    fn tick(&mut self, p: &Progress) {
        if self.live {
            let mut err = std::io::stderr().lock();
            self.clear(&mut err);
            self.draw(&mut err, p);
        }
    }

    fn note(&mut self, msg: &str) {
        let mut err = std::io::stderr().lock();
        self.clear(&mut err);
        let _ = writeln!(err, "hp-report tune: {msg}");
    }
}

impl Drop for View {
    fn drop(&mut self) {
        let mut err = std::io::stderr().lock();
        self.clear(&mut err);
    }
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_print_short() {
        assert_eq!(num(0.18621641223669883), "0.186216");
        assert_eq!(num(1234.5678), "1234.57");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(1e-9), "1.00000e-9");
        assert_eq!(num(f64::NAN), "NaN");
    }
}
