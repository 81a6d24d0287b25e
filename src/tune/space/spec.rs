//! The SPEC grammar of `-p NAME=SPEC`, and the canonical SPEC of a
//! parameter (what `--print-space` and the space fingerprint show).
//!
//! ```text
//! spec  := call | constant
//! call  := FUNC '(' value (',' value)* ')'
//! value := number | 'true' | 'false' | quoted string | bare string
//! ```
//! Whitespace is allowed around every token. A number is an integer
//! (`32`, `-3`) or a decimal (`0.5`, `.5`, `1e-3`); `nan` and `inf` are
//! strings here (a domain must be finite). A bare string runs to the next
//! `,` or `)` and is trimmed; quote it (`'…'` or `"…"`, `\` escapes the
//! quote and itself) to keep `,`, `(`, `)` or outer spaces. A SPEC that is
//! not `FUNC(…)` is a constant (`-p epochs=20`, `-p opt=adam`); an unknown
//! FUNC before `(` is an error, so quote a constant that looks like a call.

use crate::hparams::HParamValue;

use super::{ParamKind, SpaceError};

/// The functions, with their argument names (for messages).
const FUNCS: &[(&str, &str)] = &[
    ("choice", "a, b, …"),
    ("uniform", "lo, hi"),
    ("loguniform", "lo, hi"),
    ("int", "lo, hi"),
    ("range", "start, stop[, step]"),
    ("quniform", "lo, hi, q"),
    ("qloguniform", "lo, hi, q"),
    ("steps", "lo, hi, step"),
    ("normal", "mu, sigma"),
    ("qnormal", "mu, sigma, q"),
    ("lognormal", "mu, sigma"),
    ("qlognormal", "mu, sigma, q"),
];

/// One argument: its value, its text, and its 1-based character position
/// in the SPEC.
struct Arg {
    value: HParamValue,
    text: String,
    pos: usize,
}

struct Parser<'a> {
    name: &'a str,
    spec: &'a str,
    chars: Vec<char>,
    i: usize,
}

impl Parser<'_> {
    fn err(&self, pos: usize, what: impl std::fmt::Display) -> SpaceError {
        SpaceError::new(format!(
            "parameter {:?}: {what} (at character {pos} of {:?})",
            self.name, self.spec
        ))
    }

    fn skip_ws(&mut self) {
        while self.chars.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    /// A quoted string starting at the quote under the cursor.
    fn quoted(&mut self) -> Result<String, SpaceError> {
        let start = self.i + 1;
        let quote = self.chars[self.i];
        self.i += 1;
        let mut s = String::new();
        loop {
            match self.peek() {
                None => return Err(self.err(start, format!("unclosed {quote} quote"))),
                Some('\\') if matches!(self.chars.get(self.i + 1), Some(c) if *c == quote || *c == '\\') =>
                {
                    s.push(self.chars[self.i + 1]);
                    self.i += 2;
                }
                Some(c) if c == quote => {
                    self.i += 1;
                    return Ok(s);
                }
                Some(c) => {
                    s.push(c);
                    self.i += 1;
                }
            }
        }
    }

    /// One argument of a call, up to (not including) the next `,` or `)`.
    fn arg(&mut self) -> Result<Arg, SpaceError> {
        self.skip_ws();
        let pos = self.i + 1;
        match self.peek() {
            Some('"' | '\'') => {
                let s = self.quoted()?;
                self.skip_ws();
                Ok(Arg {
                    text: s.clone(),
                    value: HParamValue::Str(s),
                    pos,
                })
            }
            _ => {
                let start = self.i;
                while let Some(c) = self.peek() {
                    match c {
                        ',' | ')' => break,
                        '(' => {
                            return Err(
                                self.err(self.i + 1, "unexpected '(' (quote a value that has one)")
                            )
                        }
                        '"' | '\'' => {
                            return Err(self.err(self.i + 1, "a quote inside an unquoted value"))
                        }
                        _ => self.i += 1,
                    }
                }
                let text: String = self.chars[start..self.i].iter().collect();
                let text = text.trim().to_string();
                if text.is_empty() {
                    return Err(self.err(pos, "expected a value"));
                }
                Ok(Arg {
                    value: literal(&text),
                    text,
                    pos,
                })
            }
        }
    }

    /// `FUNC(args)` with the cursor after `(`; returns the arguments and
    /// the position of the closing `)`.
    fn args(&mut self) -> Result<(Vec<Arg>, usize), SpaceError> {
        let mut args = Vec::new();
        loop {
            args.push(self.arg()?);
            match self.peek() {
                Some(',') => self.i += 1,
                Some(')') => {
                    let close = self.i + 1;
                    self.i += 1;
                    self.skip_ws();
                    if self.i < self.chars.len() {
                        return Err(self.err(self.i + 1, "unexpected text after ')'"));
                    }
                    return Ok((args, close));
                }
                _ => return Err(self.err(self.chars.len() + 1, "missing ')'")),
            }
        }
    }
}

/// A bare value: integer, decimal, bool, else the string itself.
pub(super) fn literal(text: &str) -> HParamValue {
    if is_int_literal(text) {
        if let Ok(i) = text.parse::<i64>() {
            return HParamValue::Int(i);
        }
    }
    if crate::tune::metrics::is_number_text(text) {
        if let Ok(x) = text.parse::<f64>() {
            if x.is_finite() {
                return HParamValue::Float(x);
            }
        }
    }
    match text {
        "true" | "True" | "TRUE" => HParamValue::Bool(true),
        "false" | "False" | "FALSE" => HParamValue::Bool(false),
        _ => HParamValue::Str(text.to_string()),
    }
}

fn is_int_literal(s: &str) -> bool {
    let d = s.strip_prefix(['+', '-']).unwrap_or(s);
    !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
}

/// Parses a SPEC (the text after `NAME=`) for parameter `name`.
pub(crate) fn parse_spec(name: &str, spec: &str) -> Result<ParamKind, SpaceError> {
    let mut p = Parser {
        name,
        spec,
        chars: spec.chars().collect(),
        i: 0,
    };
    p.skip_ws();
    let fstart = p.i;
    while p
        .peek()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        p.i += 1;
    }
    let func: String = p.chars[fstart..p.i].iter().collect();
    p.skip_ws();
    let is_call = !func.is_empty()
        && func.starts_with(|c: char| c.is_ascii_alphabetic())
        && p.peek() == Some('(');
    if !is_call {
        return constant(&mut p);
    }
    let Some(&(func, sig)) = FUNCS.iter().find(|(f, _)| *f == func) else {
        let known: Vec<&str> = FUNCS.iter().map(|(f, _)| *f).collect();
        return Err(p.err(
            fstart + 1,
            format!(
                "unknown function {func:?}; expected one of {} (quote a constant that looks like a call)",
                known.join(", ")
            ),
        ));
    };
    p.i += 1;
    let (args, close) = p.args()?;
    build(&p, func, sig, fstart + 1, &args, close)
}

/// A constant SPEC: the whole text, quoted or bare.
fn constant(p: &mut Parser) -> Result<ParamKind, SpaceError> {
    p.i = 0;
    p.skip_ws();
    match p.peek() {
        None => Err(p.err(1, "empty SPEC")),
        Some('"' | '\'') => {
            let s = p.quoted()?;
            p.skip_ws();
            if p.i < p.chars.len() {
                return Err(p.err(p.i + 1, "unexpected text after the quoted constant"));
            }
            Ok(ParamKind::Const(HParamValue::Str(s)))
        }
        Some(_) => Ok(ParamKind::Const(literal(p.spec.trim()))),
    }
}

fn num(p: &Parser, a: &Arg) -> Result<f64, SpaceError> {
    match &a.value {
        HParamValue::Int(i) => Ok(*i as f64),
        HParamValue::Float(x) => Ok(*x),
        _ => Err(p.err(a.pos, format!("expected a number, got {:?}", a.text))),
    }
}

fn int(p: &Parser, a: &Arg) -> Result<i64, SpaceError> {
    match &a.value {
        HParamValue::Int(i) => Ok(*i),
        _ => Err(p.err(a.pos, format!("expected an integer, got {:?}", a.text))),
    }
}

/// Checks a call's argument count: `choice` takes any, `range` two or
/// three, the two-bound and two-moment forms two, the quantised forms three.
fn check_arity(
    p: &Parser,
    func: &str,
    sig: &str,
    args: &[Arg],
    close: usize,
) -> Result<(), SpaceError> {
    let want = match func {
        "choice" => None,
        "range" => Some(2..=3),
        "uniform" | "loguniform" | "int" | "normal" | "lognormal" => Some(2..=2),
        _ => Some(3..=3),
    };
    if let Some(w) = &want {
        if !w.contains(&args.len()) {
            let pos = args.get(*w.end()).map_or(close, |a| a.pos);
            return Err(p.err(
                pos,
                format!(
                    "{func}({sig}) takes {} arguments, got {}",
                    w.end(),
                    args.len()
                ),
            ));
        }
    }
    Ok(())
}

/// Builds the kind from a call's arguments, checking their count and values.
fn build(
    p: &Parser,
    func: &str,
    sig: &str,
    fpos: usize,
    args: &[Arg],
    close: usize,
) -> Result<ParamKind, SpaceError> {
    check_arity(p, func, sig, args, close)?;
    let n = |i: usize| num(p, &args[i]);
    let kind = match func {
        "choice" => ParamKind::Choice(args.iter().map(|a| a.value.clone()).collect()),
        "uniform" => ParamKind::Uniform {
            lo: n(0)?,
            hi: n(1)?,
        },
        "loguniform" => ParamKind::LogUniform {
            lo: n(0)?,
            hi: n(1)?,
        },
        "int" => ParamKind::Int {
            lo: int(p, &args[0])?,
            hi: int(p, &args[1])?,
        },
        "range" => ParamKind::Range {
            start: n(0)?,
            stop: n(1)?,
            step: if args.len() == 3 { n(2)? } else { 1.0 },
        },
        "quniform" => ParamKind::QUniform {
            lo: n(0)?,
            hi: n(1)?,
            q: n(2)?,
        },
        "qloguniform" => ParamKind::QLogUniform {
            lo: n(0)?,
            hi: n(1)?,
            q: n(2)?,
        },
        "steps" => ParamKind::Stepped {
            lo: n(0)?,
            hi: n(1)?,
            step: n(2)?,
        },
        "normal" => ParamKind::Normal {
            mu: n(0)?,
            sigma: n(1)?,
            q: None,
        },
        "qnormal" => ParamKind::Normal {
            mu: n(0)?,
            sigma: n(1)?,
            q: Some(n(2)?),
        },
        "lognormal" => ParamKind::LogNormal {
            mu: n(0)?,
            sigma: n(1)?,
            q: None,
        },
        _ => ParamKind::LogNormal {
            mu: n(0)?,
            sigma: n(1)?,
            q: Some(n(2)?),
        },
    };
    if let Err((arg, why)) = validate(&kind) {
        let pos = arg.and_then(|i| args.get(i)).map_or(fpos, |a| a.pos);
        return Err(p.err(pos, why));
    }
    Ok(kind)
}

/// Checks a kind's values; on error, the index of the argument at fault
/// (if one is) and why. Shared with the space-file dialects.
pub(crate) fn validate(kind: &ParamKind) -> Result<(), (Option<usize>, String)> {
    use ParamKind::*;
    let finite = |xs: &[f64]| -> Result<(), (Option<usize>, String)> {
        match xs.iter().position(|x| !x.is_finite()) {
            Some(i) => Err((Some(i), format!("{} is not a finite number", xs[i]))),
            None => Ok(()),
        }
    };
    let ordered = |lo: f64, hi: f64| -> Result<(), (Option<usize>, String)> {
        if lo > hi {
            Err((
                Some(1),
                format!("the upper bound {hi} is below the lower bound {lo}"),
            ))
        } else {
            Ok(())
        }
    };
    let positive = |i: usize, x: f64, what: &str| -> Result<(), (Option<usize>, String)> {
        if x > 0.0 {
            Ok(())
        } else {
            Err((Some(i), format!("{what} must be > 0, got {x}")))
        }
    };
    match kind {
        Choice(v) => check_choice(v),
        Uniform { lo, hi } => finite(&[*lo, *hi]).and_then(|_| ordered(*lo, *hi)),
        LogUniform { lo, hi } => finite(&[*lo, *hi])
            .and_then(|_| positive(0, *lo, "a log scale's lower bound"))
            .and_then(|_| ordered(*lo, *hi)),
        Int { lo, hi } => ordered(*lo as f64, *hi as f64),
        Range { start, stop, step } => {
            finite(&[*start, *stop, *step])?;
            if *step == 0.0 {
                return Err((Some(2), "the step must not be 0".into()));
            }
            if super::draw::range_len(*start, *stop, *step) == 0 {
                return Err((
                    Some(1),
                    format!("range({start}, {stop}, {step}) is empty (the stop is excluded)"),
                ));
            }
            Ok(())
        }
        QUniform { lo, hi, q } => finite(&[*lo, *hi, *q])
            .and_then(|_| ordered(*lo, *hi))
            .and_then(|_| positive(2, *q, "q")),
        QLogUniform { lo, hi, q } => finite(&[*lo, *hi, *q])
            .and_then(|_| positive(0, *lo, "a log scale's lower bound"))
            .and_then(|_| ordered(*lo, *hi))
            .and_then(|_| positive(2, *q, "q")),
        Stepped { lo, hi, step } => finite(&[*lo, *hi, *step])
            .and_then(|_| ordered(*lo, *hi))
            .and_then(|_| positive(2, *step, "the step")),
        Normal { mu, sigma, q } | LogNormal { mu, sigma, q } => {
            finite(&[*mu, *sigma, q.unwrap_or(1.0)])?;
            positive(1, *sigma, "sigma")?;
            q.map_or(Ok(()), |q| positive(2, q, "q"))
        }
        Const(v) => match v.as_f64() {
            Some(x) if !x.is_finite() => Err((None, format!("{x} is not a finite number"))),
            _ => Ok(()),
        },
    }
}

/// A choice needs values of one kind: all numbers, all strings or all bools.
fn check_choice(v: &[HParamValue]) -> Result<(), (Option<usize>, String)> {
    let kind = |v: &HParamValue| match v {
        HParamValue::Bool(_) => "a bool",
        HParamValue::Int(_) | HParamValue::Float(_) => "a number",
        HParamValue::Str(_) => "a string",
    };
    let Some(first) = v.first() else {
        return Err((None, "choice() needs at least one value".into()));
    };
    if let Some(i) = v.iter().position(|x| kind(x) != kind(first)) {
        return Err((
            Some(i),
            format!(
                "choice values must all be numbers, all strings or all bools: {:?} is {}, {:?} is {} \
                 (quote numbers to make them strings)",
                super::format_value(first),
                kind(first),
                super::format_value(&v[i]),
                kind(&v[i])
            ),
        ));
    }
    if let Some(x) = v
        .iter()
        .filter_map(HParamValue::as_f64)
        .find(|x| !x.is_finite())
    {
        return Err((None, format!("{x} is not a finite number")));
    }
    Ok(())
}

/// A number in shortest round-trip form that reads back as a number:
/// `0.1`, `1e-5`, `32.0`.
fn f(x: f64) -> String {
    format!("{x:?}")
}

/// A value as a SPEC argument: numbers as numbers, strings quoted.
fn value_spec(v: &HParamValue) -> String {
    match v {
        HParamValue::Bool(b) => b.to_string(),
        HParamValue::Int(i) => i.to_string(),
        HParamValue::Float(x) => f(*x),
        HParamValue::Str(s) => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

/// The canonical SPEC of a kind.
pub(crate) fn to_spec(kind: &ParamKind) -> String {
    use ParamKind::*;
    match kind {
        Choice(v) => format!(
            "choice({})",
            v.iter().map(value_spec).collect::<Vec<_>>().join(", ")
        ),
        Uniform { lo, hi } => format!("uniform({}, {})", f(*lo), f(*hi)),
        LogUniform { lo, hi } => format!("loguniform({}, {})", f(*lo), f(*hi)),
        Int { lo, hi } => format!("int({lo}, {hi})"),
        Range { start, stop, step } => format!("range({}, {}, {})", f(*start), f(*stop), f(*step)),
        QUniform { lo, hi, q } => format!("quniform({}, {}, {})", f(*lo), f(*hi), f(*q)),
        QLogUniform { lo, hi, q } => format!("qloguniform({}, {}, {})", f(*lo), f(*hi), f(*q)),
        Stepped { lo, hi, step } => format!("steps({}, {}, {})", f(*lo), f(*hi), f(*step)),
        Normal { mu, sigma, q: None } => format!("normal({}, {})", f(*mu), f(*sigma)),
        Normal {
            mu,
            sigma,
            q: Some(q),
        } => {
            format!("qnormal({}, {}, {})", f(*mu), f(*sigma), f(*q))
        }
        LogNormal { mu, sigma, q: None } => format!("lognormal({}, {})", f(*mu), f(*sigma)),
        LogNormal {
            mu,
            sigma,
            q: Some(q),
        } => {
            format!("qlognormal({}, {}, {})", f(*mu), f(*sigma), f(*q))
        }
        Const(v) => value_spec(v),
    }
}
