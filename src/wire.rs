//! A minimal zero-copy protobuf wire-format reader.
//!
//! The loader's hot path touches millions of scalar events; decoding each into
//! owned prost messages would allocate a tag string, a tensor and its shape
//! per point. This reader walks the fields of a message in place so that
//! [`crate::event::view`] can pick out the few it needs. It never panics and
//! never allocates; malformed input yields `Err(Malformed)`.

/// The input is not a well-formed protobuf message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Malformed;

/// One field's value as it appears on the wire.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FieldValue<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1 (double, fixed64).
    Fixed64(u64),
    /// Wire type 2 (string, bytes, message, packed repeated).
    Bytes(&'a [u8]),
    /// Wire type 5 (float, fixed32).
    Fixed32(u32),
}

/// Reads a base-128 varint from the front of `buf`.
#[inline]
pub fn read_varint(buf: &mut &[u8]) -> Result<u64, Malformed> {
    // Keys, lengths and small steps are one byte: the hot case.
    if let Some((&b, rest)) = buf.split_first() {
        if b < 0x80 {
            *buf = rest;
            return Ok(u64::from(b));
        }
    }
    read_varint_slow(buf)
}

#[cold]
fn read_varint_slow(buf: &mut &[u8]) -> Result<u64, Malformed> {
    let mut value = 0u64;
    for i in 0..10 {
        let (&b, rest) = buf.split_first().ok_or(Malformed)?;
        // The 10th byte holds bit 63 only; more is an overflow, which
        // prost (and so TensorBoard's protobuf) rejects as well.
        if i == 9 && b > 1 {
            return Err(Malformed);
        }
        *buf = rest;
        value |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            return Ok(value);
        }
    }
    Err(Malformed)
}

#[inline]
fn take<'a>(buf: &mut &'a [u8], n: usize) -> Result<&'a [u8], Malformed> {
    if buf.len() < n {
        return Err(Malformed);
    }
    let (head, rest) = buf.split_at(n);
    *buf = rest;
    Ok(head)
}

/// Iterates the `(field number, value)` pairs of a message.
#[derive(Clone, Debug)]
pub struct Fields<'a> {
    buf: &'a [u8],
}

impl<'a> Fields<'a> {
    /// Fields of the message encoded in `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Fields { buf }
    }

    #[inline]
    fn next_field(&mut self) -> Result<(u32, FieldValue<'a>), Malformed> {
        let key = read_varint(&mut self.buf)?;
        let number = u32::try_from(key >> 3).map_err(|_| Malformed)?;
        if number == 0 {
            return Err(Malformed);
        }
        let value = match key & 7 {
            0 => FieldValue::Varint(read_varint(&mut self.buf)?),
            1 => {
                let b = take(&mut self.buf, 8)?;
                FieldValue::Fixed64(u64::from_le_bytes(b.try_into().map_err(|_| Malformed)?))
            }
            2 => {
                let len = usize::try_from(read_varint(&mut self.buf)?).map_err(|_| Malformed)?;
                FieldValue::Bytes(take(&mut self.buf, len)?)
            }
            5 => {
                let b = take(&mut self.buf, 4)?;
                FieldValue::Fixed32(u32::from_le_bytes(b.try_into().map_err(|_| Malformed)?))
            }
            // Groups (3, 4) are not used by any message we read.
            _ => return Err(Malformed),
        };
        Ok((number, value))
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u32, FieldValue<'a>), Malformed>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.buf.is_empty() {
            return None;
        }
        let r = self.next_field();
        if r.is_err() {
            self.buf = &[];
        }
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_fields_and_rejects_garbage() {
        // 09 <8 bytes> 10 03 2a 02 0a 00 15 <4 bytes>
        let mut m = vec![0x09];
        m.extend_from_slice(&1.5f64.to_le_bytes());
        m.extend_from_slice(&[0x10, 0x03, 0x2a, 0x02, 0x0a, 0x00, 0x15]);
        m.extend_from_slice(&0.5f32.to_le_bytes());
        let got: Vec<_> = Fields::new(&m).collect::<Result<_, _>>().unwrap();
        assert_eq!(
            got,
            vec![
                (1, FieldValue::Fixed64(1.5f64.to_bits())),
                (2, FieldValue::Varint(3)),
                (5, FieldValue::Bytes(&[0x0a, 0x00])),
                (2, FieldValue::Fixed32(0.5f32.to_bits())),
            ]
        );
        for bad in [
            &[0x0a, 0x05, 0x00][..],
            &[0xff; 11],
            &[0x0b],
            &[0x00, 0x00],
            &[0x09, 1, 2],
        ] {
            assert!(Fields::new(bad).any(|f| f.is_err()), "{bad:?}");
        }
    }

    #[test]
    fn varints_agree_with_prost_at_the_edges() {
        let mut cases: Vec<Vec<u8>> = vec![
            vec![0x00],
            vec![0x7f],
            vec![0x80, 0x01],
            vec![0xff; 9],
            [&[0xff; 9][..], &[0x01]].concat(), // u64::MAX
            [&[0xff; 9][..], &[0x02]].concat(), // overflows 64 bits
            [&[0xff; 9][..], &[0x7f]].concat(),
            [&[0x80; 9][..], &[0x00]].concat(), // overlong zero: accepted
            vec![0xff; 10],
            vec![0xff; 11],
        ];
        cases.extend((0..=255u8).map(|b| [&[0x80; 9][..], &[b]].concat()));
        for bytes in cases {
            let ours = read_varint(&mut &bytes[..]).ok();
            let theirs = prost::encoding::decode_varint(&mut &bytes[..]).ok();
            assert_eq!(ours, theirs, "{bytes:02x?}");
        }
    }
}
