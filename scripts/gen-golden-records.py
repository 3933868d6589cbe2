#!/usr/bin/python3
"""Writes the compression and record fixtures under test/golden/ with Python's reference libraries.

Run from the repository root with Debian's Python (python3-lz4, python3-snappy, python3-zstandard,
python3-xxhash, python3-kafka):  /usr/bin/python3 scripts/gen-golden-records.py
The output is deterministic except where a library embeds nothing variable; gzip's mtime is fixed.
"""
import gzip
import json
import os

import lz4.frame
import snappy
import zstandard
from kafka.codec import lz4_encode_old_kafka, snappy_encode
from kafka.record.default_records import DefaultRecordBatchBuilder
from kafka.record.legacy_records import LegacyRecordBatchBuilder

COMP = "test/golden/compression"
REC = "test/golden/records"
os.makedirs(COMP, exist_ok=True)
os.makedirs(REC, exist_ok=True)


def plaintext():
    """About 150 KB of record-like JSON, enough for several LZ4 (64 KiB) and xerial (32 KiB) blocks."""
    rows = []
    for i in range(1200):
        rows.append(json.dumps({"id": i, "user": "user-%d" % (i * 7919 % 1000), "event": ["click", "view", "buy"][i % 3],
                                "amount": round(i * 3.14159 % 997, 2), "tags": ["t%d" % (i % 13), "t%d" % (i % 17)]}))
    return ("\n".join(rows) + "\n").encode()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


data = plaintext()
write(f"{COMP}/plain.bin", data)
write(f"{COMP}/gzip.bin", gzip.compress(data, mtime=0))
write(f"{COMP}/snappy-raw.bin", snappy.compress(data))
write(f"{COMP}/snappy-xerial.bin", snappy_encode(data, xerial_compatible=True))
# kafka-python's own LZ4 encoder: independent blocks, content size stored.
write(f"{COMP}/lz4-frame.bin", lz4.frame.compress(data, block_linked=False))
write(f"{COMP}/lz4-frame-checksums.bin", lz4.frame.compress(
    data, block_linked=False, content_checksum=True, block_checksum=True, store_size=False,
    block_size=lz4.frame.BLOCKSIZE_MAX256KB))
# What kafka-python sends to 0.8/0.9 brokers: header checksum over the magic too (KAFKA-3160).
write(f"{COMP}/lz4-broken-checksum.bin", lz4_encode_old_kafka(data))
write(f"{COMP}/zstd.bin", zstandard.ZstdCompressor(level=3).compress(data))
# Streaming writers (zstd-jni's ZstdOutputStream) leave the content size out of the frame header.
stream = zstandard.ZstdCompressor(level=3, write_content_size=False).compressobj()
write(f"{COMP}/zstd-stream.bin", stream.compress(data) + stream.flush())

CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
BASE_TS = 1700000000000


def records(n):
    out = []
    for i in range(n):
        key = None if i % 7 == 0 else ("key-%d" % i).encode()
        value = None if i % 11 == 0 else data[i * 100:i * 100 + 50 + i * 3]
        headers = [] if i % 4 == 0 else [("h%d" % j, None if j == 1 else ("v%d-%d" % (i, j)).encode()) for j in range(i % 3 + 1)]
        out.append({"offset": i, "timestamp": BASE_TS + i * 13, "key": key, "value": value, "headers": headers})
    return out


def hexb(b):
    return None if b is None else b.hex()


expected = {}
for name, codec in CODECS.items():
    rs = records(40)
    b = DefaultRecordBatchBuilder(magic=2, compression_type=codec, is_transactional=False,
                                  producer_id=4242, producer_epoch=3, base_sequence=17, batch_size=1 << 20)
    for r in rs:
        b.append(r["offset"], timestamp=r["timestamp"], key=r["key"], value=r["value"], headers=r["headers"])
    write(f"{REC}/batch-v2-{name}.bin", bytes(b.build()))
    expected[f"batch-v2-{name}.bin"] = [
        {"offset": r["offset"], "timestamp": r["timestamp"], "key": hexb(r["key"]), "value": hexb(r["value"]),
         "headers": [[k, hexb(v)] for k, v in r["headers"]]} for r in rs]

for magic in (0, 1):
    for name, codec in CODECS.items():
        if codec == 4:
            continue
        rs = records(25)
        b = LegacyRecordBatchBuilder(magic=magic, compression_type=codec, batch_size=1 << 20)
        for r in rs:
            b.append(r["offset"], timestamp=r["timestamp"], key=r["key"], value=r["value"])
        write(f"{REC}/message-set-v{magic}-{name}.bin", bytes(b.build()))
        expected[f"message-set-v{magic}-{name}.bin"] = [
            {"offset": r["offset"], "timestamp": r["timestamp"] if magic == 1 else -1, "key": hexb(r["key"]),
             "value": hexb(r["value"]), "headers": []} for r in rs]

with open(f"{REC}/expected.json", "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")
