"""kafka-python producer scenario for the golden-frame capture (run by capture-frames.ts).

usage: kafka_python_client.py BOOTSTRAP TOPIC CLIENT_ID API_VERSION CODEC
API_VERSION is "auto" or dotted, e.g. "0.10" (Produce v2, magic 1) or "0.9" (Produce v1, magic 0).
CODEC is none, gzip, snappy, lz4 or zstd.
"""
import sys

from kafka import KafkaProducer

RECORDS = [(b"key-1", b"value-1"), (b"key-2", b"value-2"), (b"key-3", b"value-3")]


def main(bootstrap, topic, client_id, api_version, codec):
    config = {
        "bootstrap_servers": bootstrap,
        "client_id": client_id,
        "acks": 1,
        "linger_ms": 100,
        "compression_type": None if codec == "none" else codec,
    }
    if api_version != "auto":
        config["api_version"] = tuple(int(x) for x in api_version.split("."))
    producer = KafkaProducer(**config)
    # Headers exist only in record batches (magic 2); older message formats cannot carry them.
    magic2 = producer.config["api_version"] >= (0, 11)
    futures = [
        producer.send(topic, key=key, value=value, partition=0,
                      headers=[("trace", b"golden")] if magic2 else None)
        for key, value in RECORDS
    ]
    producer.flush(15)
    for f in futures:
        f.get(timeout=15)
    producer.close(5)


if __name__ == "__main__":
    main(*sys.argv[1:6])
