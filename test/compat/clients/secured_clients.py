"""confluent-kafka-python and kafka-python over TLS and SASL, for the security compatibility tests.

usage: secured_clients.py CLIENT BOOTSTRAP TOPIC COUNT CONFIG_JSON
  CLIENT is confluent or kafka-python; CONFIG_JSON holds the client's own security settings
  (confluent: security.protocol, sasl.*, ssl.*; kafka-python: security_protocol, sasl_*, ssl_*).
  Produces COUNT records to partition 0 (acks=all), reads them back from the start, and prints
  "<produced> <consumed>". A failed authentication prints the error and exits 1.
"""
import json
import sys


def confluent(bootstrap, topic, count, conf):
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition

    base = dict(conf, **{"bootstrap.servers": bootstrap, "client.id": "compat-confluent-secured"})
    errors = []
    base["error_cb"] = lambda e: errors.append(e)
    p = Producer(dict(base, acks="all"))
    delivered = []
    for i in range(count):
        p.produce(topic, value=f"secured-{i}".encode(), partition=0,
                  on_delivery=lambda err, msg: delivered.append(err))
    p.flush(30)
    if errors and not delivered:
        print(errors[0].str(), file=sys.stderr)
        sys.exit(1)
    produced = sum(1 for e in delivered if e is None)
    c = Consumer(dict(base, **{"group.id": "compat-secured", "enable.auto.commit": False}))
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    consumed = 0
    for _ in range(100):
        msgs = c.consume(count, 0.5)
        consumed += sum(1 for m in msgs if m.error() is None)
        if consumed >= count:
            break
    c.close()
    print(produced, consumed)


def kafka_python(bootstrap, topic, count, conf):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.errors import KafkaError

    base = dict(conf, bootstrap_servers=bootstrap, client_id="compat-kafka-python-secured")
    try:
        p = KafkaProducer(acks="all", **base)
    except KafkaError as e:
        print(repr(e), file=sys.stderr)
        sys.exit(1)
    futures = [p.send(topic, value=f"secured-{i}".encode(), partition=0) for i in range(count)]
    produced = sum(1 for f in futures if f.get(timeout=30) is not None)
    p.close()
    c = KafkaConsumer(enable_auto_commit=False, consumer_timeout_ms=5000, **base)
    tp = TopicPartition(topic, 0)
    c.assign([tp])
    c.seek_to_beginning(tp)
    consumed = 0
    for _ in c:
        consumed += 1
        if consumed >= count:
            break
    c.close()
    print(produced, consumed)


if __name__ == "__main__":
    client, bootstrap, topic, count, conf = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), json.loads(sys.argv[5])
    {"confluent": confluent, "kafka-python": kafka_python}[client](bootstrap, topic, count, conf)
