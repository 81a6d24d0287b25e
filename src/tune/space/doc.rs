//! The document tree the space-file readers share: YAML or JSON text
//! parsed into one tree, a context for messages that name the file,
//! parameter and key, and value helpers (numbers that may be strings, as
//! Katib writes them).

/// A parsed space file: YAML's tree keeps the file's key order (so the
/// parameters keep theirs), which serde_json's map would sort.
pub(super) use serde_yaml_ng::Value;

use crate::hparams::HParamValue;

use super::{Param, ParamKind, SpaceError};

/// Where in a file a reader is, for messages: `FILE: parameter "lr"
/// (parameters.lr.min): …`.
#[derive(Clone)]
pub(super) struct Ctx<'a> {
    pub file: &'a str,
    pub param: Option<&'a str>,
    pub key: String,
}

impl<'a> Ctx<'a> {
    pub fn new(file: &'a str) -> Self {
        Ctx {
            file,
            param: None,
            key: String::new(),
        }
    }

    /// The context one key deeper (`parameters` → `parameters.lr`).
    pub fn at(&self, key: &str) -> Ctx<'a> {
        let mut c = self.clone();
        if !c.key.is_empty() {
            c.key.push('.');
        }
        c.key.push_str(key);
        c
    }

    /// The context of parameter `name`, at `key`.
    pub fn param(&self, name: &'a str, key: &str) -> Ctx<'a> {
        let mut c = self.at(key);
        c.param = Some(name);
        c
    }

    pub fn err(&self, what: impl std::fmt::Display) -> SpaceError {
        let mut m = format!("{}: ", self.file);
        if let Some(p) = self.param {
            m.push_str(&format!("parameter {p:?}: "));
        }
        m.push_str(&what.to_string());
        if !self.key.is_empty() {
            m.push_str(&format!(" (at {})", self.key));
        }
        SpaceError::new(m)
    }

    /// Checks a kind built from the file (bounds ordered, finite, …).
    pub fn checked(&self, name: &str, kind: ParamKind) -> Result<Param, SpaceError> {
        super::check_name(name).map_err(|why| self.err(why))?;
        super::spec::validate(&kind).map_err(|(_, why)| self.err(why))?;
        Ok(Param {
            name: name.to_string(),
            kind,
        })
    }

    /// A member of an object, if present and not null.
    pub fn get<'v>(&self, obj: &'v Value, key: &str) -> Option<&'v Value> {
        obj.get(key).filter(|v| !v.is_null())
    }

    /// A number, also from a string (`"0.01"`, as Katib writes values).
    pub fn num(&self, v: &Value) -> Result<f64, SpaceError> {
        let x = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) if crate::tune::metrics::is_number_text(s.trim()) => {
                s.trim().parse().ok()
            }
            _ => None,
        };
        x.filter(|x| x.is_finite())
            .ok_or_else(|| self.err(format!("expected a number, got {}", show(v))))
    }

    /// An integer, also from a string; `3.0` is accepted, `3.5` is not.
    pub fn int(&self, v: &Value) -> Result<i64, SpaceError> {
        if let Some(i) = v.as_i64() {
            return Ok(i);
        }
        let x = self.num(v)?;
        if x.fract() == 0.0 && x.abs() < 9.0e15 {
            Ok(x as i64)
        } else {
            Err(self.err(format!("expected an integer, got {}", show(v))))
        }
    }

    /// The member `key` as a number; an error naming it when absent.
    pub fn num_at(&self, obj: &Value, key: &str) -> Result<f64, SpaceError> {
        let c = self.at(key);
        match self.get(obj, key) {
            Some(v) => c.num(v),
            None => Err(c.err(format!("missing `{key}`"))),
        }
    }

    /// The member `key` as a number, or `default` when absent.
    pub fn num_or(&self, obj: &Value, key: &str, default: f64) -> Result<f64, SpaceError> {
        match self.get(obj, key) {
            Some(v) => self.at(key).num(v),
            None => Ok(default),
        }
    }

    /// A count (`run_cap`, `maxTrialCount`, …): a non-negative integer.
    pub fn count(&self, obj: &Value, key: &str) -> Result<Option<u64>, SpaceError> {
        let Some(v) = self.get(obj, key) else {
            return Ok(None);
        };
        let c = self.at(key);
        let i = c.int(v)?;
        u64::try_from(i)
            .map(Some)
            .map_err(|_| c.err(format!("expected a count ≥ 0, got {i}")))
    }

    /// A JSON scalar as an hparam value (`null`, lists and maps refused).
    pub fn value(&self, v: &Value) -> Result<HParamValue, SpaceError> {
        match v {
            Value::Bool(b) => Ok(HParamValue::Bool(*b)),
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Ok(HParamValue::Int(i)),
                (None, Some(x)) if x.is_finite() => Ok(HParamValue::Float(x)),
                _ => Err(self.err(format!("{n} is not a usable number"))),
            },
            Value::String(s) => Ok(HParamValue::Str(s.clone())),
            other => Err(self.err(format!(
                "expected a number, string or bool, got {} (nested or conditional values are not supported)",
                show(other)
            ))),
        }
    }

    /// A list member as hparam values.
    pub fn values(&self, v: &Value) -> Result<Vec<HParamValue>, SpaceError> {
        let Some(list) = v.as_sequence() else {
            return Err(self.err(format!("expected a list, got {}", show(v))));
        };
        if list.is_empty() {
            return Err(self.err("the list of values is empty"));
        }
        list.iter()
            .enumerate()
            .map(|(i, x)| self.at(&i.to_string()).value(x))
            .collect()
    }

    /// A string member.
    pub fn str_at<'v>(&self, obj: &'v Value, key: &str) -> Result<Option<&'v str>, SpaceError> {
        match self.get(obj, key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(self
                .at(key)
                .err(format!("expected a string, got {}", show(v)))),
        }
    }
}

/// A value as JSON text, for messages.
pub(super) fn show(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| format!("{v:?}"))
}

/// A mapping key as a name (`1:` is the name "1").
pub(super) fn key_str(k: &Value) -> String {
    match k {
        Value::String(s) => s.clone(),
        other => show(other),
    }
}

/// Parses YAML or JSON text into one tree. JSON's own parser is tried first
/// when the text starts with `{` or `[` (YAML reads most JSON too, but not
/// every JSON file, e.g. one indented with tabs).
pub(super) fn parse_text(text: &str, file: &str) -> Result<Value, SpaceError> {
    let t = text.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Value>(text) {
            return Ok(v);
        }
    }
    serde_yaml_ng::from_str::<Value>(text)
        .map_err(|e| SpaceError::new(format!("{file}: not valid YAML or JSON: {e}")))
}
