//! TensorBoard's default hparams `group_name` (trial id), bit-equal to Python.
//!
//! When `hp.hparams(d)` (or `hp.KerasCallback`) is called without an explicit
//! `trial_id`, TensorBoard derives the session's `group_name` as
//!
//! ```python
//! hashlib.sha256(
//!     json.dumps(d, sort_keys=True, separators=(",", ":")).encode("utf-8")
//! ).hexdigest()
//! ```
//!
//! where `d` maps hparam names to Python values (`bool`, `int`, `float`,
//! `str`). This module reproduces that byte for byte: [`canonical_json`]
//! mirrors `json.dumps` (with its default `ensure_ascii=True` and
//! `allow_nan=True`), [`python_float_repr`] mirrors `repr(float)`, and
//! [`group_name`] hashes the result.
//!
//! Python's `int` and `float` are kept distinct ([`PyValue::Int`] vs
//! [`PyValue::Float`]): `8` serializes as `8` but `8.0` as `8.0`, so they give
//! different group names. Note that the hparams protobuf stores every number as
//! a double, so a reader cannot always tell which one the writer used; for
//! example, `hp.IntInterval`/`hp.Discrete([32, ...])` hparams are Python ints.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// One hparam value as Python would hold it (ints and floats are distinct: 8 and 8.0 hash differently).
#[derive(Clone, Debug, PartialEq)]
pub enum PyValue<'a> {
    /// A Python `bool`, serialized as `true` / `false`.
    Bool(bool),
    /// A Python `int`, serialized as a plain decimal integer.
    Int(i64),
    /// A Python `float`, serialized with [`python_float_repr`].
    Float(f64),
    /// A Python `str`, serialized as an ASCII-only JSON string.
    Str(&'a str),
}

/// Python `json.dumps(d, sort_keys=True, separators=(",", ":"))` of the map (ensure_ascii=True).
///
/// Keys are sorted by Unicode code point (for UTF-8 `&str` this is plain byte
/// order). If a key occurs more than once, the **last** value wins, as it would
/// when building the Python dict from the same sequence of pairs.
///
/// Strings (keys and values) are escaped like Python's ASCII encoder: `"` and
/// `\` are backslash-escaped, `\n \r \t \b \f` use their short forms, and every
/// other character outside printable ASCII (`' '..='~'`, so including control
/// characters and DEL `0x7f`) is written as `\uXXXX` in lowercase hex, with
/// characters beyond the BMP written as a UTF-16 surrogate pair. `/` is not
/// escaped. Non-finite floats are written as `NaN`, `Infinity` and `-Infinity`
/// (Python's `allow_nan=True` default).
pub fn canonical_json<'a>(pairs: impl IntoIterator<Item = (&'a str, PyValue<'a>)>) -> String {
    // BTreeMap<&str, _> orders keys by bytes == code point order, and
    // `insert` replaces earlier values, so the last duplicate wins.
    let map: BTreeMap<&str, PyValue<'a>> = pairs.into_iter().collect();
    let mut out = String::with_capacity(2 + map.len() * 16);
    out.push('{');
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(&mut out, key);
        out.push(':');
        match value {
            PyValue::Bool(true) => out.push_str("true"),
            PyValue::Bool(false) => out.push_str("false"),
            PyValue::Int(n) => {
                let _ = write!(out, "{n}");
            }
            PyValue::Float(x) => out.push_str(&python_float_repr(*x)),
            PyValue::Str(s) => push_json_string(&mut out, s),
        }
    }
    out.push('}');
    out
}

/// Lowercase hex SHA-256 of `canonical_json`.
///
/// This is the `group_name` TensorBoard assigns to an hparams session when no
/// explicit `trial_id` is given.
pub fn group_name<'a>(pairs: impl IntoIterator<Item = (&'a str, PyValue<'a>)>) -> String {
    let digest = Sha256::digest(canonical_json(pairs).as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Python's `repr(float)`: shortest round-trip digits, integral floats keep ".0", exponent form iff decimal exponent < -4 or >= 16 (e.g. 1e-05, 1.5e-05, 1e+16, 1.7976931348623157e+308), "NaN", "Infinity", "-Infinity" as json.dumps writes them, -0.0 stays "-0.0".
///
/// Fixed notation examples: `0.0001`, `100.0`, `1000000000000000.0`. In
/// exponent form the exponent has a sign and at least two digits, and a
/// single-digit mantissa has no fractional part (`1e-05`, `1e+100`).
///
/// Like CPython's dtoa, when two shortest candidates are equally close to `x`
/// the one with the even last digit is chosen (`111275153569243.125` gives
/// `111275153569243.12`); Rust's own shortest formatting would round that tie up.
pub fn python_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }

    // Rust's `{:e}` yields the shortest round-trip digits, e.g. "-1.2345e-7",
    // "1e16", "0e0", "-0e0". When two candidates with that many digits are
    // equally close to `x` (an exact tie), Rust rounds the tie up while
    // CPython's dtoa picks the even last digit (e.g. 111275153569243.125 is
    // "111275153569243.12" in Python, not ".13"). Rust's fixed-precision `{:.*e}`
    // is exact and rounds ties to even, so re-round to the same digit count and
    // prefer that whenever it still round-trips.
    let shortest = format!("{x:e}");
    let digit_count = shortest
        .split('e')
        .next()
        .map_or(1, |m| m.bytes().filter(u8::is_ascii_digit).count());
    let nearest = format!("{:.*e}", digit_count.saturating_sub(1), x);
    let sci = if nearest != shortest && nearest.parse::<f64>() == Ok(x) {
        nearest
    } else {
        shortest
    };
    let (negative, sci) = match sci.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, sci.as_str()),
    };
    let (mantissa, exp) = sci
        .split_once('e')
        .expect("`{:e}` output always contains an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` exponent is an integer");
    // Significant digits d1 d2 ... dn; value = d1.d2...dn * 10^exp. (Trailing
    // zeros cannot occur for the shortest digits, but strip them defensively.)
    let digits: String = mantissa.chars().filter(|&c| c != '.').collect();
    let digits = match digits.trim_end_matches('0') {
        "" => "0",
        trimmed => trimmed,
    };
    let n = digits.len() as i32;

    let mut out = String::with_capacity(n as usize + 8);
    if negative {
        out.push('-');
    }
    if !(-4..16).contains(&exp) {
        // Exponent form: d1[.d2...dn]e±XX
        out.push_str(&digits[..1]);
        if n > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(
            out,
            "e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.unsigned_abs()
        );
    } else if exp < 0 {
        // 0.000ddd
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        // Integer part has exp + 1 digits, zero-padded; fraction is the rest or "0".
        let int_len = exp + 1;
        if n <= int_len {
            out.push_str(digits);
            for _ in 0..(int_len - n) {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.push_str(&digits[..int_len as usize]);
            out.push('.');
            out.push_str(&digits[int_len as usize..]);
        }
    }
    out
}

/// Appends `s` as a JSON string literal the way Python's
/// `json.encoder.encode_basestring_ascii` writes it.
fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    //! Expected JSON strings and hex digests below were produced by CPython
    //! 3.11's `json.dumps(d, sort_keys=True, separators=(",", ":"))` and
    //! `hashlib.sha256(...).hexdigest()`, not by this module.

    use super::*;
    use PyValue::{Bool, Float, Int, Str};

    /// Exactly -111275153569243.125 (written as a quotient to keep clippy's
    /// `excessive_precision` quiet): halfway between ...243.12 and ...243.13.
    const TIE_NEG: f64 = -890201228553945.0 / 8.0;
    /// Exactly 2056655888558458.25: halfway between ...458.2 and ...458.3.
    const TIE_POS: f64 = 8226623554233833.0 / 4.0;

    #[test]
    fn tie_constants_are_exact() {
        // Bit patterns taken from Python's struct.pack("<d", ...).
        assert_eq!(TIE_NEG.to_bits(), 0xc2d9_4d11_000d_76c8);
        assert_eq!(TIE_POS.to_bits(), 0x431d_3a12_0ea6_a5e9);
    }

    fn check(pairs: &[(&str, PyValue<'_>)], json: &str, hex: &str) {
        assert_eq!(canonical_json(pairs.iter().cloned()), json);
        assert_eq!(group_name(pairs.iter().cloned()), hex);
    }

    #[test]
    fn mixed_types() {
        check(
            &[
                ("units", Int(8)),
                ("optimizer", Str("adam")),
                ("layers", Int(2)),
                ("dropout", Float(0.1)),
                ("batchnorm", Bool(true)),
            ],
            r#"{"batchnorm":true,"dropout":0.1,"layers":2,"optimizer":"adam","units":8}"#,
            "11a700598ca7f4483c52cfc300550bdcb9a883c1d741a803295624b235b8efbc",
        );
        check(
            &[
                ("bn", Bool(true)),
                ("lr", Float(0.1)),
                ("opt", Str("adam")),
                ("units", Int(8)),
            ],
            r#"{"bn":true,"lr":0.1,"opt":"adam","units":8}"#,
            "6f04e3a71e1a26c372988ef1234bc5dd31ca5265d1273790dda45163ef5674ea",
        );
    }

    /// The Keras fixtures (`peers/gen_keras_mlp.py`) use `hp.IntInterval` for
    /// `deep_layers` and `hp.Discrete([32, 64, 128])` for `deep_layer_size`,
    /// so those are Python ints; only `learning_rate` is a float.
    #[test]
    fn keras_fixture_groups() {
        check(
            &[
                ("deep_layer_size", Int(32)),
                ("deep_layers", Int(1)),
                ("learning_rate", Float(0.001)),
            ],
            r#"{"deep_layer_size":32,"deep_layers":1,"learning_rate":0.001}"#,
            "d9887ce6afeb304b6b3325a7d14e5d3c71c160c66343374405515d82106206f4",
        );
        check(
            &[
                ("deep_layer_size", Int(32)),
                ("deep_layers", Int(1)),
                ("learning_rate", Float(0.1)),
            ],
            r#"{"deep_layer_size":32,"deep_layers":1,"learning_rate":0.1}"#,
            "a367c6d535fb013df8816e04ebd6120a172ad98e1914b091226bb1a8998bef55",
        );
        check(
            &[
                ("deep_layer_size", Int(128)),
                ("deep_layers", Int(1)),
                ("learning_rate", Float(0.001)),
            ],
            r#"{"deep_layer_size":128,"deep_layers":1,"learning_rate":0.001}"#,
            "b39113b71456e149f526acbacec8934ebd9861a851b75423f3daf983c6e8b77b",
        );
        // Same groups with the ints written as floats hash differently.
        check(
            &[
                ("deep_layer_size", Float(32.0)),
                ("deep_layers", Float(1.0)),
                ("learning_rate", Float(0.001)),
            ],
            r#"{"deep_layer_size":32.0,"deep_layers":1.0,"learning_rate":0.001}"#,
            "15d0a58c9f2490b56c5d9d9d8f0a47f960a383bde30bbf6f063d601e8b00e613",
        );
    }

    #[test]
    fn int_vs_float() {
        check(
            &[("units", Int(8))],
            r#"{"units":8}"#,
            "f9442c059f992413e9a744f0943d261ad08044e5232667f07a7ae4f1f17cd95e",
        );
        check(
            &[("units", Float(8.0))],
            r#"{"units":8.0}"#,
            "3de6449c6ae45f56a200f92e0e1d5c2a46c798fd5f8faeba3d736257e6883be2",
        );
    }

    #[test]
    fn float_layouts() {
        check(
            &[
                ("a", Float(1e-05)),
                ("b", Float(1.5e-05)),
                ("c", Float(1e16)),
                ("d", Float(123456789012345680.0)),
                ("e", Float(0.0001)),
                ("f", Float(-0.0)),
            ],
            r#"{"a":1e-05,"b":1.5e-05,"c":1e+16,"d":1.2345678901234568e+17,"e":0.0001,"f":-0.0}"#,
            "7a25f7810c1c0093d4ac5a6a5e7f3c4b633cd447a4f24c4a9ff827b263a5825b",
        );
        check(
            &[
                ("tiny", Float(5e-324)),
                ("max", Float(f64::MAX)),
                ("neg", Float(f64::MIN)),
            ],
            r#"{"max":1.7976931348623157e+308,"neg":-1.7976931348623157e+308,"tiny":5e-324}"#,
            "18cae4ddfdc56b47819665530df71875e409fbea88bae736e6486a10877a6ffc",
        );
        check(
            &[
                ("x", Float(0.1 + 0.2)),
                ("y", Float(100.0)),
                ("z", Float(1e15)),
                ("w", Float(9999999999999998.0)),
                ("v", Float(12345.678)),
                ("u", Float(-2.5e-7)),
                ("p", Float(1e22)),
                ("q", Float(1e-4)),
                ("r", Float(0.00012)),
            ],
            r#"{"p":1e+22,"q":0.0001,"r":0.00012,"u":-2.5e-07,"v":12345.678,"w":9999999999999998.0,"x":0.30000000000000004,"y":100.0,"z":1000000000000000.0}"#,
            "e7bbbdbbb86c893e85dba38a069468c977a71630237e3ecd3b88bba2ab4d99e6",
        );
    }

    #[test]
    fn float_ties_round_half_even() {
        check(
            &[("tie", Float(TIE_NEG)), ("big", Float(TIE_POS))],
            r#"{"big":2056655888558458.2,"tie":-111275153569243.12}"#,
            "325d88548e369fa930fb8aaa915a827fb0d393b4d9584e181b2f1af1b0b69cd4",
        );
    }

    #[test]
    fn non_finite_floats() {
        check(
            &[
                ("nan", Float(f64::NAN)),
                ("pinf", Float(f64::INFINITY)),
                ("ninf", Float(f64::NEG_INFINITY)),
            ],
            r#"{"nan":NaN,"ninf":-Infinity,"pinf":Infinity}"#,
            "eb73d2bd86b9009df61905775f43802de0398b619569e6e865b678b40abb768f",
        );
    }

    #[test]
    fn float_repr_matches_python() {
        // (value, Python `repr(value)`)
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e-05, "1e-05"),
            (1.5e-05, "1.5e-05"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001234, "1.234e-05"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (1e100, "1e+100"),
            (1.5, "1.5"),
            (-1.5, "-1.5"),
            (100.0, "100.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (9007199254740993.0, "9007199254740992.0"),
            (1e-7, "1e-07"),
            (6.02214076e23, "6.02214076e+23"),
            (12.375, "12.375"),
            (-123.456e-10, "-1.23456e-08"),
            (9.223372036854776e18, "9.223372036854776e+18"),
            (0.3, "0.3"),
            // Exact ties between two shortest candidates: Python picks the even digit.
            (TIE_NEG, "-111275153569243.12"),
            (TIE_POS, "2056655888558458.2"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for &(x, want) in cases {
            assert_eq!(python_float_repr(x), want, "repr of {x:?}");
        }
    }

    #[test]
    fn ints_and_bools() {
        check(
            &[
                ("i", Int(i64::MIN)),
                ("j", Int(i64::MAX)),
                ("k", Int(0)),
                ("l", Int(-1)),
                ("t", Bool(true)),
                ("f", Bool(false)),
            ],
            r#"{"f":false,"i":-9223372036854775808,"j":9223372036854775807,"k":0,"l":-1,"t":true}"#,
            "72b10cc562a0259468eefe49d8f0230e08a5a1e3f940418ee4ada1a063f1fb76",
        );
    }

    #[test]
    fn non_ascii_strings() {
        check(
            &[("s", Str("é")), ("t", Str("日本")), ("u", Str("😀"))],
            r#"{"s":"\u00e9","t":"\u65e5\u672c","u":"\ud83d\ude00"}"#,
            "f027bf9bd0c276cc357166ae3a2e6f88d4a924e5e60ec0f519c7bb1da3b79be6",
        );
    }

    #[test]
    fn escapes() {
        // Python escapes DEL (0x7f) too: its ASCII encoder passes only ' '..='~'.
        check(
            &[
                ("q", Str("say \"hi\"")),
                ("bs", Str("a\\b")),
                ("nl", Str("x\ny")),
                ("tab", Str("x\ty")),
                ("c1", Str("\x01")),
                ("del", Str("\x7f")),
                ("sl", Str("a/b")),
                ("cr", Str("\r")),
                ("bf", Str("\x08\x0c")),
                ("nul", Str("\0")),
                ("us", Str("\x1f")),
            ],
            r#"{"bf":"\b\f","bs":"a\\b","c1":"\u0001","cr":"\r","del":"\u007f","nl":"x\ny","nul":"\u0000","q":"say \"hi\"","sl":"a/b","tab":"x\ty","us":"\u001f"}"#,
            "f83d41f2363314d92921262e7727bc4af6964779bc3cdf0c97f96ed67b7c47a1",
        );
    }

    #[test]
    fn key_order_and_key_escaping() {
        check(
            &[
                ("é", Int(1)),
                ("z", Int(2)),
                ("Z", Int(3)),
                ("a", Int(4)),
                ("日本", Int(5)),
                ("😀", Int(6)),
                ("\u{ffff}", Int(7)),
                ("ä", Int(8)),
                ("b\"q", Int(9)),
            ],
            r#"{"Z":3,"a":4,"b\"q":9,"z":2,"\u00e4":8,"\u00e9":1,"\u65e5\u672c":5,"\uffff":7,"\ud83d\ude00":6}"#,
            "e0bbb48b20577769963e04d1c3094bea106addbf845b0bcd0ab813e4718f6291",
        );
    }

    #[test]
    fn empty_map() {
        check(
            &[],
            "{}",
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        );
    }

    #[test]
    fn duplicate_keys_last_wins() {
        // Python: dict([("a", 1), ("b", True), ("a", 2)]) == {"a": 2, "b": True}
        let pairs = [("a", Int(1)), ("b", Bool(true)), ("a", Int(2))];
        assert_eq!(canonical_json(pairs.iter().cloned()), r#"{"a":2,"b":true}"#);
        assert_eq!(
            group_name(pairs.iter().cloned()),
            group_name([("b", Bool(true)), ("a", Int(2))])
        );
    }
}
