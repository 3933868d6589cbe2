"""confluent-kafka-python scenarios for the golden-frame capture (run by capture-frames.ts).

usage: confluent_kafka_client.py produce|consume BOOTSTRAP TOPIC CLIENT_ID [GROUP_ID]
Prints nothing on success; exits non-zero with a message on failure.
"""
import sys

from confluent_kafka import Consumer, Producer

RECORDS = [(b"key-1", b"value-1"), (b"key-2", b"value-2"), (b"key-3", b"value-3")]


def produce(bootstrap, topic, client_id):
    # Idempotence makes librdkafka ask for a producer id (InitProducerId) before producing.
    p = Producer({
        "bootstrap.servers": bootstrap,
        "client.id": client_id,
        "enable.idempotence": True,
        "linger.ms": 100,
        "api.version.request": True,
    })
    errors = []
    for key, value in RECORDS:
        p.produce(topic, value=value, key=key, partition=0,
                  headers=[("trace", b"golden"), ("client", b"confluent-kafka-python")],
                  on_delivery=lambda err, msg: err and errors.append(err))
    if p.flush(15) != 0 or errors:
        sys.exit(f"produce failed: {errors}")


def consume(bootstrap, topic, client_id, group_id):
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "client.id": client_id,
        "group.id": group_id,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    c.subscribe([topic])
    got = []
    for _ in range(60):
        msg = c.poll(0.5)
        if msg is None:
            if len(got) >= len(RECORDS):
                break
            continue
        if msg.error():
            continue
        got.append((msg.key(), msg.value()))
        if len(got) >= len(RECORDS):
            c.commit(msg, asynchronous=False)
            break
    c.close()
    if got != RECORDS:
        sys.exit(f"consumed {got}, expected {RECORDS}")


if __name__ == "__main__":
    mode, bootstrap, topic, client_id = sys.argv[1:5]
    if mode == "produce":
        produce(bootstrap, topic, client_id)
    else:
        consume(bootstrap, topic, client_id, sys.argv[5])
