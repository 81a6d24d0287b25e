//! TFRecord framing: the container format of tfevents files.
//!
//! A file is a plain concatenation of records, each
//! `u64 length (LE) | masked CRC-32C of those 8 bytes | payload | masked CRC-32C of payload`.
//! This module owns the checksum ([`masked_crc32c`]), the encoder
//! ([`encode_record`], [`RecordWriter`]) and a resumable reader
//! ([`RecordReader`]) that tells "not written yet" (a partial record at the end
//! of a growing file) apart from corruption, and can re-synchronise after
//! garbage so that intact records behind damage are still read.

use std::io::{self, Read, Write};

/// Bytes of framing around each payload: 8 length + 4 length CRC + 4 data CRC.
pub const FRAMING_LEN: usize = 16;
const HEADER_LEN: usize = 12;

/// The largest payload the reader accepts by default (256 MiB). A length field
/// above the reader's limit is reported as [`RecordError::TooLarge`] instead of
/// being allocated, which bounds the reader's memory.
pub const DEFAULT_MAX_RECORD_LEN: u64 = 256 << 20;

const MASK_DELTA: u32 = 0xa282_ead8;

/// Masks a CRC the way TFRecord (and LevelDB) store it.
pub fn mask_crc(crc: u32) -> u32 {
    crc.rotate_right(15).wrapping_add(MASK_DELTA)
}

/// Inverse of [`mask_crc`].
pub fn unmask_crc(masked: u32) -> u32 {
    masked.wrapping_sub(MASK_DELTA).rotate_left(15)
}

/// CRC-32C (Castagnoli) of `data`, masked.
#[inline]
pub fn masked_crc32c(data: &[u8]) -> u32 {
    mask_crc(crc32c_fast(data))
}

/// CRC-32C of `data`. Short inputs (a scalar event is ~50 bytes) go through
/// an inlined SSE4.2 loop where the CPU has it: the `crc32c` crate's
/// dispatch and 3-way split cost more than the CRC itself at that size.
/// Longer inputs, and other CPUs, use the crate.
#[inline]
fn crc32c_fast(data: &[u8]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        if data.len() <= 256 && std::arch::is_x86_feature_detected!("sse4.2") {
            // SAFETY: the CPU supports SSE4.2 (checked just above).
            return unsafe { crc32c_sse42(data) };
        }
    }
    crc32c::crc32c(data)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse4.2")]
unsafe fn crc32c_sse42(data: &[u8]) -> u32 {
    use std::arch::x86_64::{_mm_crc32_u16, _mm_crc32_u32, _mm_crc32_u64, _mm_crc32_u8};
    let mut crc = u64::from(!0u32);
    let mut rest = data;
    while let Some((w, r)) = rest.split_first_chunk::<8>() {
        crc = _mm_crc32_u64(crc, u64::from_le_bytes(*w));
        rest = r;
    }
    let mut crc = crc as u32;
    if let Some((w, r)) = rest.split_first_chunk::<4>() {
        crc = _mm_crc32_u32(crc, u32::from_le_bytes(*w));
        rest = r;
    }
    if let Some((w, r)) = rest.split_first_chunk::<2>() {
        crc = _mm_crc32_u16(crc, u16::from_le_bytes(*w));
        rest = r;
    }
    if let Some(&b) = rest.first() {
        crc = _mm_crc32_u8(crc, b);
    }
    !crc
}

/// Appends one framed record holding `payload` to `out`.
pub fn encode_record(payload: &[u8], out: &mut Vec<u8>) {
    let len = (payload.len() as u64).to_le_bytes();
    out.reserve(payload.len() + FRAMING_LEN);
    out.extend_from_slice(&len);
    out.extend_from_slice(&masked_crc32c(&len).to_le_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&masked_crc32c(payload).to_le_bytes());
}

/// Writes framed records to any `Write`, one `write_all` per record.
///
/// For files prefer [`crate::event::EventFileWriter`], which batches whole
/// records and decides when they reach the disk.
#[derive(Debug)]
pub struct RecordWriter<W> {
    inner: W,
    scratch: Vec<u8>,
}

impl<W: Write> RecordWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        RecordWriter {
            inner,
            scratch: Vec::new(),
        }
    }

    /// Frames `payload` and writes the whole record.
    pub fn write_record(&mut self, payload: &[u8]) -> io::Result<()> {
        self.scratch.clear();
        encode_record(payload, &mut self.scratch);
        self.inner.write_all(&self.scratch)
    }

    /// Flushes the inner writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }

    /// Returns the inner writer.
    pub fn into_inner(self) -> W {
        self.inner
    }
}

/// What can go wrong reading one record. Each variant carries the byte offset
/// of the record (or damaged region) in the stream.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The stream ends inside a record: either the file is still being
    /// written (try again later: the reader keeps its place) or its tail was
    /// cut off.
    #[error("incomplete record at byte {offset}: {have} of {need} bytes present (truncated, or still being written)")]
    Truncated {
        /// Offset of the record's first byte.
        offset: u64,
        /// Bytes of the record present.
        have: u64,
        /// Bytes the record needs (header only, if the length is unknown).
        need: u64,
    },
    /// The length field fails its checksum: the bytes here are not a record
    /// header. With re-synchronisation on, the reader skips ahead to the next
    /// intact record and reports the skipped span with [`RecordError::Skipped`].
    #[error("corrupt record header at byte {offset} (length checksum mismatch)")]
    BadLengthCrc {
        /// Offset of the damaged header.
        offset: u64,
    },
    /// The payload fails its checksum; the record was skipped.
    #[error("corrupt record at byte {offset}: payload checksum mismatch ({len} bytes skipped)")]
    BadDataCrc {
        /// Offset of the record.
        offset: u64,
        /// Payload length.
        len: u64,
    },
    /// The length field is larger than the reader's limit.
    #[error("record at byte {offset} claims {len} bytes, more than the {max}-byte limit")]
    TooLarge {
        /// Offset of the record.
        offset: u64,
        /// Claimed payload length.
        len: u64,
        /// The reader's limit.
        max: u64,
    },
    /// Damaged bytes were skipped to reach the next intact record.
    #[error("skipped {len} damaged bytes at byte {offset}")]
    Skipped {
        /// Where the damage starts.
        offset: u64,
        /// How many bytes were skipped.
        len: u64,
    },
    /// The underlying read failed.
    #[error("read error at byte {offset}: {source}")]
    Io {
        /// Offset the read was for.
        offset: u64,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

impl RecordError {
    /// True for [`RecordError::Truncated`]: more bytes may still arrive.
    pub fn is_incomplete(&self) -> bool {
        matches!(self, RecordError::Truncated { .. })
    }
}

/// A resumable reader of framed records over any `Read`.
///
/// [`RecordReader::next_record`] returns `Ok(Some(payload))` for each intact
/// record, `Ok(None)` at a clean end of stream, and an error otherwise. After
/// an error the reader is positioned so that calling it again makes progress:
///
/// * `Truncated`: nothing is consumed; call again after the file has grown
///   (the bytes already read are kept), or stop.
/// * `BadDataCrc`: that record was skipped.
/// * `BadLengthCrc` / `TooLarge`: with [`RecordReader::resync`] on (default)
///   the next call searches forward for the next intact record and reports the
///   skipped span as `Skipped`; with it off, the reader stays stuck and the
///   caller should stop reading the stream (TensorBoard's behaviour).
#[derive(Debug)]
pub struct RecordReader<R> {
    src: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Stream offset of `buf[start]`.
    offset: u64,
    max_len: u64,
    resync: bool,
    /// Set after a header error: the next call scans for a record.
    lost: bool,
    /// The last few headers whose length checksum held: records of a file
    /// take a handful of lengths (one per tag, say), so most headers are
    /// checked by comparing 12 bytes instead of computing a CRC.
    good_headers: [(u64, u32); GOOD_HEADERS],
    /// Where the next newly checked header goes in `good_headers`.
    next_good: usize,
    /// Payload bytes a resync may still checksum to reject plausible
    /// headers (see `find_next_record`).
    verify_credit: u64,
    /// Stream offset up to which `verify_credit` has been earned.
    credit_mark: u64,
    /// Payload bytes checksummed by resyncs so far (for tests).
    verified: u64,
}

const MIN_READ: usize = 64 << 10;
const GOOD_HEADERS: usize = 4;
/// Masked CRC-32C of the 8 length bytes of an empty record.
const EMPTY_LEN_CRC: u32 = 0x0798_0329;
/// An empty buffer larger than this is shrunk back.
const SHRINK_ABOVE: usize = 4 << 20;
/// A resync's payload checks: a starting allowance, plus this many bytes per
/// byte of stream passed, so that the checks are linear in the file size.
const VERIFY_CREDIT: u64 = 64 << 20;
const VERIFY_PER_BYTE: u64 = 8;

impl<R: Read> RecordReader<R> {
    /// A reader with the default limits and re-synchronisation on.
    pub fn new(src: R) -> Self {
        Self::with_capacity(src, 256 << 10)
    }

    /// A reader whose first buffer holds `capacity` bytes (it grows to fit a
    /// record, up to the record limit).
    pub fn with_capacity(src: R, capacity: usize) -> Self {
        Self::with_buffer(src, vec![0; capacity.max(MIN_READ)])
    }

    /// A reader that reads through `buf` (grown to at least 64 KiB; its
    /// contents do not matter). Reusing the buffer of a finished reader
    /// ([`RecordReader::into_buffer`]) saves allocating and zeroing one per
    /// file.
    pub fn with_buffer(src: R, mut buf: Vec<u8>) -> Self {
        if buf.len() < MIN_READ {
            buf.resize(MIN_READ, 0);
        }
        RecordReader {
            src,
            buf,
            start: 0,
            end: 0,
            offset: 0,
            max_len: DEFAULT_MAX_RECORD_LEN,
            resync: true,
            lost: false,
            // A genuinely valid header (the empty record's), so a hit on
            // an unused slot is still right.
            good_headers: [(0, EMPTY_LEN_CRC); GOOD_HEADERS],
            next_good: 0,
            verify_credit: VERIFY_CREDIT,
            credit_mark: 0,
            verified: 0,
        }
    }

    /// The read buffer, for [`RecordReader::with_buffer`].
    pub fn into_buffer(self) -> Vec<u8> {
        self.buf
    }

    /// Starts counting offsets at `offset` (when `src` was seeked there).
    pub fn starting_at(mut self, offset: u64) -> Self {
        self.offset = offset;
        self.credit_mark = offset;
        self
    }

    /// Sets the largest payload accepted (at most what this platform can
    /// hold in memory, a bit under `isize::MAX` bytes: larger values are
    /// clamped to that).
    pub fn max_record_len(mut self, max: u64) -> Self {
        let addressable = (isize::MAX as u64) - 2 * MIN_READ as u64;
        self.max_len = max.min(addressable);
        self
    }

    /// Turns searching for the next record after a damaged header on or off.
    pub fn resync(mut self, on: bool) -> Self {
        self.resync = on;
        self
    }

    /// Stream offset of the next unread byte (the start of the next record).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    fn avail(&self) -> usize {
        self.end - self.start
    }

    /// Tries to have at least `need` unread bytes buffered; returns whether it
    /// succeeded (false at end of stream).
    #[inline(always)]
    fn fill(&mut self, need: usize) -> Result<bool, RecordError> {
        if self.avail() >= need {
            return Ok(true);
        }
        self.fill_slow(need)
    }

    #[inline(never)]
    fn fill_slow(&mut self, need: usize) -> Result<bool, RecordError> {
        if self.start == self.end && self.buf.len() > SHRINK_ABOVE {
            // Nothing buffered: give back what one big record needed.
            self.buf = vec![0; MIN_READ];
            self.start = 0;
            self.end = 0;
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        while self.end < need {
            if self.buf.len() - self.end < MIN_READ / 2 {
                // Grow geometrically as bytes actually arrive, never much
                // past what is needed: a length field alone (a 200 MiB claim
                // in a 100-byte file) allocates nothing.
                let grown = (self.buf.len() + self.buf.len().max(MIN_READ))
                    .min(need.saturating_add(MIN_READ));
                self.buf.resize(grown, 0);
            }
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => return Ok(false),
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(RecordError::Io {
                        offset: self.offset + self.avail() as u64,
                        source,
                    })
                }
            }
        }
        Ok(true)
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        self.offset += n as u64;
    }

    /// A header's length and length checksum, as `good_headers` holds them.
    #[inline(always)]
    fn header_key(h: &[u8; HEADER_LEN]) -> (u64, u32) {
        let (mut len, mut crc) = ([0u8; 8], [0u8; 4]);
        len.copy_from_slice(&h[..8]);
        crc.copy_from_slice(&h[8..]);
        (u64::from_le_bytes(len), u32::from_le_bytes(crc))
    }

    /// Whether `key` is one of the last headers whose checksum held.
    #[inline(always)]
    fn is_good_header(&self, key: (u64, u32)) -> bool {
        let g = &self.good_headers;
        g[0] == key || g[1] == key || g[2] == key || g[3] == key
    }

    /// Parses the header at `buf[at..]`; `Some(len)` if its checksum holds.
    #[inline]
    fn header_len(&mut self, at: usize) -> Option<u64> {
        let h: [u8; HEADER_LEN] = self.buf[at..at + HEADER_LEN].try_into().ok()?;
        let key = Self::header_key(&h);
        if !self.is_good_header(key) {
            if masked_crc32c(&h[..8]) != key.1 {
                return None;
            }
            self.good_headers[self.next_good] = key;
            self.next_good = (self.next_good + 1) % GOOD_HEADERS;
        }
        Some(key.0)
    }

    /// The next record and its offset, if it is the easy case: wholly in the
    /// buffer, a header already checked (see `good_headers`), and a payload
    /// whose checksum holds. Anything else gives `None` without consuming a
    /// byte, and [`RecordReader::next_record`] then says what it is. So a
    /// loop may try this first and fall back on `next_record`, and read the
    /// same records with the same errors; it skips the general path's buffer
    /// checks and result plumbing, which cost as much as the checksum on a
    /// 50-byte scalar event.
    #[inline(always)]
    pub fn next_buffered(&mut self) -> Option<(u64, &[u8])> {
        if self.lost {
            return None;
        }
        let buffered = self.buf.get(self.start..self.end)?;
        let (h, rest) = buffered.split_first_chunk::<HEADER_LEN>()?;
        let key = Self::header_key(h);
        if !self.is_good_header(key) || key.0 > self.max_len {
            return None;
        }
        let len = usize::try_from(key.0).ok()?;
        let (payload, rest) = rest.split_at_checked(len)?;
        let stored = u32::from_le_bytes(*rest.first_chunk::<4>()?);
        if masked_crc32c(payload) != stored {
            return None;
        }
        let offset = self.offset;
        let at = self.start + HEADER_LEN;
        self.consume(len + FRAMING_LEN);
        Some((offset, &self.buf[at..at + len]))
    }

    /// Reads the next record's payload.
    pub fn next_record(&mut self) -> Result<Option<&[u8]>, RecordError> {
        if self.lost {
            self.find_next_record()?;
        }
        if !self.fill(HEADER_LEN)? {
            if self.avail() == 0 {
                return Ok(None);
            }
            return Err(RecordError::Truncated {
                offset: self.offset,
                have: self.avail() as u64,
                need: HEADER_LEN as u64,
            });
        }
        let offset = self.offset;
        let Some(len) = self.header_len(self.start) else {
            self.lost = self.resync;
            return Err(RecordError::BadLengthCrc { offset });
        };
        if len > self.max_len {
            self.lost = self.resync;
            return Err(RecordError::TooLarge {
                offset,
                len,
                max: self.max_len,
            });
        }
        let total = len as usize + FRAMING_LEN;
        if !self.fill(total)? {
            return Err(RecordError::Truncated {
                offset,
                have: self.avail() as u64,
                need: total as u64,
            });
        }
        let payload = self.start + HEADER_LEN..self.start + HEADER_LEN + len as usize;
        let crc_at = payload.end;
        let stored = u32::from_le_bytes([
            self.buf[crc_at],
            self.buf[crc_at + 1],
            self.buf[crc_at + 2],
            self.buf[crc_at + 3],
        ]);
        let ok = masked_crc32c(&self.buf[payload.clone()]) == stored;
        self.consume(total);
        if !ok {
            return Err(RecordError::BadDataCrc { offset, len });
        }
        Ok(Some(&self.buf[payload]))
    }

    /// After a damaged header: advances to the next offset that starts an
    /// intact record (valid length checksum, length within the limit, and a
    /// valid payload checksum) and reports the skipped span. If none is found
    /// before the end of the stream, everything but a possible partial header
    /// at the very end is skipped. A plausible header whose record is not
    /// complete yet also ends the search (it is the caller's truncated tail).
    ///
    /// Checking a plausible header's payload costs its length, and a crafted
    /// file can hold a plausible header (a valid length checksum) every few
    /// bytes, each claiming most of the file: quadratic work. So payload
    /// checks draw on a credit earned by the bytes passed (64 MiB, plus 8
    /// bytes per byte of stream); without credit, a plausible header ends
    /// the search unchecked, and the caller skips its whole record as
    /// `BadDataCrc` if its payload is bad. A random 12 bytes pass the length
    /// checksum with odds of 2^-32, so real files never get there.
    fn find_next_record(&mut self) -> Result<(), RecordError> {
        let from = self.offset;
        let mut skipped = 0usize;
        self.earn_credit();
        loop {
            // Step past the damaged byte, then look for a plausible header.
            if !self.fill(1)? {
                break;
            }
            self.consume(1);
            skipped += 1;
            if !self.fill(HEADER_LEN)? {
                // Fewer bytes than a header left: they may be the start of a
                // record still being written, so leave them for the caller
                // (who sees a truncated tail) instead of skipping them.
                break;
            }
            let Some(len) = self.header_len(self.start) else {
                continue;
            };
            if len > self.max_len {
                continue;
            }
            let total = len as usize + FRAMING_LEN;
            if !self.fill(total)? {
                // A plausible header whose record is not complete: stop here
                // and let the caller see it as a truncated tail.
                break;
            }
            self.earn_credit();
            if self.verify_credit < len {
                break;
            }
            self.verify_credit -= len;
            self.verified += len;
            let payload =
                &self.buf[self.start + HEADER_LEN..self.start + HEADER_LEN + len as usize];
            let at = self.start + HEADER_LEN + len as usize;
            let stored = u32::from_le_bytes([
                self.buf[at],
                self.buf[at + 1],
                self.buf[at + 2],
                self.buf[at + 3],
            ]);
            if masked_crc32c(payload) == stored {
                break;
            }
        }
        self.lost = false;
        Err(RecordError::Skipped {
            offset: from,
            len: skipped as u64,
        })
    }

    /// Adds the credit for the bytes passed since the last call.
    fn earn_credit(&mut self) {
        let passed = self.offset.saturating_sub(self.credit_mark);
        self.credit_mark = self.offset;
        self.verify_credit = self
            .verify_credit
            .saturating_add(passed.saturating_mul(VERIFY_PER_BYTE));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn crc_vectors_from_the_spec() {
        assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(masked_crc32c(b"123456789"), 0xC78A_B0E5);
        assert_eq!(unmask_crc(0xC78A_B0E5), 0xE306_9283);
        assert_eq!(masked_crc32c(&0u64.to_le_bytes()), 0x0798_0329);
        assert_eq!(masked_crc32c(&0u64.to_le_bytes()), EMPTY_LEN_CRC);
    }

    #[test]
    fn fast_crc_equals_the_crate_at_every_length() {
        let data: Vec<u8> = (0..600u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in 0..data.len() {
            for start in [0, 1, 3] {
                let d = &data[start.min(len)..len];
                assert_eq!(crc32c_fast(d), crc32c::crc32c(d), "len {len} start {start}");
            }
        }
    }

    #[test]
    fn reused_dirty_buffer_and_header_cache() {
        let data = three_records();
        // A buffer full of leftovers from an earlier file.
        let r0 = RecordReader::with_buffer(&data[..], vec![0xab; 70_000]);
        let buf = r0.into_buffer();
        let mut r = RecordReader::with_buffer(&data[..], buf);
        assert_eq!(r.next_record().unwrap(), Some(&b"first"[..]));
        assert_eq!(r.next_record().unwrap(), Some(&b"second record"[..]));
        // Same length bytes as a cached header but a wrong checksum: still
        // rejected.
        let mut bad = Vec::new();
        encode_record(b"abcde", &mut bad);
        encode_record(b"fghij", &mut bad);
        bad[21 + 8] ^= 1;
        let mut r = RecordReader::new(&bad[..]).resync(false);
        assert_eq!(r.next_record().unwrap(), Some(&b"abcde"[..]));
        assert!(matches!(
            r.next_record(),
            Err(RecordError::BadLengthCrc { offset: 21 })
        ));
        // More distinct lengths than cache slots, repeatedly; then a header
        // whose length bytes were seen but whose checksum is damaged.
        let mut many = Vec::new();
        for _ in 0..3 {
            for n in 1..=6 {
                encode_record(&vec![n as u8; n], &mut many);
            }
        }
        let at = many.len();
        encode_record(b"xyz", &mut many);
        many[at + 8] ^= 0x40;
        let mut r = RecordReader::new(&many[..]).resync(false);
        for _ in 0..3 {
            for n in 1..=6 {
                assert_eq!(r.next_record().unwrap(), Some(&vec![n as u8; n][..]));
            }
        }
        assert!(matches!(
            r.next_record(),
            Err(RecordError::BadLengthCrc { .. })
        ));
    }

    #[test]
    fn file_version_record_vector() {
        let payload =
            hex("09 00 00 00 40 fc 54 d9 41 1a 0d 62 72 61 69 6e 2e 45 76 65 6e 74 3a 32");
        let mut out = Vec::new();
        encode_record(&payload, &mut out);
        assert_eq!(
            out,
            hex("1800000000000000 a37f4b22 0900000040fc54d9411a0d627261696e2e4576656e743a32 eced8f9d")
        );
        let mut r = RecordReader::new(&out[..]);
        assert_eq!(r.next_record().unwrap(), Some(&payload[..]));
        assert!(r.next_record().unwrap().is_none());
    }

    fn three_records() -> Vec<u8> {
        let mut out = Vec::new();
        for p in [&b"first"[..], b"second record", b""] {
            encode_record(p, &mut out);
        }
        out
    }

    #[test]
    fn reads_records_and_the_empty_one() {
        let data = three_records();
        let mut r = RecordReader::new(&data[..]);
        assert_eq!(r.next_record().unwrap(), Some(&b"first"[..]));
        assert_eq!(r.next_record().unwrap(), Some(&b"second record"[..]));
        assert_eq!(r.next_record().unwrap(), Some(&b""[..]));
        assert!(r.next_record().unwrap().is_none());
        assert_eq!(r.offset(), data.len() as u64);
    }

    #[test]
    fn every_truncation_keeps_the_complete_records() {
        let data = three_records();
        let bounds = [0usize, 21, 50, 66];
        for cut in 0..data.len() {
            let mut r = RecordReader::new(&data[..cut]);
            let mut n = 0;
            loop {
                match r.next_record() {
                    Ok(Some(_)) => n += 1,
                    Ok(None) => {
                        assert!(bounds.contains(&cut), "clean end only at a boundary");
                        break;
                    }
                    Err(e) => {
                        assert!(e.is_incomplete(), "cut {cut}: {e}");
                        break;
                    }
                }
            }
            let complete = bounds.iter().filter(|&&b| b > 0 && b <= cut).count();
            assert_eq!(n, complete, "cut at {cut}");
        }
    }

    /// A reader over a source that grows between calls.
    struct Growing<'a> {
        data: &'a [u8],
        visible: usize,
        pos: usize,
    }

    impl Read for Growing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.visible - self.pos);
            buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    #[test]
    fn resumes_a_growing_stream() {
        let data = three_records();
        let mut src = Growing {
            data: &data,
            visible: 30,
            pos: 0,
        };
        let mut r = RecordReader::new(&mut src);
        assert_eq!(r.next_record().unwrap(), Some(&b"first"[..]));
        assert!(r.next_record().unwrap_err().is_incomplete());
        // The file grows; the same reader picks up where it stopped.
        r.src.visible = data.len();
        assert_eq!(r.next_record().unwrap(), Some(&b"second record"[..]));
        assert_eq!(r.next_record().unwrap(), Some(&b""[..]));
        assert!(r.next_record().unwrap().is_none());
    }

    /// A `Read` that hands out at most `step` bytes per call, so records
    /// straddle the reader's buffer fills.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// Everything a reader says about a stream, in order: `fast` tries
    /// [`RecordReader::next_buffered`] before each `next_record`.
    fn outcomes(data: &[u8], step: usize, fast: bool) -> Vec<String> {
        let mut r = RecordReader::new(Trickle { data, step });
        let mut said = Vec::new();
        for _ in 0..10_000 {
            if fast {
                if let Some((at, payload)) = r.next_buffered() {
                    said.push(format!("{at}: {payload:?}"));
                    continue;
                }
            }
            let at = r.offset();
            match r.next_record() {
                Ok(Some(payload)) => said.push(format!("{at}: {payload:?}")),
                Ok(None) => return said,
                Err(e) => {
                    let done = e.is_incomplete();
                    said.push(e.to_string());
                    if done {
                        return said;
                    }
                }
            }
        }
        panic!("no end after 10,000 calls");
    }

    /// The buffered fast path reads the same records, and leaves the same
    /// errors to `next_record`, on every one-byte flip and cut of a stream
    /// of repeated lengths, read in small and large pieces.
    #[test]
    fn the_buffered_path_reads_what_next_record_reads() {
        let mut data = Vec::new();
        for i in 0..12u8 {
            let len = [5, 9, 5, 0, 9, 30][usize::from(i % 6)];
            encode_record(&vec![i; len], &mut data);
        }
        // The fast path takes a record once its header has been seen.
        let mut r = RecordReader::new(&data[..]);
        assert!(r.next_buffered().is_none());
        assert!(r.next_record().unwrap().is_some());
        assert!(r.next_buffered().is_none(), "a length not seen before");
        assert!(r.next_record().unwrap().is_some());
        assert_eq!(r.next_buffered(), Some((46, &[2u8; 5][..])));
        for step in [7, 64 << 10] {
            assert_eq!(outcomes(&data, step, true), outcomes(&data, step, false));
            for at in 0..data.len() {
                let mut flipped = data.clone();
                flipped[at] ^= 0x10;
                let (a, b) = (
                    outcomes(&flipped, step, true),
                    outcomes(&flipped, step, false),
                );
                assert_eq!(a, b, "flip at {at}, reads of {step}");
                let cut = &data[..at];
                assert_eq!(
                    outcomes(cut, step, true),
                    outcomes(cut, step, false),
                    "cut at {at}"
                );
            }
        }
    }

    #[test]
    fn bad_data_crc_skips_only_that_record() {
        let mut data = three_records();
        data[13] ^= 0xff; // inside "first"
        let mut r = RecordReader::new(&data[..]);
        assert!(matches!(
            r.next_record(),
            Err(RecordError::BadDataCrc { offset: 0, len: 5 })
        ));
        assert_eq!(r.next_record().unwrap(), Some(&b"second record"[..]));
    }

    #[test]
    fn garbage_between_records_is_skipped() {
        let mut data = Vec::new();
        encode_record(b"one", &mut data);
        let garbage_at = data.len() as u64;
        data.extend_from_slice(b"\x00\x01garbage bytes here\xff\xfe");
        encode_record(b"two", &mut data);
        let mut r = RecordReader::new(&data[..]);
        assert_eq!(r.next_record().unwrap(), Some(&b"one"[..]));
        assert!(
            matches!(r.next_record(), Err(RecordError::BadLengthCrc { offset }) if offset == garbage_at)
        );
        assert!(
            matches!(r.next_record(), Err(RecordError::Skipped { offset, len: 22 }) if offset == garbage_at)
        );
        assert_eq!(r.next_record().unwrap(), Some(&b"two"[..]));
        assert!(r.next_record().unwrap().is_none());
    }

    /// A crafted stream with a plausible header every 16 bytes, each
    /// claiming the rest of the stream with a bad payload: checking them all
    /// would checksum ~N²/32 bytes; the resync's credit keeps it linear.
    #[test]
    fn resync_work_is_linear_on_crafted_headers() {
        let n: usize = 1 << 20;
        let mut data = vec![0xA5u8; n];
        data[..12].fill(0xFF); // a damaged first header
        let mut off = 16;
        while off + 16 <= n {
            let len = ((n - off - 16) as u64).to_le_bytes();
            data[off..off + 8].copy_from_slice(&len);
            data[off + 8..off + 12].copy_from_slice(&masked_crc32c(&len).to_le_bytes());
            off += 16;
        }
        let mut r = RecordReader::new(&data[..]);
        let mut errors = Vec::new();
        for _ in 0..100 {
            match r.next_record() {
                Ok(None) => break,
                Ok(Some(_)) => panic!("no record here is intact"),
                Err(e) => errors.push(e),
            }
        }
        assert!(matches!(errors[0], RecordError::BadLengthCrc { offset: 0 }));
        assert!(
            matches!(errors[1], RecordError::Skipped { offset: 0, .. }),
            "{errors:?}"
        );
        // The first unchecked plausible header is skipped whole.
        assert!(
            matches!(errors[2], RecordError::BadDataCrc { .. }),
            "{errors:?}"
        );
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!(r.offset(), n as u64);
        let bound = VERIFY_CREDIT + VERIFY_PER_BYTE * n as u64;
        assert!(r.verified <= bound, "{} > {bound}", r.verified);
        assert!(r.verified > VERIFY_CREDIT / 2, "{}", r.verified);
    }

    #[test]
    fn huge_length_is_rejected_without_allocating() {
        let len = (1u64 << 63).to_le_bytes();
        let mut data = len.to_vec();
        data.extend_from_slice(&masked_crc32c(&len).to_le_bytes());
        let mut r = RecordReader::new(&data[..]).resync(false);
        assert!(
            matches!(r.next_record(), Err(RecordError::TooLarge { len, .. }) if len == 1 << 63)
        );
    }

    #[test]
    fn a_partial_header_after_garbage_is_kept_for_when_the_file_grows() {
        let mut data = Vec::new();
        encode_record(b"one", &mut data);
        data.extend_from_slice(b"garbage!");
        let second = data.len();
        encode_record(b"two", &mut data);
        // The writer has written 5 bytes of the second record's header.
        let mut src = Growing {
            data: &data,
            visible: second + 5,
            pos: 0,
        };
        let mut r = RecordReader::new(&mut src);
        assert_eq!(r.next_record().unwrap(), Some(&b"one"[..]));
        // Damage is reported, the last (< 12) bytes wait as a partial record.
        loop {
            match r.next_record() {
                Err(e) if e.is_incomplete() => break,
                Err(_) => {}
                other => panic!("{other:?}"),
            }
        }
        r.src.visible = data.len();
        let mut got = Vec::new();
        loop {
            match r.next_record() {
                Ok(Some(p)) => got.push(p.to_vec()),
                Ok(None) => break,
                Err(e) => assert!(!e.is_incomplete(), "{e}"),
            }
        }
        assert_eq!(got, [b"two".to_vec()]);
    }

    #[test]
    fn a_large_claim_in_a_short_stream_allocates_little() {
        let len = (200u64 << 20).to_le_bytes();
        let mut data = len.to_vec();
        data.extend_from_slice(&masked_crc32c(&len).to_le_bytes());
        data.extend_from_slice(&[0; 100]);
        let mut r = RecordReader::new(&data[..]);
        assert!(matches!(
            r.next_record(),
            Err(RecordError::Truncated { have: 112, .. })
        ));
        assert!(r.buf.len() <= 1 << 20, "buffer grew to {}", r.buf.len());
    }

    #[test]
    fn the_buffer_shrinks_after_a_big_record() {
        let mut data = Vec::new();
        encode_record(&vec![7u8; 8 << 20], &mut data);
        encode_record(b"small", &mut data);
        let mut r = RecordReader::new(&data[..]);
        assert_eq!(r.next_record().unwrap().map(<[u8]>::len), Some(8 << 20));
        assert_eq!(r.next_record().unwrap(), Some(&b"small"[..]));
        assert!(r.next_record().unwrap().is_none());
        assert!(r.buf.len() <= SHRINK_ABOVE, "buffer kept {}", r.buf.len());
    }

    #[test]
    fn a_limit_of_u64_max_is_clamped_not_overflowed() {
        for len in [u64::MAX, u64::MAX - 15, 1 << 63, isize::MAX as u64] {
            let mut data = len.to_le_bytes().to_vec();
            data.extend_from_slice(&masked_crc32c(&len.to_le_bytes()).to_le_bytes());
            data.extend_from_slice(&[0; 40]);
            let mut r = RecordReader::new(&data[..]).max_record_len(u64::MAX);
            let e = r.next_record().unwrap_err();
            assert!(matches!(e, RecordError::TooLarge { .. }), "{len}: {e}");
        }
    }
}
