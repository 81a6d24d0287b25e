//! hparams that trainers record outside TensorBoard's hparams plugin, read
//! into flat `name → value` maps: Lightning's `hparams.yaml`, Ray Tune's
//! `params.json`, and the JSON of Hugging Face's TrainingArguments (a text
//! summary). Nested mappings are flattened with `.` (`model.width`); lists
//! are kept as one string (`[32, 32]`); nulls are left out, as tensorboardX
//! leaves out `None`.
//!
//! Both readers are small on purpose: `hparams.yaml` is `yaml.dump` of a
//! mapping (block style: `key: scalar`, nested mappings indented, lists as
//! `- item` lines), and the JSON is a plain object. Anything they cannot
//! read is an error naming the line or byte, never a panic.

use std::collections::BTreeMap;

use crate::hparams::HParamValue;

/// Flat hparams read from a side file or text.
pub(crate) type Flat = BTreeMap<String, HParamValue>;

/// A YAML scalar as PyYAML's `safe_load` types it: null, bool, int, float,
/// or string (quotes removed).
fn yaml_scalar(s: &str) -> Option<HParamValue> {
    let s = s.trim();
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return None,
        "true" | "True" | "TRUE" => return Some(HParamValue::Bool(true)),
        "false" | "False" | "FALSE" => return Some(HParamValue::Bool(false)),
        ".inf" | "+.inf" | ".Inf" => return Some(HParamValue::Float(f64::INFINITY)),
        "-.inf" | "-.Inf" => return Some(HParamValue::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" => return Some(HParamValue::Float(f64::NAN)),
        _ => {}
    }
    if let Some(inner) = s.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return Some(HParamValue::Str(inner.replace("''", "'")));
    }
    if let Some(inner) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return Some(HParamValue::Str(unescape_basic(inner)));
    }
    if let Ok(i) = s.parse::<i64>() {
        return Some(HParamValue::Int(i));
    }
    let numeric = s
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b"+-.".contains(&b));
    if numeric {
        if let Ok(x) = s.parse::<f64>() {
            return Some(HParamValue::Float(x));
        }
    }
    Some(HParamValue::Str(s.to_string()))
}

/// `\"`, `\\`, `\n`, `\t` in a double-quoted YAML string; others kept.
fn unescape_basic(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

/// A list's items as one string, `[a, b]` (Lightning's `str(list)` style).
fn list_string(items: &[String]) -> HParamValue {
    HParamValue::Str(format!("[{}]", items.join(", ")))
}

/// Reads a `yaml.dump`ed mapping. Errors name the first line it cannot read.
pub(crate) fn parse_yaml(text: &str) -> Result<Flat, String> {
    let mut out = Flat::new();
    // Open mappings: (indent of their keys, dotted prefix).
    let mut stack: Vec<(usize, String)> = Vec::new();
    // A key waiting for its value on the next lines: (indent, name, items).
    let mut pending: Option<(usize, String, Vec<String>)> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') || body == "---" || body == "..." {
            continue;
        }
        let indent = line.len() - body.len();
        if let Some(item) = body.strip_prefix("- ").or((body == "-").then_some("")) {
            match &mut pending {
                Some((at, _, items)) if indent >= *at => {
                    items.push(item.trim().to_string());
                    continue;
                }
                _ => return Err(format!("line {}: a list item outside a list", n + 1)),
            }
        }
        if let Some((at, name, items)) = pending.take() {
            if !items.is_empty() {
                out.insert(name, list_string(&items));
            } else if indent > at {
                stack.push((indent, format!("{name}.")));
            }
            // An empty value: null, left out.
        }
        while stack.last().is_some_and(|(at, _)| indent < *at) {
            stack.pop();
        }
        let prefix = stack.last().map(|(_, p)| p.as_str()).unwrap_or("");
        let Some((key, value)) = split_key(body) else {
            return Err(format!("line {}: not `key: value`", n + 1));
        };
        let name = format!("{prefix}{key}");
        let value = value.trim();
        if value.is_empty() {
            pending = Some((indent, name, Vec::new()));
        } else if value.starts_with('!') {
            // A Python-specific tag (`!!python/tuple`): keep its text.
            out.insert(name, HParamValue::Str(value.to_string()));
        } else if let Some(v) = yaml_scalar(value) {
            out.insert(name, v);
        }
    }
    if let Some((_, name, items)) = pending {
        if !items.is_empty() {
            out.insert(name, list_string(&items));
        }
    }
    Ok(out)
}

/// `key: value` (the key possibly quoted); `None` when there is no `: `.
fn split_key(body: &str) -> Option<(String, &str)> {
    for quote in ['\'', '"'] {
        if let Some(rest) = body.strip_prefix(quote) {
            let end = rest.find(quote)?;
            let after = rest[end + 1..].strip_prefix(':')?;
            return Some((rest[..end].to_string(), after));
        }
    }
    let i = body
        .find(": ")
        .or_else(|| body.strip_suffix(':').map(|k| k.len()))?;
    let value = body.get(i + 1..).unwrap_or("");
    Some((body[..i].trim().to_string(), value))
}

/// A JSON value, as far as flattening needs it.
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// An array, kept as compact text.
    Array(String),
    Object(Vec<(String, Json)>),
}

/// Reads a JSON object into flat hparams.
pub(crate) fn parse_json(text: &str) -> Result<Flat, String> {
    let mut p = JsonParser {
        s: text.as_bytes(),
        i: 0,
        depth: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("byte {}: text after the JSON value", p.i));
    }
    let Json::Object(fields) = v else {
        return Err("not a JSON object".to_string());
    };
    let mut out = Flat::new();
    flatten("", fields, &mut out);
    Ok(out)
}

fn flatten(prefix: &str, fields: Vec<(String, Json)>, out: &mut Flat) {
    for (k, v) in fields {
        let name = format!("{prefix}{k}");
        let value = match v {
            Json::Null => continue,
            Json::Bool(b) => HParamValue::Bool(b),
            Json::Int(i) => HParamValue::Int(i),
            Json::Float(x) => HParamValue::Float(x),
            Json::Str(s) | Json::Array(s) => HParamValue::Str(s),
            Json::Object(inner) => {
                flatten(&format!("{name}."), inner, out);
                continue;
            }
        };
        out.insert(name, value);
    }
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
    depth: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|b| b.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn err(&self, what: &str) -> String {
        format!("byte {}: {what}", self.i)
    }

    fn eat(&mut self, b: u8) -> Result<(), String> {
        self.ws();
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(&format!("expected `{}`", b as char)))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        self.depth += 1;
        if self.depth > 64 {
            return Err(self.err("nested too deeply"));
        }
        let v = match self.s.get(self.i) {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Json::Str),
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'n') => self.word("null", Json::Null),
            Some(b'N') => self.word("NaN", Json::Float(f64::NAN)),
            Some(b'I') => self.word("Infinity", Json::Float(f64::INFINITY)),
            Some(_) => self.number(),
            None => Err(self.err("unexpected end")),
        };
        self.depth -= 1;
        v
    }

    fn word(&mut self, w: &str, v: Json) -> Result<Json, String> {
        if self.s[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(v)
        } else {
            Err(self.err("unknown word"))
        }
    }

    fn object(&mut self) -> Result<Json, String> {
        self.eat(b'{')?;
        let mut fields = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Json::Object(fields));
        }
        loop {
            self.ws();
            let k = self.string()?;
            self.eat(b':')?;
            fields.push((k, self.value()?));
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Json::Object(fields));
                }
                _ => return Err(self.err("expected `,` or `}`")),
            }
        }
    }

    /// An array as compact text: `["a", 1]`.
    fn array(&mut self) -> Result<Json, String> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Json::Array("[]".into()));
        }
        loop {
            items.push(match self.value()? {
                Json::Null => "null".to_string(),
                Json::Bool(b) => b.to_string(),
                Json::Int(i) => i.to_string(),
                Json::Float(x) => x.to_string(),
                Json::Str(s) => format!("{s:?}"),
                Json::Array(a) => a,
                Json::Object(_) => "{…}".to_string(),
            });
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Json::Array(format!("[{}]", items.join(", "))));
                }
                _ => return Err(self.err("expected `,` or `]`")),
            }
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.i;
        while self
            .s
            .get(self.i)
            .is_some_and(|b| b.is_ascii_digit() || b"+-.eE".contains(b))
        {
            self.i += 1;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
        if text == "-" && self.s[self.i..].starts_with(b"Infinity") {
            self.i += "Infinity".len();
            return Ok(Json::Float(f64::NEG_INFINITY));
        }
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Json::Int(i));
        }
        text.parse::<f64>()
            .map(Json::Float)
            .map_err(|_| format!("byte {start}: not a JSON value"))
    }

    fn string(&mut self) -> Result<String, String> {
        self.eat(b'"')?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&b) = self.s.get(self.i) else {
                return Err(self.err("unterminated string"));
            };
            self.i += 1;
            match b {
                b'"' => return Ok(String::from_utf8_lossy(&out).into_owned()),
                b'\\' => {
                    let c = self.escape()?;
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(b),
            }
        }
    }

    fn escape(&mut self) -> Result<char, String> {
        let Some(&e) = self.s.get(self.i) else {
            return Err(self.err("unterminated escape"));
        };
        self.i += 1;
        Ok(match e {
            b'n' => '\n',
            b't' => '\t',
            b'r' => '\r',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'u' => {
                let hi = self.hex4()?;
                if (0xD800..0xDC00).contains(&hi) && self.s[self.i..].starts_with(b"\\u") {
                    self.i += 2;
                    let lo = self.hex4()?;
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
                    char::from_u32(c).unwrap_or('\u{FFFD}')
                } else {
                    char::from_u32(hi).unwrap_or('\u{FFFD}')
                }
            }
            other => other as char,
        })
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .s
            .get(self.i..self.i + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.err("bad \\u escape"))?;
        self.i += 4;
        Ok(digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> HParamValue {
        HParamValue::Str(x.into())
    }

    #[test]
    fn yaml_dump_of_lightning_hparams() {
        let text = "ar_layers:\n- 32\n- 32\nbatch_size: 32\nempty: []\nimpute_missing: true\n\
                    learning_rate: 1.0e-05\nloss_func: SmoothL1Loss\nname: 'a: b'\nseed: null\n\
                    trainer_config:\n  accelerator: cpu\n  inner:\n    depth: 2\n  max_epochs: 8\n\
                    zeta: 0.5\n";
        let got = parse_yaml(text).unwrap();
        let want: Flat = [
            ("ar_layers", s("[32, 32]")),
            ("batch_size", HParamValue::Int(32)),
            ("empty", s("[]")),
            ("impute_missing", HParamValue::Bool(true)),
            ("learning_rate", HParamValue::Float(1e-5)),
            ("loss_func", s("SmoothL1Loss")),
            ("name", s("a: b")),
            ("trainer_config.accelerator", s("cpu")),
            ("trainer_config.inner.depth", HParamValue::Int(2)),
            ("trainer_config.max_epochs", HParamValue::Int(8)),
            ("zeta", HParamValue::Float(0.5)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(got, want);
        assert!(parse_yaml("just words\n").is_err());
        assert!(parse_yaml("- 1\n").is_err());
    }

    #[test]
    fn json_objects_flatten() {
        let got = parse_json(
            r#"{"lr": 0.01, "n": 3, "ok": false, "skip": null, "tags": ["a", 1],
                "model": {"width": 64, "act": "re\u006cu"}, "s": "x\"y"}"#,
        )
        .unwrap();
        assert_eq!(got["lr"], HParamValue::Float(0.01));
        assert_eq!(got["n"], HParamValue::Int(3));
        assert_eq!(got["ok"], HParamValue::Bool(false));
        assert!(!got.contains_key("skip"));
        assert_eq!(got["tags"], s("[\"a\", 1]"));
        assert_eq!(got["model.width"], HParamValue::Int(64));
        assert_eq!(got["model.act"], s("relu"));
        assert_eq!(got["s"], s("x\"y"));
        for bad in [
            "[1]",
            "{\"a\": }",
            "{\"a\": 1",
            "{\"a\": 1} x",
            "{\"a\": \"\\u12\"}",
        ] {
            assert!(parse_json(bad).is_err(), "{bad}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(parse_json(&format!("{{\"a\": {deep}}}")).is_err());
    }
}
