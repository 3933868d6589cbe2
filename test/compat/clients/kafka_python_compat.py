"""kafka-python scenarios for the compatibility tests (test/compat/kafka-python.test.ts and others).

usage: kafka_python_compat.py MODE BOOTSTRAP TOPIC [ARGS...]
  metadata  BOOTSTRAP TOPIC                     print JSON: broker ids and the topic's partitions
  admin     BOOTSTRAP TOPIC                     create (3 partitions, retention.ms), describe, grow, delete; JSON
  create    BOOTSTRAP TOPIC PARTITIONS [K=V...]  create a topic with topic configs
  produce   BOOTSTRAP TOPIC COUNT CODEC API     produce the compat records to partition 0 (acks=all)
  group-consume BOOTSTRAP TOPIC GROUP COUNT   read COUNT records in a consumer group from its committed
                                            offsets (earliest if none), commit, leave; one line each
  consume   BOOTSTRAP TOPIC COUNT API           read COUNT records of partition 0 from the start; one line each
  consume-all BOOTSTRAP TOPIC COUNT             read COUNT records from every partition; "partition<TAB>key" lines
  produce-timed BOOTSTRAP TOPIC COUNT BASE     the compat records with timestamps BASE + 1000 * i (ms)
  offsets-for-times BOOTSTRAP TOPIC TIMESTAMP   print the first offset at or after TIMESTAMP (ms), or -1
  produce-one BOOTSTRAP TOPIC BYTES MAXBYTES    send one BYTES-long value; print OK or the error's class name
API is "auto" or dotted like "0.10" (Produce v2, magic 1) or "0.9" (Produce v1, magic 0).
Every client id starts with compat-kafka-python so the broker's log attributes its requests.
"""
import json
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic

from compat_records import HEADERS, fail, line, record


def api_config(api):
    return {} if api == "auto" else {"api_version": tuple(int(x) for x in api.split("."))}


def client_id(api):
    return "compat-kafka-python-" + api.replace(".", "_")


def metadata(bootstrap, topic):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id=client_id("auto"))
    partitions = consumer.partitions_for_topic(topic)
    brokers = sorted(b.nodeId for b in consumer._client.cluster.brokers())
    consumer.close()
    print(json.dumps({"brokers": brokers, "partitions": sorted(partitions or [])}))


def admin(bootstrap, topic):
    a = KafkaAdminClient(bootstrap_servers=bootstrap, client_id=client_id("auto"))
    out = {}
    a.create_topics([NewTopic(topic, 3, 1, topic_configs={"retention.ms": "3600000"})])
    out["listed"] = topic in a.list_topics()
    described = a.describe_topics([topic])
    out["partitions"] = sorted(p["partition"] for p in described[0]["partitions"])
    res = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    entries = res[0].resources[0][4]
    out["retention.ms"] = next(e[1] for e in entries if e[0] == "retention.ms")
    a.create_partitions({topic: NewPartitions(5)})
    out["grown"] = len(a.describe_topics([topic])[0]["partitions"])
    a.delete_topics([topic])
    out["after_delete"] = topic in a.list_topics()
    a.close()
    print(json.dumps(out))


def create(bootstrap, topic, partitions, *configs):
    a = KafkaAdminClient(bootstrap_servers=bootstrap, client_id=client_id("auto"))
    topic_configs = dict(c.split("=", 1) for c in configs)
    a.create_topics([NewTopic(topic, int(partitions), 1, topic_configs=topic_configs)])
    a.close()


def produce(bootstrap, topic, count, codec, api):
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id(api),
        acks="all",
        linger_ms=20,
        compression_type=None if codec == "none" else codec,
        **api_config(api),
    )
    # Headers exist only in record batches (magic 2); older message formats cannot carry them.
    headers = HEADERS if producer.config["api_version"] >= (0, 11) else None
    futures = []
    for i in range(int(count)):
        key, value = record(i)
        futures.append(producer.send(topic, key=key, value=value, partition=0, headers=headers))
    producer.flush(60)
    offsets = [f.get(timeout=60).offset for f in futures]
    producer.close(10)
    if offsets != list(range(offsets[0], offsets[0] + len(offsets))):
        fail("acknowledged offsets are not consecutive: %r..." % offsets[:10])


def consume(bootstrap, topic, count, api):
    count = int(count)
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        client_id=client_id(api),
        enable_auto_commit=False,
        fetch_max_wait_ms=200,
        max_partition_fetch_bytes=4 * 1024 * 1024,
        **api_config(api),
    )
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    out = []
    deadline = time.monotonic() + 60
    while len(out) < count and time.monotonic() < deadline:
        for msgs in consumer.poll(timeout_ms=200).values():
            for m in msgs:
                out.append(line(m.offset, m.key, m.value, m.headers))
    consumer.close()
    sys.stdout.write("".join(out))


def produce_timed(bootstrap, topic, count, base):
    producer = KafkaProducer(bootstrap_servers=bootstrap, client_id=client_id("auto"), acks="all")
    futures = []
    for i in range(int(count)):
        key, value = record(i)
        futures.append(producer.send(topic, key=key, value=value, partition=0, headers=HEADERS,
                                     timestamp_ms=int(base) + 1000 * i))
    producer.flush(60)
    for f in futures:
        f.get(timeout=60)
    producer.close(10)


def consume_all(bootstrap, topic, count):
    count = int(count)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id=client_id("auto"), enable_auto_commit=False,
                             fetch_max_wait_ms=200)
    tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
    consumer.assign(tps)
    consumer.seek_to_beginning()
    out = []
    deadline = time.monotonic() + 60
    while len(out) < count and time.monotonic() < deadline:
        for msgs in consumer.poll(timeout_ms=200).values():
            for m in msgs:
                out.append("%d\t%s\n" % (m.partition, m.key.decode()))
    consumer.close()
    sys.stdout.write("".join(out))


def offsets_for_times(bootstrap, topic, timestamp):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id=client_id("auto"))
    tp = TopicPartition(topic, 0)
    found = consumer.offsets_for_times({tp: int(timestamp)})[tp]
    consumer.close()
    print(-1 if found is None else found.offset)


def produce_one(bootstrap, topic, size, max_bytes):
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id("auto"),
        acks="all",
        max_request_size=int(max_bytes),
        retries=0,
    )
    try:
        producer.send(topic, key=b"big", value=b"b" * int(size), partition=0).get(timeout=60)
        print("OK")
    except Exception as e:  # the class name is what the test checks
        print(type(e).__name__)
    producer.close(10)


def group_consume(bootstrap, topic, group, count):
    count = int(count)
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        client_id=client_id("auto"),
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=200,
    )
    out = []
    deadline = time.monotonic() + 60
    while len(out) < count and time.monotonic() < deadline:
        for msgs in consumer.poll(timeout_ms=200).values():
            for m in msgs:
                out.append(line(m.offset, m.key, m.value, m.headers))
    consumer.commit()
    consumer.close()
    sys.stdout.write("".join(out))


MODES = {
    "metadata": metadata,
    "admin": admin,
    "create": create,
    "produce": produce,
    "consume": consume,
    "group-consume": group_consume,
    "produce-timed": produce_timed,
    "consume-all": consume_all,
    "offsets-for-times": offsets_for_times,
    "produce-one": produce_one,
}

if __name__ == "__main__":
    MODES[sys.argv[1]](*sys.argv[2:])
