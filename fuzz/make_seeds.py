#!/usr/bin/env python3
"""Regenerates fuzz/seeds/<target>/ from the fixtures (run from the crate root).

record_reader: 3 config bytes + a whole (small) fixture event file;
event_view: each distinct record payload (an Event);
hparams_plugin: the HParamsPluginData content of each hparams summary;
logdir_file: 1 placement byte + a whole fixture event file.
"""
import hashlib, os, struct, sys

def records(data):
    off = 0
    while off + 12 <= len(data):
        (n,) = struct.unpack_from("<Q", data, off)
        yield data[off + 12: off + 12 + n]
        off += n + 16

def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7F) << s; s += 7
        if c < 0x80:
            return v, i

def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        wt = key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 1:
            v = b[i:i + 8]; i += 8
        elif wt == 2:
            n, i = varint(b, i); v = b[i:i + n]; i += n
        elif wt == 5:
            v = b[i:i + 4]; i += 4
        else:
            return
        yield key >> 3, v

def plugin_contents(event):
    for f, summ in fields(event):
        if f != 5: continue
        for g, val in fields(summ):
            if g != 1: continue
            for h, meta in fields(val):
                if h != 9: continue
                for k, pd in fields(meta):
                    if k != 1: continue
                    name = dict(fields(pd)).get(1, b"")
                    if name == b"hparams":
                        yield dict(fields(pd)).get(2, b"")

def put(target, data):
    d = os.path.join("fuzz/seeds", target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    open(os.path.join(d, name), "wb").write(data)

files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk("fixtures") for f in fs if "tfevents" in f)
seen_sizes = set()
seen_event_sizes = set()
for i, p in enumerate(files):
    data = open(p, "rb").read()
    # One file of each size is enough variety for whole-file seeds.
    if len(data) not in seen_sizes:
        seen_sizes.add(len(data))
        put("record_reader", bytes([0, 255, 128]) + data)
        put("record_reader", bytes([0x42, 7, 60]) + data)
        put("logdir_file", bytes([i % 4]) + data)
    for r in records(data):
        # One event of each length: a few dozen distinct shapes.
        if len(r) not in seen_event_sizes:
            seen_event_sizes.add(len(r))
            put("event_view", r)
        for c in plugin_contents(r):
            put("hparams_plugin", c)
