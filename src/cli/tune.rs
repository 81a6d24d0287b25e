//! `hp-report tune`: clap arguments → [`crate::tune`] calls. Runs a search,
//! or reads one (`status`, `best`), or re-runs failures (`retry`).

use std::io::BufReader;
use std::path::Path;

use crate::analysis::Goal;
use crate::cli::tune_args::{usage, BestArgs, ExecArgs, RetryArgs, RunArgs, TuneArgs, TuneCommand};
use crate::cli::{write_stdout, CliError, EXIT_LOGDIR};
use crate::tune::engine::Backend;
use crate::tune::journal::{self, Spec, State};
use crate::tune::runner::{self, Config, Method, Mode, Plan, TuneError};
use crate::tune::status::{best_json, best_text, status_text, Experiment};
use crate::tune::trial::{check_placeholders, command_for, shell_line};
use crate::tune::view::View;
use crate::tune::{metrics, Objective, Rule, Space, SpaceFile, Strategy, WarmStart};

/// Exit status: the experiment ended at `--max-failures`.
pub const EXIT_TRIALS_FAILED: i32 = 5;
/// Exit status: the engine (`--backend`) kept failing; `--resume` continues.
pub const EXIT_ENGINE: i32 = 6;
/// Exit status: stopped by SIGINT/SIGTERM (128 + SIGINT, as shells report).
pub const EXIT_INTERRUPTED: i32 = 130;

/// `0,1,2` or `0-3` or a mix.
fn parse_gpus(s: &str) -> Result<Vec<String>, CliError> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = match (a.parse(), b.parse()) {
                    (Ok(a), Ok(b)) if a <= b => (a, b),
                    _ => return Err(usage(format!("--gpus: bad range {part:?}"))),
                };
                out.extend((a..=b).map(|i| i.to_string()));
            }
            None => out.push(part.to_string()),
        }
    }
    Ok(out)
}

/// `NAME[:min|:max]`.
fn parse_objective(s: &str) -> Objective {
    let (name, goal) = match s.rsplit_once(':') {
        Some((n, g)) if matches!(g, "min" | "max" | "minimize" | "maximize") => {
            (n, g.starts_with("min"))
        }
        _ => (s, Goal::infer(s) == Goal::Min),
    };
    Objective {
        name: name.to_string(),
        minimize: goal,
    }
}

/// Runs `hp-report tune …`.
pub(crate) fn run(args: &TuneArgs) -> Result<(), CliError> {
    match &args.command {
        Some(TuneCommand::Status(d)) => {
            let e = Experiment::read(&d.dir).map_err(|m| CliError::new(EXIT_LOGDIR, m))?;
            write_stdout(&status_text(&d.dir, &e))
        }
        Some(TuneCommand::Best(b)) => best(b),
        Some(TuneCommand::Retry(r)) => retry(r),
        None => search(&args.run),
    }
}

fn best(b: &BestArgs) -> Result<(), CliError> {
    let e = Experiment::read(&b.dir).map_err(|m| CliError::new(EXIT_LOGDIR, m))?;
    let text = if b.format == "json" {
        best_json(&e).map(|v| format!("{v:#}\n"))
    } else {
        best_text(&e)
    };
    match text {
        Some(t) => write_stdout(&t),
        None => Err(CliError::new(
            crate::cli::EXIT_NO_SESSIONS,
            format!("{}: no succeeded trial yet", b.dir.display()),
        )),
    }
}

/// The space from `-p` and `--space` (file first, `-p` adds or replaces).
fn load_space(
    params: &[String],
    file: Option<&Path>,
) -> Result<(Space, Option<SpaceFile>), CliError> {
    let sf = match file {
        Some(f) => Some(SpaceFile::load(f).map_err(|e| usage(e.to_string()))?),
        None => None,
    };
    let extra = Space::from_args(params).map_err(|e| usage(e.to_string()))?;
    let mut space = sf.as_ref().map(|f| f.space.clone()).unwrap_or_default();
    for p in extra.params {
        match space.params.iter_mut().find(|q| q.name == p.name) {
            Some(q) => *q = p,
            None => space.params.push(p),
        }
    }
    Ok((space, sf))
}

/// The run's config from the arguments, and for `--resume` from `tune.json`
/// where the arguments are silent.
fn config(a: &RunArgs, logdir: &Path) -> Result<Config, CliError> {
    let stored: Option<Spec> = if a.resume {
        Some(journal::read_spec(logdir).map_err(|m| CliError::new(EXIT_LOGDIR, m))?)
    } else {
        None
    };
    let (params, space_file) = match &stored {
        Some(s) if a.params.is_empty() && a.space.is_none() => {
            (s.params.clone(), s.space_file.clone())
        }
        _ => (a.params.clone(), a.space.clone()),
    };
    let (space, sf) = load_space(&params, space_file.as_deref())?;
    let sf = sf.unwrap_or_default();
    let objective = objective_of(a, &sf, stored.as_ref())?;
    let strategy_s = a
        .strategy
        .clone()
        .or_else(|| stored.as_ref().map(|s| s.strategy.clone()));
    let strategy = match strategy_s {
        Some(s) => s.parse::<Strategy>().map_err(usage)?,
        None => Strategy::default(),
    };
    let method = method_of(a, &sf, stored.as_ref())?;
    let early_stop = a
        .early_stop
        .clone()
        .or_else(|| stored.as_ref().and_then(|s| s.early_stop.clone()))
        .map(|r| r.parse::<Rule>())
        .transpose()
        .map_err(|e| usage(e.to_string()))?;
    let warm_start = warm_start(a, stored.as_ref(), method, &space, &objective, strategy)?;
    let mut command = a.command.clone();
    if command.is_empty() {
        command = sf
            .command
            .clone()
            .or_else(|| stored.as_ref().map(|s| s.command.clone()))
            .unwrap_or_default();
    }
    let mut names: Vec<&str> = space.params.iter().map(|p| p.name.as_str()).collect();
    names.extend(runner::extra_placeholders(method));
    check_placeholders(&command, &names).map_err(usage)?;
    let gpus = a
        .gpus
        .as_deref()
        .map(parse_gpus)
        .transpose()?
        .unwrap_or_default();
    let max_trials = a
        .max_trials
        .or(sf.max_trials)
        .or_else(|| stored.as_ref().map(|s| s.max_trials));
    Ok(Config {
        logdir: logdir.to_path_buf(),
        space,
        space_args: params,
        space_file,
        objective,
        strategy,
        method,
        seed: a
            .seed
            .or_else(|| stored.as_ref().map(|s| s.seed))
            .unwrap_or(0),
        max_trials,
        parallel: a
            .exec
            .parallel
            .or(sf.parallel)
            .unwrap_or(if gpus.is_empty() { 1 } else { usize::MAX }),
        max_failures: a.exec.max_failures.or(sf.max_failures),
        target: a.target.or(sf.target),
        budget: a.budget,
        trial_timeout: a.exec.trial_timeout,
        kill_grace: a.exec.kill_grace,
        gpus,
        gpus_per_trial: a.gpus_per_trial,
        command,
        metrics: a.metrics.clone(),
        mode: if a.resume { Mode::Resume } else { Mode::Fresh },
        handle_signals: true,
        early_stop,
        warm_start,
        backend: a.exec.engine.backend(logdir)?,
        population: a
            .population
            .or_else(|| stored.as_ref().and_then(|s| s.population)),
    })
}

/// The objective: `--objective`, else the space file's, else (on
/// `--resume`) the stored one.
fn objective_of(a: &RunArgs, sf: &SpaceFile, stored: Option<&Spec>) -> Result<Objective, CliError> {
    Ok(match (&a.objective, &sf.objective, stored) {
        (Some(o), _, _) => parse_objective(o),
        (None, Some(o), _) => o.clone(),
        (None, None, Some(s)) => Objective {
            name: s.objective.clone(),
            minimize: s.minimize,
        },
        _ => {
            return Err(usage(
                "give the metric to optimise: --objective NAME[:min|:max]",
            ))
        }
    })
}

/// The search method: `--method`, else the space file's, else (on
/// `--resume`) the stored one; random when none is given.
fn method_of(a: &RunArgs, sf: &SpaceFile, stored: Option<&Spec>) -> Result<Method, CliError> {
    let method_s = a
        .method
        .clone()
        .or_else(|| sf.method.clone())
        .or_else(|| stored.map(|s| s.method.clone()));
    Ok(match method_s.as_deref() {
        None | Some("random") => Method::Random,
        Some("grid") => Method::Grid,
        Some("tpe") => Method::Tpe,
        Some("cmaes") => Method::Cmaes,
        Some("gp") => Method::Gp,
        Some("pbt") => Method::Pbt,
        Some(m) => {
            return Err(usage(format!(
                "--method {m:?}: use grid, random, tpe, gp, cmaes or pbt"
            )))
        }
    })
}

/// The `--warm-start` observations (on `--resume`, from the logdirs the
/// experiment started with).
fn warm_start(
    a: &RunArgs,
    stored: Option<&Spec>,
    method: Method,
    space: &Space,
    objective: &Objective,
    strategy: Strategy,
) -> Result<Option<WarmStart>, CliError> {
    let dirs = match (a.warm_start.is_empty(), stored) {
        (false, _) => a.warm_start.clone(),
        (true, Some(s)) => s.warm_start.clone(),
        (true, None) => return Ok(None),
    };
    if dirs.is_empty() {
        return Ok(None);
    }
    if !matches!(method, Method::Tpe | Method::Gp | Method::Cmaes) {
        return Err(usage(
            "--warm-start needs a model-based --method: tpe, gp or cmaes",
        ));
    }
    WarmStart::load(&dirs, space, objective, strategy)
        .map(Some)
        .map_err(|m| CliError::new(EXIT_LOGDIR, format!("--warm-start: {m}")))
}

/// What `--warm-start` took and left, one line per session left out.
fn warm_start_note(w: &WarmStart) -> String {
    let mut out = format!(
        "hp-report tune: warm start: {} prior observations from {} logdir(s), {} sessions ignored\n",
        w.used.len(),
        w.logdirs.len(),
        w.ignored_sessions
    );
    for (what, why) in &w.ignored {
        out.push_str(&format!("  ignored {what}: {why}\n"));
    }
    out
}

fn search(a: &RunArgs) -> Result<(), CliError> {
    if let Some(log) = &a.test_metrics {
        return test_metrics(log);
    }
    if a.print_space {
        let (space, _) = load_space(&a.params, a.space.as_deref())?;
        return write_stdout(&space.describe());
    }
    let Some(logdir) = &a.logdir else {
        return Err(usage("missing --logdir DIR (see hp-report tune --help)"));
    };
    let cfg = config(a, logdir)?;
    if cfg.command.is_empty() {
        return Err(usage(
            "no trial command: give it after `--`, e.g. -- python train.py --lr {lr}",
        ));
    }
    if a.dry_run {
        return dry_run(&cfg);
    }
    execute(&cfg, &a.exec)
}

fn test_metrics(log: &Path) -> Result<(), CliError> {
    let text = if log == Path::new("-") {
        metrics::test_metrics_report(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(log)
            .map_err(|e| CliError::new(EXIT_LOGDIR, format!("{}: {e}", log.display())))?;
        metrics::test_metrics_report(BufReader::new(f))
    };
    write_stdout(&text)
}

fn dry_run(cfg: &Config) -> Result<(), CliError> {
    const SHOWN: u64 = 10;
    let (plan, _) = Plan::of(cfg).map_err(tune_err)?;
    let mut out = format!(
        "{} trials ({}, seed {}), objective {} ({}); the first {}:\n",
        plan.len(),
        cfg.method.as_str(),
        cfg.seed,
        cfg.objective.name,
        if cfg.objective.minimize { "min" } else { "max" },
        plan.len().min(SHOWN)
    );
    if matches!(plan, Plan::Model { .. }) {
        out += "(each trial's values are proposed from the results of the trials before it)\n";
    }
    for i in 0..plan.len().min(SHOWN) {
        if let Some(t) = plan.trial(i) {
            let dir = journal::attempt_dir(i, 1);
            let argv = command_for(&cfg.command, &t);
            out += &format!("{dir}: {}\n", shell_line(&argv));
            out += &engine_dry_run(cfg, &dir, &t, argv)?;
        }
    }
    write_stdout(&out)
}

/// What a remote backend would submit for trial `t` in `dir`: the sbatch
/// command line, the Ray job's entrypoint, the Kubernetes Job manifest.
fn engine_dry_run(
    cfg: &Config,
    dir: &str,
    t: &crate::trainer::Trial,
    argv: Vec<String>,
) -> Result<String, CliError> {
    use crate::tune::engine::{self, k8s, ray, slurm, JobSpec};
    use crate::tune::trial::{trial_env, trial_paths};
    if !cfg.backend.is_remote() {
        return Ok(String::new());
    }
    let (trial_dir, params) = trial_paths(&cfg.logdir, dir);
    let trial_dir = std::path::absolute(&trial_dir).unwrap_or(trial_dir);
    let params = std::path::absolute(&params).unwrap_or(params);
    let job = JobSpec {
        name: engine::job_name(&cfg.logdir, dir),
        env: trial_env(t, &params, &trial_dir, None),
        argv,
        dir: trial_dir,
        slot: 0,
    };
    Ok(match &cfg.backend {
        Backend::Slurm(o) => format!(
            "  {}\n  (job.sh: {})\n",
            shell_line(&slurm::sbatch_argv(&job, &o.sbatch_args)),
            slurm::job_script(&job.argv).lines().last().unwrap_or("")
        ),
        Backend::Ray(_) => {
            let body = ray::submission(&job, &job.name);
            format!("  POST /api/jobs/ {body}\n")
        }
        Backend::K8s(o) => {
            let m = k8s::job_manifest(o, &job).map_err(usage)?;
            let yaml = serde_yaml_ng::to_string(&m).map_err(|e| usage(e.to_string()))?;
            format!("---\n{yaml}")
        }
        Backend::Local => String::new(),
    })
}

fn tune_err(e: TuneError) -> CliError {
    match e {
        TuneError::Usage(m) => usage(m),
        TuneError::Io(m) => CliError::new(EXIT_LOGDIR, m),
    }
}

/// Runs `cfg`, then prints the end reason, the ranked table and the best
/// trial's command line.
fn execute(cfg: &Config, exec: &ExecArgs) -> Result<(), CliError> {
    if let Some(w) = cfg.warm_start.as_ref().filter(|_| !exec.quiet) {
        eprint!("{}", warm_start_note(w));
    }
    let mut view = View::new(&cfg.objective.name, true, exec.quiet);
    let outcome = runner::run(cfg, &mut view).map_err(tune_err)?;
    drop(view);
    eprintln!("hp-report tune: {}", outcome.reason);
    if !exec.quiet && !exec.no_table {
        if let Err(e) = ranked_table(cfg) {
            eprintln!("hp-report tune: no table: {}", e.message);
        }
    }
    let e = Experiment::read(&cfg.logdir).map_err(|m| CliError::new(EXIT_LOGDIR, m))?;
    if !exec.quiet {
        // The states TensorBoard's table cannot show (timeout, killed,
        // metrics unavailable), with the failures' exits.
        let status = status_text(&cfg.logdir, &e);
        let lines: Vec<&str> = status
            .lines()
            .filter(|l| !l.starts_with("best:"))
            .skip(2)
            .collect();
        write_stdout(&format!("{}\n", lines.join("\n")))?;
    }
    if let Some(t) = best_text(&e) {
        write_stdout(&t)?;
    }
    match outcome.reason {
        runner::EndReason::MaxFailures(_) => Err(CliError::new(
            EXIT_TRIALS_FAILED,
            format!(
                "{} (see hp-report tune status {})",
                outcome.reason,
                cfg.logdir.display()
            ),
        )),
        runner::EndReason::EngineFailed(_) => Err(CliError::new(
            EXIT_ENGINE,
            format!(
                "{}; continue with --resume once the engine works",
                outcome.reason
            ),
        )),
        runner::EndReason::Interrupted(_) => Err(CliError::new(
            EXIT_INTERRUPTED,
            format!(
                "stopped; continue with --resume (see hp-report tune status {})",
                cfg.logdir.display()
            ),
        )),
        _ => Ok(()),
    }
}

/// The table `hp-report DIR` prints, ranked by the objective.
fn ranked_table(cfg: &Config) -> Result<(), CliError> {
    let goal = if cfg.objective.minimize { "min" } else { "max" };
    let mut argv: Vec<std::ffi::OsString> =
        vec!["hp-report".into(), cfg.logdir.clone().into_os_string()];
    for a in [
        "--quiet",
        "--sort",
        cfg.objective.name.as_str(),
        "--goal",
        goal,
    ] {
        argv.push(a.into());
    }
    if cfg.strategy != Strategy::Last {
        argv.push("--reduce".into());
        argv.push(runner::strategy_str(cfg.strategy).into());
    }
    let cli = <crate::cli::args::Cli as clap::Parser>::try_parse_from(argv)
        .map_err(|e| usage(e.to_string()))?;
    crate::cli::table::run(&cli.table)
}

fn retry(r: &RetryArgs) -> Result<(), CliError> {
    let states = r
        .status
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.parse::<State>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    let spec = journal::read_spec(&r.dir).map_err(|m| CliError::new(EXIT_LOGDIR, m))?;
    let run_args = RunArgs {
        logdir: Some(r.dir.clone()),
        params: vec![],
        space: None,
        objective: None,
        strategy: None,
        metrics: vec![],
        max_trials: Some(spec.max_trials),
        target: None,
        budget: None,
        method: None,
        early_stop: None,
        warm_start: vec![],
        population: None,
        seed: None,
        gpus: None,
        gpus_per_trial: 1,
        dry_run: false,
        resume: true,
        print_space: false,
        test_metrics: None,
        exec: r.exec.clone(),
        command: vec![],
    };
    let mut cfg = config(&run_args, &r.dir)?;
    cfg.mode = Mode::Retry(states);
    execute(&cfg, &r.exec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::tune_args::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("10x").is_err());
        assert!(parse_duration("-5").is_err());
    }

    #[test]
    fn objectives_and_gpus() {
        let o = parse_objective("val/acc:max");
        assert_eq!((o.name.as_str(), o.minimize), ("val/acc", false));
        assert!(parse_objective("val_loss").minimize);
        assert_eq!(parse_gpus("0-2,5").unwrap(), ["0", "1", "2", "5"]);
    }
}
