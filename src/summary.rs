//! Scalar summaries: how a value is encoded on write and recognised on read.
//!
//! We write scalars exactly as TensorFlow 2 does — a rank-0 `DT_FLOAT` tensor
//! in `tensor_content` under the `scalars` plugin — because TensorBoard's Rust
//! loader drops any other dtype. We read every encoding producers use: TF2
//! tensors in `tensor_content` or `float_val`/`double_val`/`int*_val`, and the
//! legacy `simple_value` of TF1, tensorboardX and torch.

use crate::proto::tensorboard::{
    summary, summary_metadata::PluginData, DataClass, DataType, Summary, SummaryMetadata,
    TensorProto, TensorShapeProto,
};

/// Plugin name of scalar series.
pub const SCALARS_PLUGIN: &str = "scalars";

/// Metadata our writer attaches to the first point of a scalar tag.
pub fn scalar_metadata() -> SummaryMetadata {
    SummaryMetadata {
        plugin_data: Some(PluginData {
            plugin_name: SCALARS_PLUGIN.to_string(),
            content: Vec::new(),
        }),
        data_class: DataClass::Scalar as i32,
        ..Default::default()
    }
}

/// A rank-0 `DT_FLOAT` tensor holding `value` as 4 little-endian bytes.
pub fn scalar_tensor(value: f32) -> TensorProto {
    TensorProto {
        dtype: DataType::DtFloat as i32,
        tensor_shape: Some(TensorShapeProto::default()),
        tensor_content: value.to_le_bytes().to_vec(),
        ..Default::default()
    }
}

/// One `Summary.Value` for a scalar; `with_metadata` on a tag's first point.
pub fn scalar_value(tag: &str, value: f32, with_metadata: bool) -> summary::Value {
    summary::Value {
        tag: tag.to_string(),
        metadata: with_metadata.then(scalar_metadata),
        value: Some(summary::value::Value::Tensor(scalar_tensor(value))),
        ..Default::default()
    }
}

/// A `Summary` with one scalar.
pub fn scalar_summary(tag: &str, value: f32, with_metadata: bool) -> Summary {
    Summary {
        value: vec![scalar_value(tag, value, with_metadata)],
    }
}

/// The tag of a summary value, with the legacy `node_name` fallback that
/// TensorBoard's Python loader applies when `tag` is empty.
pub fn value_tag(v: &summary::Value) -> &str {
    if v.tag.is_empty() {
        &v.node_name
    } else {
        &v.tag
    }
}

/// The plugin a value's metadata names ("" if none).
pub fn plugin_name(meta: Option<&SummaryMetadata>) -> &str {
    meta.and_then(|m| m.plugin_data.as_ref())
        .map(|p| p.plugin_name.as_str())
        .unwrap_or("")
}

/// Whether a series whose first value is `first` holds scalars, by the rules
/// both TensorBoard loaders share: `simple_value` always does; otherwise the
/// first metadata's plugin must be `scalars` (an explicit non-zero
/// `data_class` other than SCALAR says no).
pub fn is_scalar_series(first: &summary::Value) -> bool {
    if matches!(first.value, Some(summary::value::Value::SimpleValue(_))) {
        return true;
    }
    let meta = first.metadata.as_ref();
    match meta.map(|m| m.data_class).unwrap_or(0) {
        0 => plugin_name(meta) == SCALARS_PLUGIN,
        c => c == DataClass::Scalar as i32,
    }
}

/// The numeric value of a scalar point: `simple_value`, or the single element
/// of a numeric tensor (f32, f64, f16/bf16, signed and unsigned ints, bool),
/// from `tensor_content` or the typed value lists. `None` if the value holds
/// no single number.
pub fn scalar_of(v: &summary::Value) -> Option<f64> {
    match v.value.as_ref()? {
        summary::value::Value::SimpleValue(x) => Some(f64::from(*x)),
        summary::value::Value::Tensor(t) => tensor_scalar(t),
        _ => None,
    }
}

/// The single number held by a tensor, if it holds exactly one.
pub fn tensor_scalar(t: &TensorProto) -> Option<f64> {
    // Sizes come from the file: a product can overflow, and -1 * -1 is 1.
    let mut elements: i64 = 1;
    for d in t.tensor_shape.iter().flat_map(|s| &s.dim) {
        if d.size < 0 {
            return None;
        }
        elements = elements.checked_mul(d.size)?;
    }
    if elements != 1 {
        return None;
    }
    let dtype = DataType::try_from(t.dtype).ok()?;
    let c = &t.tensor_content;
    if !c.is_empty() {
        return match dtype {
            DataType::DtFloat => Some(f64::from(f32::from_le_bytes(c.as_slice().try_into().ok()?))),
            DataType::DtDouble => Some(f64::from_le_bytes(c.as_slice().try_into().ok()?)),
            DataType::DtInt32 => Some(f64::from(i32::from_le_bytes(c.as_slice().try_into().ok()?))),
            DataType::DtInt64 => Some(i64::from_le_bytes(c.as_slice().try_into().ok()?) as f64),
            DataType::DtUint32 => {
                Some(f64::from(u32::from_le_bytes(c.as_slice().try_into().ok()?)))
            }
            DataType::DtUint64 => Some(u64::from_le_bytes(c.as_slice().try_into().ok()?) as f64),
            DataType::DtInt16 => Some(f64::from(i16::from_le_bytes(c.as_slice().try_into().ok()?))),
            DataType::DtUint16 => {
                Some(f64::from(u16::from_le_bytes(c.as_slice().try_into().ok()?)))
            }
            DataType::DtInt8 => Some(f64::from(i8::from_le_bytes(c.as_slice().try_into().ok()?))),
            DataType::DtUint8 => Some(f64::from(*c.first().filter(|_| c.len() == 1)?)),
            DataType::DtBool => Some(f64::from(u8::from(
                *c.first().filter(|_| c.len() == 1)? != 0,
            ))),
            DataType::DtHalf => Some(f16_to_f64(u16::from_le_bytes(
                c.as_slice().try_into().ok()?,
            ))),
            DataType::DtBfloat16 => Some(bf16_to_f64(u16::from_le_bytes(
                c.as_slice().try_into().ok()?,
            ))),
            _ => None,
        };
    }
    match dtype {
        DataType::DtFloat => t.float_val.first().map(|&x| f64::from(x)),
        DataType::DtDouble => t.double_val.first().copied(),
        DataType::DtInt32
        | DataType::DtInt16
        | DataType::DtInt8
        | DataType::DtUint8
        | DataType::DtUint16 => t.int_val.first().map(|&x| f64::from(x)),
        DataType::DtInt64 => t.int64_val.first().map(|&x| x as f64),
        DataType::DtUint32 => t.uint32_val.first().map(|&x| f64::from(x)),
        DataType::DtUint64 => t.uint64_val.first().map(|&x| x as f64),
        DataType::DtBool => t.bool_val.first().map(|&b| f64::from(u8::from(b))),
        DataType::DtHalf => t.half_val.first().map(|&h| f16_to_f64(h as u16)),
        DataType::DtBfloat16 => t.half_val.first().map(|&h| bf16_to_f64(h as u16)),
        _ => None,
    }
}

fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((bits >> 10) & 0x1f);
    let frac = f64::from(bits & 0x3ff);
    sign * match exp {
        0 => frac * 2f64.powi(-24),
        31 if frac == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + frac / 1024.0) * 2f64.powi(e - 15),
    }
}

fn bf16_to_f64(bits: u16) -> f64 {
    f64::from(f32::from_bits(u32::from(bits) << 16))
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn encodes_like_tensorflow_2() {
        // tf.summary.scalar("accuracy", 0.99, step=77), from the spec; we add
        // data_class SCALAR (`20 01`) to the metadata, as rustboard advises.
        let s = scalar_summary("accuracy", 0.99, true);
        let bytes = s.encode_to_vec();
        let expected_tensor = [0x08, 0x01, 0x12, 0x00, 0x22, 0x04, 0xa4, 0x70, 0x7d, 0x3f];
        let tensor = scalar_tensor(0.99).encode_to_vec();
        assert_eq!(tensor, expected_tensor);
        assert!(bytes.windows(10).any(|w| w == expected_tensor));
        let meta = scalar_metadata().encode_to_vec();
        assert_eq!(
            meta,
            [0x0a, 0x09, 0x0a, 0x07, b's', b'c', b'a', b'l', b'a', b'r', b's', 0x20, 0x01]
        );
    }

    #[test]
    fn decodes_every_scalar_encoding() {
        let f = |v: summary::value::Value| summary::Value {
            tag: "t".into(),
            value: Some(v),
            ..Default::default()
        };
        assert_eq!(
            scalar_of(&f(summary::value::Value::SimpleValue(0.5))),
            Some(0.5)
        );
        let t = |t: TensorProto| f(summary::value::Value::Tensor(t));
        assert_eq!(scalar_of(&t(scalar_tensor(0.25))), Some(0.25));
        let dbl = TensorProto {
            dtype: DataType::DtDouble as i32,
            double_val: vec![0.1],
            ..Default::default()
        };
        assert_eq!(scalar_of(&t(dbl)), Some(0.1));
        let dbl_content = TensorProto {
            dtype: DataType::DtDouble as i32,
            tensor_content: 0.1f64.to_le_bytes().to_vec(),
            ..Default::default()
        };
        assert_eq!(scalar_of(&t(dbl_content)), Some(0.1));
        let int64 = TensorProto {
            dtype: DataType::DtInt64 as i32,
            int64_val: vec![-7],
            ..Default::default()
        };
        assert_eq!(scalar_of(&t(int64)), Some(-7.0));
        let half = TensorProto {
            dtype: DataType::DtHalf as i32,
            half_val: vec![0x3c00],
            ..Default::default()
        };
        assert_eq!(scalar_of(&t(half)), Some(1.0));
        let vector = TensorProto {
            dtype: DataType::DtFloat as i32,
            tensor_shape: Some(TensorShapeProto {
                dim: vec![crate::proto::tensorboard::tensor_shape_proto::Dim {
                    size: 3,
                    name: String::new(),
                }],
                unknown_rank: false,
            }),
            float_val: vec![1.0, 2.0, 3.0],
            ..Default::default()
        };
        assert_eq!(scalar_of(&t(vector)), None);
        let bad_len = TensorProto {
            dtype: DataType::DtFloat as i32,
            tensor_content: vec![1, 2, 3],
            ..Default::default()
        };
        assert_eq!(scalar_of(&t(bad_len)), None);
    }

    #[test]
    fn huge_or_negative_dims_are_not_a_scalar() {
        use crate::proto::tensorboard::{tensor_shape_proto::Dim, TensorShapeProto};
        for dims in [vec![1 << 32, 1 << 32], vec![-1, -1], vec![i64::MIN, -1]] {
            let t = TensorProto {
                dtype: DataType::DtFloat as i32,
                tensor_shape: Some(TensorShapeProto {
                    dim: dims
                        .iter()
                        .map(|&size| Dim {
                            size,
                            name: String::new(),
                        })
                        .collect(),
                    unknown_rank: false,
                }),
                float_val: vec![1.0],
                ..Default::default()
            };
            assert_eq!(tensor_scalar(&t), None, "{dims:?}");
        }
    }
}
