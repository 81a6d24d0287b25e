//! `--where` conditions: `NAME OP VALUE`, e.g. `optimizer=adam`, `lr<0.01`,
//! `validation/epoch_accuracy>=0.9`, `optimizer!=sgd`, `session~adam`.
//!
//! NAME is an hparam name, a metric (`group/tag`, or a tag that is unique),
//! or `session`/`group`. OP is one of `=` (or `==`), `!=`, `<`, `<=`, `>`,
//! `>=`, `~` (contains). VALUE is a number, `true`/`false`, or text (quotes
//! optional). This module only parses; `analysis::rank` applies
//! conditions to the table.

use crate::error::ParseError;
use std::fmt;
use std::str::FromStr;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `=` or `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `~`: the text contains the value.
    Contains,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Contains => "~",
        }
    }

    /// Applies the operator to an ordering of `cell` against the value.
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Eq => ord == Equal,
            Op::Ne => ord != Equal,
            Op::Lt => ord == Less,
            Op::Le => ord != Greater,
            Op::Gt => ord == Greater,
            Op::Ge => ord != Less,
            Op::Contains => false,
        }
    }
}

/// The right-hand side of a condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// A number (also matches text that parses as the same number).
    Number(f64),
    /// `true` / `false`.
    Bool(bool),
    /// Anything else.
    Text(String),
}

impl Operand {
    fn parse(raw: &str) -> Operand {
        let t = raw.trim();
        let unquoted = ['"', '\''].iter().find_map(|q| {
            t.strip_prefix(*q)
                .and_then(|r| r.strip_suffix(*q))
                .filter(|_| t.len() >= 2)
        });
        if let Some(u) = unquoted {
            return Operand::Text(u.to_string());
        }
        match t {
            "true" | "True" => return Operand::Bool(true),
            "false" | "False" => return Operand::Bool(false),
            _ => {}
        }
        match t.parse::<f64>() {
            Ok(x) if !t.is_empty() => Operand::Number(x),
            _ => Operand::Text(t.to_string()),
        }
    }

    /// The operand as text (numbers in shortest form).
    pub fn text(&self) -> String {
        match self {
            Operand::Number(x) => x.to_string(),
            Operand::Bool(b) => b.to_string(),
            Operand::Text(s) => s.clone(),
        }
    }
}

/// One `--where` condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// Column name as written.
    pub name: String,
    /// Operator.
    pub op: Op,
    /// Value.
    pub value: Operand,
}

impl FromStr for Condition {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // The operator is the leftmost operator character; two-character
        // operators win at that position.
        let pos = s
        .char_indices()
        .find(|(_, c)| matches!(c, '=' | '!' | '<' | '>' | '~'))
        .map(|(i, _)| i)
        .ok_or_else(|| {
            format!("malformed condition {s:?}: expected NAME OP VALUE with OP one of = != < <= > >= ~ (e.g. 'lr<0.01')")
        })?;
        let rest = &s[pos..];
        let (op, len) = if rest.starts_with("<=") {
            (Op::Le, 2)
        } else if rest.starts_with(">=") {
            (Op::Ge, 2)
        } else if rest.starts_with("!=") {
            (Op::Ne, 2)
        } else if rest.starts_with("==") {
            (Op::Eq, 2)
        } else if rest.starts_with('=') {
            (Op::Eq, 1)
        } else if rest.starts_with('<') {
            (Op::Lt, 1)
        } else if rest.starts_with('>') {
            (Op::Gt, 1)
        } else if rest.starts_with('~') {
            (Op::Contains, 1)
        } else {
            return Err(
                format!("malformed condition {s:?}: '!' must be followed by '=' (use !=)").into(),
            );
        };
        let name = s[..pos].trim();
        if name.is_empty() {
            return Err(format!(
                "malformed condition {s:?}: no column name before {:?}",
                op.symbol()
            )
            .into());
        }
        let raw = &s[pos + len..];
        if raw.trim().is_empty() {
            return Err(format!(
                "malformed condition {s:?}: no value after {:?}",
                op.symbol()
            )
            .into());
        }
        Ok(Condition {
            name: name.to_string(),
            op,
            value: Operand::parse(raw),
        })
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            // Quoted, so that text that looks like a number, or is empty,
            // reads back as text.
            Operand::Text(t) => write!(f, "{} {} '{t}'", self.name, self.op.symbol()),
            v => write!(f, "{} {} {}", self.name, self.op.symbol(), v.text()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        let c: Condition = "optimizer=adam".parse().unwrap();
        assert_eq!(
            (c.name.as_str(), c.op, c.value),
            ("optimizer", Op::Eq, Operand::Text("adam".into()))
        );
        let c: Condition = "lr<0.01".parse().unwrap();
        assert_eq!((c.op, c.value), (Op::Lt, Operand::Number(0.01)));
        let c: Condition = "validation/epoch_accuracy >= 0.9".parse().unwrap();
        assert_eq!(
            (c.name.as_str(), c.op),
            ("validation/epoch_accuracy", Op::Ge)
        );
        let c: Condition = "use_bn==true".parse().unwrap();
        assert_eq!(c.value, Operand::Bool(true));
        let c: Condition = "name!='8'".parse().unwrap();
        assert_eq!((c.op, c.value), (Op::Ne, Operand::Text("8".into())));
        let c: Condition = "session~adam".parse().unwrap();
        assert_eq!(c.op, Op::Contains);
    }

    #[test]
    fn never_panics_and_round_trips() {
        // 200k random strings over the characters that matter to the
        // parser (operators, quotes, spaces, multi-byte text).
        let alphabet: Vec<char> = "=!<>~ '\"ab1.-e/_é日\u{0}\n".chars().collect();
        let mut rng = crate::rng::SplitMix64::new(42);
        for _ in 0..200_000 {
            let len = rng.below(12) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
                .collect();
            if let Ok(c) = s.parse::<Condition>() {
                // What we print parses back to the same name and operator.
                let again: Condition = c
                    .to_string()
                    .parse()
                    .unwrap_or_else(|e| panic!("{s:?} -> {c} -> {e}"));
                assert_eq!((again.name, again.op), (c.name.clone(), c.op), "{s:?}");
            }
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["", "lr", "=3", "lr<", "lr!3", "  <= 2", "x=  "] {
            assert!(bad.parse::<Condition>().is_err(), "{bad:?}");
        }
    }
}
