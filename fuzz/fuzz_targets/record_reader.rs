//! The TFRecord reader over arbitrary bytes: never panics, always terminates,
//! only delivers records whose framing and checksums hold, and reads a
//! stream that grows between calls exactly like the whole stream when the
//! stream is undamaged.
//!
//! Input: byte 0 picks the limits (max record length: default, 0, small,
//! powers of two or u64::MAX; re-synchronisation on or off),
//! byte 1 the read chunk size, byte 2 where the stream "grows"; the rest is
//! the stream.
#![no_main]

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use hp_report::record::{masked_crc32c, RecordError, RecordReader, DEFAULT_MAX_RECORD_LEN};
use libfuzzer_sys::fuzz_target;

/// A source that hands out at most `chunk` bytes per read, and only the
/// first `visible` bytes (which can grow).
struct Source<'a> {
    data: &'a [u8],
    visible: Rc<Cell<usize>>,
    pos: usize,
    chunk: usize,
}

impl Read for Source<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.visible.get() - self.pos).min(self.chunk);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[derive(Debug, PartialEq)]
enum Item {
    Record(u64, Vec<u8>),
    Problem,
}

/// Reads until the end of what is visible; returns true if it stopped at a
/// partial record or clean end (more may come), false if the reader gave up.
fn drain(
    r: &mut RecordReader<Source<'_>>,
    data: &[u8],
    resync: bool,
    out: &mut Vec<Item>,
    calls: &mut usize,
) -> bool {
    loop {
        *calls += 1;
        assert!(*calls <= 2 * data.len() + 8, "reader does not make progress");
        let before = r.offset();
        match r.next_record() {
            Ok(Some(payload)) => {
                let payload = payload.to_vec();
                let len = payload.len();
                let start = r.offset() - len as u64 - 16;
                assert!(start >= before);
                let s = start as usize;
                // The framing at `start` really is this record.
                let len_bytes: [u8; 8] = data[s..s + 8].try_into().unwrap();
                assert_eq!(u64::from_le_bytes(len_bytes), len as u64);
                assert_eq!(
                    u32::from_le_bytes(data[s + 8..s + 12].try_into().unwrap()),
                    masked_crc32c(&len_bytes)
                );
                assert_eq!(&data[s + 12..s + 12 + len], &payload[..]);
                assert_eq!(
                    u32::from_le_bytes(data[s + 12 + len..s + 16 + len].try_into().unwrap()),
                    masked_crc32c(&payload)
                );
                out.push(Item::Record(start, payload));
            }
            Ok(None) => return true,
            Err(e) if e.is_incomplete() => {
                assert_eq!(r.offset(), before, "a partial record must not be consumed");
                return true;
            }
            Err(RecordError::BadLengthCrc { .. } | RecordError::TooLarge { .. }) if !resync => {
                out.push(Item::Problem);
                return false;
            }
            Err(RecordError::Io { .. }) => unreachable!("the source never fails"),
            Err(_) => out.push(Item::Problem),
        }
    }
}

/// Reads `data`, first only up to `split`, then (same reader) all of it.
fn read_all(data: &[u8], max: u64, resync: bool, chunk: usize, split: usize) -> Vec<Item> {
    let visible = Rc::new(Cell::new(split));
    let src = Source {
        data,
        visible: visible.clone(),
        pos: 0,
        chunk,
    };
    let mut r = RecordReader::new(src).max_record_len(max).resync(resync);
    let mut out = Vec::new();
    let mut calls = 0;
    let more = drain(&mut r, data, resync, &mut out, &mut calls);
    if more && split < data.len() {
        visible.set(data.len());
        drain(&mut r, data, resync, &mut out, &mut calls);
    }
    out
}

fuzz_target!(|input: &[u8]| {
    if input.len() < 3 {
        return;
    }
    let (cfg, data) = input.split_at(3);
    let max = match cfg[0] & 3 {
        0 => DEFAULT_MAX_RECORD_LEN,
        1 => 0,
        2 => u64::from(cfg[0] >> 3),
        _ if cfg[0] >> 3 == 31 => u64::MAX,
        _ => 1 << (cfg[0] >> 3),
    };
    let resync = cfg[0] & 4 == 0;
    let chunk = usize::from(cfg[1]).max(1);
    let split = usize::from(cfg[2]) * data.len() / 255;
    let whole = read_all(data, max, resync, chunk, data.len());
    let grown = read_all(data, max, resync, chunk, split);
    // An undamaged stream reads the same whether or not it grew meanwhile.
    if !whole.contains(&Item::Problem) {
        assert_eq!(whole, grown, "growing stream read differently");
    }
});
