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
pub use crate::wire::Malformed;
use crate::wire::{FieldValue, Fields};

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

/// Splits a one-byte-length-prefixed or varint-length-prefixed field body
/// off the front of `p` (after its key). `None` if malformed (the caller
/// then takes the general path, which reports it).
#[inline]
fn take_len_delimited<'a>(p: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = crate::wire::read_varint(p).ok()?;
    let len = usize::try_from(len).ok()?;
    if p.len() < len {
        return None;
    }
    let (body, rest) = p.split_at(len);
    *p = rest;
    Some(body)
}

impl<'a> EventView<'a> {
    /// Parses an `Event`'s bytes.
    #[inline(always)]
    pub fn parse(buf: &'a [u8]) -> Result<Self, Malformed> {
        match Self::parse_common(buf) {
            Some(ev) => Ok(ev),
            None => Self::parse_general(buf),
        }
    }

    /// The hot path: an event made only of the fields every scalar event
    /// has (`wall_time`, `step`, `file_version`, `summary`), each with the
    /// expected wire type. Anything else, malformed input included, gives
    /// `None` and the general parser decides, so the result is always the
    /// general parser's.
    #[inline(always)]
    fn parse_common(buf: &'a [u8]) -> Option<Self> {
        let mut ev = EventView {
            wall_time: 0.0,
            step: 0,
            payload: Payload::Other,
        };
        let mut p = buf;
        // The fields in the order writers put them, straight through (a
        // loop over a `match` costs an indirect jump per field); whatever
        // is left goes round the loop, which gives the same result.
        if let [0x09, rest @ ..] = p {
            let (b, rest) = rest.split_first_chunk::<8>()?;
            ev.wall_time = f64::from_le_bytes(*b);
            p = rest;
        }
        if let [0x10, rest @ ..] = p {
            // Steps below 16,384 take one or two bytes; read_varint takes
            // one inline and calls out for more, so the second is here.
            ev.step = match rest {
                [b0, b1, r @ ..] if *b0 >= 0x80 && *b1 < 0x80 => {
                    p = r;
                    i64::from(b0 & 0x7f) | i64::from(*b1) << 7
                }
                _ => {
                    p = rest;
                    crate::wire::read_varint(&mut p).ok()? as i64
                }
            };
        }
        if let [0x2a, rest @ ..] = p {
            p = rest;
            ev.payload = Payload::Summary(take_len_delimited(&mut p)?);
        }
        while let Some((&key, rest)) = p.split_first() {
            p = rest;
            match key {
                0x09 => {
                    let (b, rest) = p.split_first_chunk::<8>()?;
                    ev.wall_time = f64::from_le_bytes(*b);
                    p = rest;
                }
                0x10 => ev.step = crate::wire::read_varint(&mut p).ok()? as i64,
                0x1a => ev.payload = Payload::FileVersion(take_len_delimited(&mut p)?),
                0x2a => ev.payload = Payload::Summary(take_len_delimited(&mut p)?),
                _ => return None,
            }
        }
        Some(ev)
    }

    fn parse_general(buf: &'a [u8]) -> Result<Self, Malformed> {
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

/// The tag and number of a `Summary` of exactly one value made of a tag
/// and a `DT_FLOAT` rank-0 tensor with nothing else (no metadata): what
/// every scalar event but a tag's first carries (TF2, Keras, our writer).
/// Anything else gives `None`, and [`summary_values`] is the way. Where
/// this gives `Some`, `summary_values` gives the same one value, whose
/// [`ValueView::effective_tag`] and [`ValueView::scalar`] are these.
#[inline]
pub fn lone_scalar(summary: &[u8]) -> Option<(&[u8], f64)> {
    // One value (key 0a), its length one varint byte, filling the summary.
    let [0x0a, len, value @ ..] = summary else {
        return None;
    };
    if *len >= 0x80 || usize::from(*len) != value.len() {
        return None;
    }
    // The tag (key 0a, a one-byte length), then the tensor to the end.
    let [0x0a, tag_len, rest @ ..] = value else {
        return None;
    };
    if *tag_len >= 0x80 || rest.len() != usize::from(*tag_len) + 12 {
        return None;
    }
    let (tag, tensor) = rest.split_at(usize::from(*tag_len));
    if tag.is_empty() {
        // The tag would come from node_name: the general path decides.
        return None;
    }
    let [0x42, 0x0a, tensor @ ..] = tensor else {
        return None;
    };
    Some((tag, float_tensor(tensor)?))
}

/// Iterates the values of a serialized `Summary`.
#[inline]
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
    #[inline]
    pub fn parse(buf: &'a [u8]) -> Result<Self, Malformed> {
        match Self::parse_common(buf) {
            Some(v) => Ok(v),
            None => Self::parse_general(buf),
        }
    }

    /// The hot path for values made of `tag`, `metadata`, `tensor` and
    /// `simple_value` only; anything else (or malformed) → `None`, and the
    /// general parser decides.
    #[inline]
    fn parse_common(buf: &'a [u8]) -> Option<Self> {
        let mut v = ValueView {
            tag: &[],
            node_name: &[],
            metadata: None,
            kind: ValueKind::None,
        };
        let mut p = buf;
        // The usual order straight through, the rest round the loop (see
        // `EventView::parse_common`).
        if let [0x0a, rest @ ..] = p {
            p = rest;
            v.tag = take_len_delimited(&mut p)?;
        }
        if let [0x42, rest @ ..] = p {
            p = rest;
            v.kind = ValueKind::Tensor(take_len_delimited(&mut p)?);
        }
        while let Some((&key, rest)) = p.split_first() {
            p = rest;
            match key {
                0x0a => v.tag = take_len_delimited(&mut p)?,
                0x42 => v.kind = ValueKind::Tensor(take_len_delimited(&mut p)?),
                0x4a => v.metadata = Some(take_len_delimited(&mut p)?),
                0x15 => {
                    let (b, rest) = p.split_first_chunk::<4>()?;
                    v.kind = ValueKind::SimpleValue(f32::from_le_bytes(*b));
                    p = rest;
                }
                _ => return None,
            }
        }
        Some(v)
    }

    fn parse_general(buf: &'a [u8]) -> Result<Self, Malformed> {
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
    #[inline]
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
#[inline]
fn tensor_scalar_fast(buf: &[u8]) -> Option<f64> {
    float_tensor(buf).or_else(|| tensor_scalar_general(buf))
}

/// The number in a tensor of exactly what TF2, Keras and our writer emit:
/// dtype DT_FLOAT, an empty shape, 4 bytes of tensor_content.
#[inline]
fn float_tensor(buf: &[u8]) -> Option<f64> {
    let [0x08, 0x01, 0x12, 0x00, 0x22, 0x04, a, b, c, d] = *buf else {
        return None;
    };
    Some(f64::from(f32::from_le_bytes([a, b, c, d])))
}

fn tensor_scalar_general(buf: &[u8]) -> Option<f64> {
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

    /// `bytes` as they are, cut short at every length, and `count` copies
    /// with 1 to `max_flips` bytes set at random.
    fn damaged(
        bytes: &[u8],
        rng: &mut crate::rng::SplitMix64,
        count: usize,
        max_flips: u64,
    ) -> Vec<Vec<u8>> {
        let mut variants = vec![bytes.to_vec()];
        for cut in 0..bytes.len() {
            variants.push(bytes[..cut].to_vec());
        }
        for _ in 0..count {
            let mut b = bytes.to_vec();
            for _ in 0..1 + rng.below(max_flips) {
                let at = rng.below(b.len() as u64) as usize;
                b[at] = rng.next_u64() as u8;
            }
            variants.push(b);
        }
        variants
    }

    /// The fast paths must agree with the general parsers on anything:
    /// real events, and the same bytes cut short or with bytes flipped.
    #[test]
    fn fast_paths_equal_general_parsers() {
        let mut samples = Vec::new();
        // Steps of one, two (both ends), three and ten varint bytes.
        let steps = [(0i64, true), (300, false), (-7, true), (127, false)];
        let more = [(128, false), (16_383, false), (16_384, true)];
        for (i, with_meta) in steps.into_iter().chain(more) {
            let ev = Event {
                wall_time: 1_700_000_000.25 + i as f64,
                step: i,
                what: Some(event::What::Summary(scalar_summary(
                    "epoch_loss",
                    0.5,
                    with_meta,
                ))),
                source_metadata: None,
            };
            samples.push(ev.encode_to_vec());
        }
        samples.push(
            Event {
                wall_time: 3.0,
                what: Some(event::What::FileVersion("brain.Event:2".into())),
                ..Default::default()
            }
            .encode_to_vec(),
        );
        let mut simple = Summary::default();
        simple.value.push(summary::Value {
            tag: "loss".into(),
            value: Some(summary::value::Value::SimpleValue(0.25)),
            ..Default::default()
        });
        samples.push(
            Event {
                step: 2,
                what: Some(event::What::Summary(simple)),
                ..Default::default()
            }
            .encode_to_vec(),
        );
        let mut rng = crate::rng::SplitMix64::new(7);
        for bytes in &samples {
            for b in &damaged(bytes, &mut rng, 2000, 3) {
                assert_eq!(EventView::parse(b), EventView::parse_general(b), "{b:02x?}");
                let Ok(EventView {
                    payload: Payload::Summary(s),
                    ..
                }) = EventView::parse_general(b)
                else {
                    continue;
                };
                for f in Fields::new(s) {
                    let Ok((_, FieldValue::Bytes(v))) = f else {
                        continue;
                    };
                    let fast = ValueView::parse(v);
                    assert_eq!(fast, ValueView::parse_general(v), "{v:02x?}");
                    if let Ok(ValueView {
                        kind: ValueKind::Tensor(t),
                        ..
                    }) = fast
                    {
                        assert_eq!(tensor_scalar_fast(t), tensor_scalar_general(t), "{t:02x?}");
                    }
                }
            }
        }
    }

    /// `lone_scalar`, where it answers, equals the general walk of the
    /// summary: on real summaries (one scalar with and without metadata, a
    /// simple value, two values) and those bytes cut short or flipped.
    #[test]
    fn lone_scalar_equals_the_general_walk() {
        let mut summaries = vec![
            scalar_summary("epoch_loss", 0.5, false).encode_to_vec(),
            scalar_summary("epoch_loss", 0.5, true).encode_to_vec(),
            scalar_summary(&"t".repeat(120), -3.25, false).encode_to_vec(),
        ];
        let mut two = scalar_summary("a", 1.0, false);
        two.value.extend(scalar_summary("b", 2.0, false).value);
        summaries.push(two.encode_to_vec());
        let mut simple = Summary::default();
        simple.value.push(summary::Value {
            tag: "loss".into(),
            value: Some(summary::value::Value::SimpleValue(0.25)),
            ..Default::default()
        });
        summaries.push(simple.encode_to_vec());
        assert!(lone_scalar(&summaries[0]).is_some());
        let mut rng = crate::rng::SplitMix64::new(11);
        let mut answered = 0;
        for bytes in &summaries {
            for b in &damaged(bytes, &mut rng, 3000, 2) {
                let Some((tag, value)) = lone_scalar(b) else {
                    continue;
                };
                answered += 1;
                let all: Vec<_> = summary_values(b).collect();
                assert_eq!(all.len(), 1, "{b:02x?}");
                let v = all[0].unwrap();
                assert_eq!(v.effective_tag(), tag, "{b:02x?}");
                let general = v.scalar().unwrap();
                assert!(
                    general == value || (general.is_nan() && value.is_nan()),
                    "{b:02x?}"
                );
            }
        }
        assert!(answered > 1000, "{answered}");
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
