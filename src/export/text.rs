//! Making text from logs safe and short for human-facing outputs.

/// Replaces control characters (newlines, escapes, ...) with visible escapes
/// (`\n`, `\t`, `\x1b`, ...), so that a hostile name cannot break a table or
/// drive the terminal.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Display width of `s`, counting each char as one column.
pub fn width(s: &str) -> usize {
    s.chars().count()
}

/// Shortens `s` to `max` columns with a middle ellipsis (`validat…_loss`)
/// so that both ends, usually the informative parts, stay visible.
pub fn elide(s: &str, max: usize) -> String {
    let n = width(s);
    if n <= max {
        return s.to_string();
    }
    if max <= 1 {
        return "…".chars().take(max).collect();
    }
    let keep = max - 1;
    let head = keep.div_ceil(2);
    let tail = keep - head;
    let chars: Vec<char> = s.chars().collect();
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(chars[n - tail..].iter());
    out
}

/// A metric value with 4 decimals (or scientific for very small/large).
pub fn metric(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e6) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(printable("a\nb\x1b[31m"), "a\\nb\\x1b[31m");
        assert_eq!(elide("validation/epoch_loss", 9), "vali…loss");
        assert_eq!(elide("short", 9), "short");
        assert_eq!(metric(0.912345), "0.9123");
        assert_eq!(metric(0.00001), "1.000e-5");
        assert_eq!(metric(f64::NAN), "NaN");
    }
}
