//! One hyperparameter value, and session status.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::proto::google::protobuf::{value::Kind, Value};
use crate::proto::tensorboard::hparams::Status as ProtoStatus;

/// A hyperparameter value.
///
/// Integers and floats are kept apart because TensorFlow's default group name
/// hashes `8` and `8.0` differently; on the wire both are a protobuf
/// `number_value` (f64), so values read back from logs are always `Float`.
#[derive(Clone, Debug, PartialEq)]
pub enum HParamValue {
    /// `bool_value`.
    Bool(bool),
    /// An integer (written as `number_value`).
    Int(i64),
    /// `number_value`.
    Float(f64),
    /// `string_value`.
    Str(String),
}

impl HParamValue {
    /// The value as protobuf `Value`.
    pub fn to_proto(&self) -> Value {
        let kind = match self {
            HParamValue::Bool(b) => Kind::BoolValue(*b),
            HParamValue::Int(i) => Kind::NumberValue(*i as f64),
            HParamValue::Float(x) => Kind::NumberValue(*x),
            HParamValue::Str(s) => Kind::StringValue(s.clone()),
        };
        Value { kind: Some(kind) }
    }

    /// A value read from a log; `None` for null, struct and list values, which
    /// TensorBoard ignores too.
    pub fn from_proto(v: &Value) -> Option<Self> {
        match v.kind.as_ref()? {
            Kind::BoolValue(b) => Some(HParamValue::Bool(*b)),
            Kind::NumberValue(x) => Some(HParamValue::Float(*x)),
            Kind::StringValue(s) => Some(HParamValue::Str(s.clone())),
            _ => None,
        }
    }

    /// The number, for `Int` and `Float`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            HParamValue::Int(i) => Some(*i as f64),
            HParamValue::Float(x) => Some(*x),
            _ => None,
        }
    }

    /// True for `Int` and `Float`.
    pub fn is_number(&self) -> bool {
        matches!(self, HParamValue::Int(_) | HParamValue::Float(_))
    }

    /// Orders values of one kind: numbers by value, strings by code point,
    /// `false` before `true`; across kinds bools < numbers < strings.
    pub fn total_cmp(&self, other: &Self) -> std::cmp::Ordering {
        use HParamValue::*;
        fn rank(v: &HParamValue) -> u8 {
            match v {
                Bool(_) => 0,
                Int(_) | Float(_) => 1,
                Str(_) => 2,
            }
        }
        match (self, other) {
            (Bool(a), Bool(b)) => a.cmp(b),
            (Str(a), Str(b)) => a.cmp(b),
            (a, b) if a.is_number() && b.is_number() => {
                let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
                x.total_cmp(&y)
            }
            (a, b) => rank(a).cmp(&rank(b)),
        }
    }
}

impl fmt::Display for HParamValue {
    /// Numbers in shortest round-trip form (`0.001`, `32`), strings as is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HParamValue::Bool(b) => write!(f, "{b}"),
            HParamValue::Int(i) => write!(f, "{i}"),
            HParamValue::Float(x) => write!(f, "{x}"),
            HParamValue::Str(s) => f.write_str(s),
        }
    }
}

impl Serialize for HParamValue {
    /// JSON numbers, strings and bools; non-finite floats as strings
    /// ("NaN", "Infinity", "-Infinity"), which JSON cannot hold as numbers.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            HParamValue::Bool(b) => s.serialize_bool(*b),
            HParamValue::Int(i) => s.serialize_i64(*i),
            HParamValue::Float(x) if x.is_finite() => s.serialize_f64(*x),
            HParamValue::Float(x) if x.is_nan() => s.serialize_str("NaN"),
            HParamValue::Float(x) if *x > 0.0 => s.serialize_str("Infinity"),
            HParamValue::Float(_) => s.serialize_str("-Infinity"),
            HParamValue::Str(v) => s.serialize_str(v),
        }
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for HParamValue {
            fn from(v: $t) -> Self {
                HParamValue::Int(i64::from(v))
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<usize> for HParamValue {
    fn from(v: usize) -> Self {
        HParamValue::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<f64> for HParamValue {
    fn from(v: f64) -> Self {
        HParamValue::Float(v)
    }
}
impl From<f32> for HParamValue {
    /// Widened exactly, like numpy's `float32` becomes a Python float
    /// (0.1f32 → 0.10000000149011612).
    fn from(v: f32) -> Self {
        HParamValue::Float(f64::from(v))
    }
}
impl From<bool> for HParamValue {
    fn from(v: bool) -> Self {
        HParamValue::Bool(v)
    }
}
impl From<&str> for HParamValue {
    fn from(v: &str) -> Self {
        HParamValue::Str(v.to_string())
    }
}
impl From<String> for HParamValue {
    fn from(v: String) -> Self {
        HParamValue::Str(v)
    }
}

/// How a session ended, as TensorBoard shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Status {
    /// No end info written (crashed, or still running and not saying so).
    #[default]
    Unknown,
    /// Finished normally.
    Success,
    /// Failed.
    Failure,
    /// Reported as running.
    Running,
}

impl Status {
    /// TensorBoard's name, e.g. `STATUS_SUCCESS`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unknown => "STATUS_UNKNOWN",
            Status::Success => "STATUS_SUCCESS",
            Status::Failure => "STATUS_FAILURE",
            Status::Running => "STATUS_RUNNING",
        }
    }

    /// The short lower-case name (`success`), as the CLI takes it.
    pub fn short(self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::Success => "success",
            Status::Failure => "failure",
            Status::Running => "running",
        }
    }

    /// The proto enum value.
    pub fn to_proto(self) -> ProtoStatus {
        match self {
            Status::Unknown => ProtoStatus::Unknown,
            Status::Success => ProtoStatus::Success,
            Status::Failure => ProtoStatus::Failure,
            Status::Running => ProtoStatus::Running,
        }
    }

    /// From the proto's integer (unknown numbers → `Unknown`).
    pub fn from_i32(v: i32) -> Self {
        match ProtoStatus::try_from(v) {
            Ok(ProtoStatus::Success) => Status::Success,
            Ok(ProtoStatus::Failure) => Status::Failure,
            Ok(ProtoStatus::Running) => Status::Running,
            _ => Status::Unknown,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
