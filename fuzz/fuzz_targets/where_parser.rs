//! Fuzz target: the `--where` condition parser
//! (`hp_report::analysis::Condition`). Any text must parse or give
//! an error, never panic; a parsed condition must print as text that parses
//! back to the same column, operator and value.

#![no_main]

use hp_report::analysis::{Condition, Operand};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(c) = text.parse::<Condition>() else {
        return;
    };
    let printed = c.to_string();
    let again: Condition = match printed.parse() {
        Ok(a) => a,
        Err(e) => panic!("{text:?} printed as {printed:?}, which does not parse: {e}"),
    };
    assert_eq!((&again.name, again.op), (&c.name, c.op), "{text:?} -> {printed:?}");
    match (&c.value, &again.value) {
        (Operand::Number(a), Operand::Number(b)) => {
            assert!(a == b || (a.is_nan() && b.is_nan()), "{text:?} -> {printed:?}")
        }
        (a, b) => assert_eq!(a, b, "{text:?} -> {printed:?}"),
    }
});
