//! Borrowed views of the parts of an `Event` that a reader needs.
//!
//! [`EventView::parse`] reads an event's wall time, step and payload kind
//! without copying; [`ValueView`] does the same for each `Summary.Value`, and
//! [`ValueView::scalar`] gets the number out of the common scalar encodings
//! (`simple_value`, TF2 rank-0 float tensors) without allocating, falling
//! back to a full decode for rare tensor layouts. Metadata stays as bytes
//! until the caller decides it needs it (once per tag).

use prost::Message;

use crate::proto::tensorboard::TensorProto;
use crate::wire::{FieldValue, Fields, Malformed};

/// What an event carries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Payload<'a> {
    /// `file_version`, e.g. "brain.Event:2".
    FileVersion(&'a [u8]),
    /// A serialized `Summary`.
    Summary(&'a [u8]),
    /// A `SessionLog` with its status (1 = START).
    SessionLog(i32),
    /// Anything else (graphs, run metadata, log messages) or nothing.
    Other,
}

/// The fields of an `Event` a reader uses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EventView<'a> {
    /// Seconds since the epoch (0 if absent).
    pub wall_time: f64,
    /// Step (0 if absent).
    pub step: i64,
    /// The `what` oneof (the last one wins, as in protobuf).
    pub payload: Payload<'a>,
}

impl<'a> EventView<'a> {
    /// Parses an `Event`'s bytes.
    pub fn parse(buf: &'a [u8]) -> Result<Self, Malformed> {
        let mut ev = EventView {
            wall_time: 0.0,
            step: 0,
            payload: Payload::Other,
        };
        for f in Fields::new(buf) {
            match f? {
                (1, FieldValue::Fixed64(b)) => ev.wall_time = f64::from_bits(b),
                (2, FieldValue::Varint(v)) => ev.step = v as i64,
                (3, FieldValue::Bytes(b)) => ev.payload = Payload::FileVersion(b),
                (5, FieldValue::Bytes(b)) => ev.payload = Payload::Summary(b),
                (7, FieldValue::Bytes(b)) => {
                    let mut status = 0;
                    for g in Fields::new(b) {
                        if let (1, FieldValue::Varint(v)) = g? {
                            status = v as i32;
                        }
                    }
                    ev.payload = Payload::SessionLog(status);
                }
                (4 | 6 | 8 | 9, _) => ev.payload = Payload::Other,
                (1..=10, FieldValue::Varint(_) | FieldValue::Fixed32(_))
                | (1, FieldValue::Bytes(_)) => return Err(Malformed),
                _ => {}
            }
        }
        Ok(ev)
    }
}

/// The value oneof of a `Summary.Value`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ValueKind<'a> {
    /// Legacy scalar.
    SimpleValue(f32),
    /// A serialized `TensorProto`.
    Tensor(&'a [u8]),
    /// Image, audio, histogram: not a scalar.
    Other,
    /// No value set.
    None,
}

/// One `Summary.Value`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ValueView<'a> {
    /// `tag` bytes (may be empty).
    pub tag: &'a [u8],
    /// Legacy `node_name`, used as the tag when `tag` is empty.
    pub node_name: &'a [u8],
    /// Serialized `SummaryMetadata`, if present.
    pub metadata: Option<&'a [u8]>,
    /// The value.
    pub kind: ValueKind<'a>,
}

/// Iterates the values of a serialized `Summary`.
pub fn summary_values(summary: &[u8]) -> impl Iterator<Item = Result<ValueView<'_>, Malformed>> {
    Fields::new(summary).filter_map(|f| match f {
        Ok((1, FieldValue::Bytes(b))) => Some(ValueView::parse(b)),
        Ok((1, _)) => Some(Err(Malformed)),
        Ok(_) => None,
        Err(e) => Some(Err(e)),
    })
}

impl<'a> ValueView<'a> {
    /// Parses a `Summary.Value`'s bytes.
    pub fn parse(buf: &'a [u8]) -> Result<Self, Malformed> {
        let mut v = ValueView {
            tag: &[],
            node_name: &[],
            metadata: None,
            kind: ValueKind::None,
        };
        for f in Fields::new(buf) {
            match f? {
                (1, FieldValue::Bytes(b)) => v.tag = b,
                (7, FieldValue::Bytes(b)) => v.node_name = b,
                (9, FieldValue::Bytes(b)) => v.metadata = Some(b),
                (2, FieldValue::Fixed32(x)) => v.kind = ValueKind::SimpleValue(f32::from_bits(x)),
                (8, FieldValue::Bytes(b)) => v.kind = ValueKind::Tensor(b),
                (3..=6, FieldValue::Bytes(_)) => v.kind = ValueKind::Other,
                (1 | 7 | 9 | 8 | 3..=6, _) | (2, _) => return Err(Malformed),
                _ => {}
            }
        }
        Ok(v)
    }

    /// The tag, falling back to `node_name` when empty (as TensorBoard's
    /// Python loader does).
    pub fn effective_tag(&self) -> &'a [u8] {
        if self.tag.is_empty() {
            self.node_name
        } else {
            self.tag
        }
    }

    /// The scalar this value holds, if any (see [`crate::summary::scalar_of`]
    /// for the accepted encodings).
    pub fn scalar(&self) -> Option<f64> {
        match self.kind {
            ValueKind::SimpleValue(x) => Some(f64::from(x)),
            ValueKind::Tensor(t) => tensor_scalar_fast(t)
                .or_else(|| crate::summary::tensor_scalar(&TensorProto::decode(t).ok()?)),
            _ => None,
        }
    }
}

/// The common case without allocating: a `DT_FLOAT`/`DT_DOUBLE` tensor with
/// no dims (or all dims 1) and its element in `tensor_content` or a
/// single-element packed `float_val`/`double_val`. Anything else → `None`
/// (and the caller falls back to a full decode).
fn tensor_scalar_fast(buf: &[u8]) -> Option<f64> {
    let mut dtype = 0u64;
    let mut content: &[u8] = &[];
    let mut float_val: &[u8] = &[];
    let mut double_val: &[u8] = &[];
    for f in Fields::new(buf) {
        match f.ok()? {
            (1, FieldValue::Varint(d)) => dtype = d,
            (2, FieldValue::Bytes(shape)) => {
                for g in Fields::new(shape) {
                    match g.ok()? {
                        (2, FieldValue::Bytes(dim)) => {
                            for h in Fields::new(dim) {
                                if let (1, FieldValue::Varint(size)) = h.ok()? {
                                    if size != 1 {
                                        return None;
                                    }
                                }
                            }
                        }
                        (3, FieldValue::Varint(0)) => {}
                        _ => return None,
                    }
                }
            }
            (4, FieldValue::Bytes(b)) => content = b,
            (5, FieldValue::Bytes(b)) => float_val = b,
            (6, FieldValue::Bytes(b)) => double_val = b,
            (3, FieldValue::Varint(_)) => {}
            _ => return None,
        }
    }
    match (dtype, content.len(), float_val.len(), double_val.len()) {
        (1, 4, 0, 0) => Some(f64::from(f32::from_le_bytes(content.try_into().ok()?))),
        (1, 0, 4, 0) => Some(f64::from(f32::from_le_bytes(float_val.try_into().ok()?))),
        (2, 8, 0, 0) => Some(f64::from_le_bytes(content.try_into().ok()?)),
        (2, 0, 0, 8) => Some(f64::from_le_bytes(double_val.try_into().ok()?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::tensorboard::{event, summary, Event, Summary};
    use crate::summary::scalar_summary;

    #[test]
    fn views_agree_with_prost() {
        let ev = Event {
            wall_time: 1_700_000_001.5,
            step: 77,
            what: Some(event::What::Summary(scalar_summary("accuracy", 0.99, true))),
            source_metadata: None,
        };
        let bytes = ev.encode_to_vec();
        let v = EventView::parse(&bytes).unwrap();
        assert_eq!(v.wall_time, 1_700_000_001.5);
        assert_eq!(v.step, 77);
        let Payload::Summary(s) = v.payload else {
            panic!()
        };
        let vals: Vec<_> = summary_values(s).collect::<Result<_, _>>().unwrap();
        assert_eq!(vals.len(), 1);
        assert_eq!(vals[0].tag, b"accuracy");
        assert!(vals[0].metadata.is_some());
        assert_eq!(vals[0].scalar(), Some(f64::from(0.99f32)));
    }

    #[test]
    fn simple_value_vector_from_the_spec() {
        let bytes = [
            0x09, 0x00, 0x00, 0x60, 0x40, 0xfc, 0x54, 0xd9, 0x41, 0x10, 0x03, 0x2a, 0x0d, 0x0a,
            0x0b, 0x0a, 0x04, b'l', b'o', b's', b's', 0x15, 0x00, 0x00, 0x00, 0x3f,
        ];
        let v = EventView::parse(&bytes).unwrap();
        assert_eq!((v.wall_time, v.step), (1_700_000_001.5, 3));
        let Payload::Summary(s) = v.payload else {
            panic!()
        };
        let val = summary_values(s).next().unwrap().unwrap();
        assert_eq!((val.tag, val.scalar()), (&b"loss"[..], Some(0.5)));
        let _ = Summary {
            value: vec![summary::Value::default()],
        };
    }

    #[test]
    fn negative_steps_and_garbage() {
        let ev = Event {
            step: -5,
            ..Default::default()
        };
        assert_eq!(EventView::parse(&ev.encode_to_vec()).unwrap().step, -5);
        assert!(EventView::parse(&[0x09, 0x01]).is_err());
        assert!(EventView::parse(&[0x2a, 0x7f]).is_err());
    }
}
