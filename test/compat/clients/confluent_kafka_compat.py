"""confluent-kafka-python (librdkafka) scenarios for the compatibility tests.

usage: confluent_kafka_compat.py MODE BOOTSTRAP TOPIC [ARGS...]
  metadata  BOOTSTRAP TOPIC                 print JSON: broker ids and the topic's partitions
  admin     BOOTSTRAP TOPIC                 create, describe/alter configs, add partitions, delete; JSON
  produce   BOOTSTRAP TOPIC COUNT CODEC [idempotent]
                                            produce the compat records to partition 0 (acks=all), with
                                            enable.idempotence=true when the last argument says so
  produce-keyed BOOTSTRAP TOPIC COUNT       the compat records, partitioned by key (librdkafka's default)
  group-consume BOOTSTRAP TOPIC GROUP COUNT   read COUNT records in a consumer group from its committed
                                            offsets (earliest if none), commit, leave; one line each
  consume   BOOTSTRAP TOPIC COUNT           read COUNT records of partition 0 from the start; one line each
  produce-one BOOTSTRAP TOPIC BYTES         send one BYTES-long value; print OK or the error's name
  durable   BOOTSTRAP TOPIC START COUNT     acks=all; print "offset<TAB>index" for each acknowledged record
  produce-paced BOOTSTRAP TOPIC COUNT SECONDS  acks=all and idempotent, COUNT keyed records spread over
                                            SECONDS; print "partition<TAB>offset<TAB>key" for each
                                            acknowledged record; fails on any delivery error
  list-groups BOOTSTRAP                     AdminClient.list_groups (ListGroups + DescribeGroups); JSON
  consume-isolated BOOTSTRAP TOPIC LEVEL    read partition 0 from the start to its end with isolation.level
                                            LEVEL (read_committed: up to the last stable offset, aborted
                                            records dropped by the client); one "offset<TAB>value" line each
  transactions BOOTSTRAP TOPIC TXN_ID GROUP a transactional producer on partition 0: commits 3 records,
                                            aborts 2, then commits 1 with the group's offset 5 sent
                                            to the transaction (send_offsets_to_transaction); prints OK
  quota-produce BOOTSTRAP TOPIC CLIENT_ID VALUE_BYTES WARM_S MEASURE_S [PACE]
                                            produce VALUE_BYTES values as fast as the broker lets
                                            CLIENT_ID (or at most PACE value bytes/s) for
                                            WARM_S + MEASURE_S seconds; JSON: the value
                                            bytes acknowledged in the last MEASURE_S seconds and the
                                            throttle events librdkafka reported (KIP-219)
Every client id but quota-produce's starts with compat-confluent so the broker's log attributes its requests.
"""
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

from compat_records import HEADERS, fail, line, record

CLIENT_ID = "compat-confluent"


def wait_all(futures):
    for f in futures.values():
        f.result(30)


def metadata(bootstrap, topic):
    a = AdminClient({"bootstrap.servers": bootstrap, "client.id": CLIENT_ID})
    md = a.list_topics(topic, timeout=30)
    t = md.topics[topic]
    if t.error is not None:
        fail("metadata error %s" % t.error)
    print(json.dumps({"brokers": sorted(md.brokers), "partitions": sorted(t.partitions)}))


def settled(read, done, seconds=15):
    """Reads until `done(read())` holds or `seconds` pass, and returns the last value: metadata
    reaches the other brokers of a cluster shortly after an admin request succeeds, as in Kafka
    (AdminClient's results say the controller applied the change, not that every broker has)."""
    deadline = time.monotonic() + seconds
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.1)
        value = read()
    return value


def admin(bootstrap, topic):
    a = AdminClient({"bootstrap.servers": bootstrap, "client.id": CLIENT_ID})
    out = {}
    wait_all(a.create_topics([NewTopic(topic, 2, 1, config={"cleanup.policy": "compact"})]))
    out["listed"] = settled(lambda: topic in a.list_topics(timeout=30).topics, lambda listed: listed)
    resource = ConfigResource("topic", topic)
    configs = a.describe_configs([resource])[resource].result(30)
    out["cleanup.policy"] = configs["cleanup.policy"].value
    out["retention.ms.default"] = configs["retention.ms"].is_default
    # AlterConfigs replaces the topic's whole set of dynamic configs (non-incremental, as in Kafka).
    altered = ConfigResource("topic", topic, set_config={"retention.ms": "7200000"})
    a.alter_configs([altered])[altered].result(30)
    configs = settled(
        lambda: a.describe_configs([resource])[resource].result(30),
        lambda c: c["retention.ms"].value == "7200000",
    )
    out["retention.ms"] = configs["retention.ms"].value
    out["cleanup.policy.after_alter"] = configs["cleanup.policy"].value
    broker = ConfigResource("broker", "1")
    broker_configs = a.describe_configs([broker])[broker].result(30)
    out["broker.num.partitions"] = broker_configs["num.partitions"].value
    wait_all(a.create_partitions([NewPartitions(topic, 4)]))
    out["grown"] = settled(lambda: len(a.list_topics(topic, timeout=30).topics[topic].partitions), lambda n: n == 4)
    wait_all(a.delete_topics([topic], operation_timeout=30))
    out["after_delete"] = settled(lambda: topic in a.list_topics(timeout=30).topics, lambda listed: not listed)
    print(json.dumps(out))


def produce(bootstrap, topic, count, codec, mode="plain"):
    p = Producer({
        "bootstrap.servers": bootstrap,
        "client.id": CLIENT_ID,
        "acks": "all",
        "linger.ms": 20,
        "compression.codec": codec,
        "enable.idempotence": mode == "idempotent",
    })
    errors = []
    offsets = []

    def delivered(err, msg):
        if err is not None:
            errors.append(err)
        else:
            offsets.append(msg.offset())

    for i in range(int(count)):
        key, value = record(i)
        while True:
            try:
                p.produce(topic, key=key, value=value, partition=0, headers=HEADERS, on_delivery=delivered)
                break
            except BufferError:
                p.poll(0.1)
    if p.flush(60) != 0 or errors:
        fail("produce failed: %r" % errors[:5])
    if sorted(offsets) != list(range(min(offsets), min(offsets) + len(offsets))):
        fail("acknowledged offsets are not consecutive")


def produce_keyed(bootstrap, topic, count):
    p = Producer({"bootstrap.servers": bootstrap, "client.id": CLIENT_ID, "acks": "all", "linger.ms": 20})
    errors = []
    for i in range(int(count)):
        key, value = record(i)
        while True:
            try:
                p.produce(topic, key=key, value=value, on_delivery=lambda err, msg: err and errors.append(err))
                break
            except BufferError:
                p.poll(0.1)
    if p.flush(60) != 0 or errors:
        fail("produce failed: %r" % errors[:5])


def consume(bootstrap, topic, count):
    count = int(count)
    # A group id is mandatory in this client even for assign(); no group API is used: nothing is
    # subscribed or committed.
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "client.id": CLIENT_ID,
        "group.id": "compat-unused",
        "enable.auto.commit": False,
        "fetch.wait.max.ms": 200,
    })
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    out = []
    deadline = time.monotonic() + 60
    while len(out) < count and time.monotonic() < deadline:
        for msg in c.consume(num_messages=1000, timeout=0.2):
            if msg.error():
                fail("consume error %s" % msg.error())
            out.append(line(msg.offset(), msg.key(), msg.value(), msg.headers()))
    c.close()
    sys.stdout.write("".join(out))


def consume_isolated(bootstrap, topic, level):
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "client.id": CLIENT_ID,
        "group.id": "compat-unused",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "isolation.level": level,
        "fetch.wait.max.ms": 200,
    })
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    out = []
    deadline = time.monotonic() + 60
    done = False
    while not done and time.monotonic() < deadline:
        for msg in c.consume(num_messages=1000, timeout=0.2):
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    done = True
                    break
                fail("consume error %s" % msg.error())
            out.append("%d\t%s\n" % (msg.offset(), msg.value().decode()))
    c.close()
    if not done:
        fail("no end of partition within 60 s")
    sys.stdout.write("".join(out))


def produce_one(bootstrap, topic, size):
    p = Producer({
        "bootstrap.servers": bootstrap,
        "client.id": CLIENT_ID,
        "acks": "all",
        "message.max.bytes": 4 * 1024 * 1024,
        "retries": 0,
    })
    result = []
    p.produce(topic, key=b"big", value=b"b" * int(size), partition=0,
              on_delivery=lambda err, msg: result.append("OK" if err is None else err.name()))
    p.flush(60)
    print(result[0] if result else "NO_REPORT")


def durable(bootstrap, topic, start, count):
    p = Producer({
        "bootstrap.servers": bootstrap,
        "client.id": CLIENT_ID,
        "acks": "all",
        "linger.ms": 5,
        "batch.num.messages": 50,
        "message.timeout.ms": 5000,
        "retries": 0,
    })

    def delivered(err, msg):
        if err is None:
            i = int(msg.key().decode().split("-")[1])
            sys.stdout.write("%d\t%d\n" % (msg.offset(), i))
            sys.stdout.flush()

    start = int(start)
    for i in range(start, start + int(count)):
        key, value = record(i)
        while True:
            try:
                p.produce(topic, key=key, value=value, partition=0, headers=HEADERS, on_delivery=delivered)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
    p.flush(10)


def produce_paced(bootstrap, topic, count, seconds):
    p = Producer({
        "bootstrap.servers": bootstrap,
        "client.id": CLIENT_ID,
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": 5,
        "retry.backoff.ms": 100,
        "message.timeout.ms": 60000,
    })
    errors = []

    def delivered(err, msg):
        if err is not None:
            errors.append(err)
            return
        sys.stdout.write("%d\t%d\t%s\n" % (msg.partition(), msg.offset(), msg.key().decode()))

    count = int(count)
    pause = float(seconds) / count
    for i in range(count):
        key, value = record(i)
        p.produce(topic, key=key, value=value, on_delivery=delivered)
        p.poll(pause)
    if p.flush(60) != 0 or errors:
        fail("produce failed: %r" % errors[:5])
    sys.stdout.flush()


def group_consume(bootstrap, topic, group, count):
    count = int(count)
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "client.id": CLIENT_ID,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "fetch.wait.max.ms": 200,
    })
    c.subscribe([topic])
    out = []
    last = None
    deadline = time.monotonic() + 60
    while len(out) < count and time.monotonic() < deadline:
        for msg in c.consume(num_messages=1000, timeout=0.2):
            if msg.error():
                fail("consume error %s" % msg.error())
            out.append(line(msg.offset(), msg.key(), msg.value(), msg.headers()))
            last = msg
    if last is not None:
        c.commit(message=last, asynchronous=False)
    c.close()
    sys.stdout.write("".join(out))


def list_groups(bootstrap):
    a = AdminClient({"bootstrap.servers": bootstrap, "client.id": CLIENT_ID})
    out = {}
    for g in a.list_groups(timeout=30):
        if g.error is not None:
            fail("group %s: %s" % (g.id, g.error))
        out[g.id] = {
            "state": g.state,
            "protocol_type": g.protocol_type,
            "protocol": g.protocol,
            "members": sorted(m.client_id for m in g.members),
        }
    print(json.dumps(out))


def transactions(bootstrap, topic, txn_id, group):
    p = Producer({
        "bootstrap.servers": bootstrap,
        "client.id": CLIENT_ID + "-txn",
        "transactional.id": txn_id,
        "transaction.timeout.ms": 60000,
    })
    p.init_transactions(30)
    p.begin_transaction()
    for i in range(3):
        p.produce(topic, value=b"committed-%d" % i, partition=0)
    p.commit_transaction(30)
    p.begin_transaction()
    for i in range(2):
        p.produce(topic, value=b"aborted-%d" % i, partition=0)
    p.flush(30)
    p.abort_transaction(30)
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "client.id": CLIENT_ID + "-txn",
        "group.id": group,
        "enable.auto.commit": False,
    })
    p.begin_transaction()
    p.produce(topic, value=b"committed-3", partition=0)
    p.send_offsets_to_transaction([TopicPartition(topic, 0, 5)], c.consumer_group_metadata(), 30)
    p.commit_transaction(30)
    c.close()
    print("OK")


def quota_produce(bootstrap, topic, client_id, value_bytes, warm_s, measure_s, pace="0"):
    value = b"q" * int(value_bytes)
    pace = float(pace)
    throttles = []
    p = Producer({
        "bootstrap.servers": bootstrap,
        "client.id": client_id,
        "acks": "1",
        "linger.ms": 5,
        "queue.buffering.max.kbytes": 32,
        "batch.size": 16384,
        "throttle_cb": lambda event: throttles.append(event.throttle_time),
    })
    start = time.monotonic()
    window_start = start + float(warm_s)
    end = window_start + float(measure_s)
    acked = [0]
    sent = 0

    def delivered(err, msg):
        if err is not None:
            fail("delivery failed: %s" % err)
        now = time.monotonic()
        if window_start <= now < end:
            acked[0] += len(msg.value())

    while time.monotonic() < end:
        if pace > 0 and sent > pace * (time.monotonic() - start):
            p.poll(0.005)
            continue
        try:
            p.produce(topic, value, partition=0, on_delivery=delivered)
            sent += len(value)
            p.poll(0)
        except BufferError:
            p.poll(0.01)
    p.flush(60)
    print(json.dumps({"bytes": acked[0], "throttles": len(throttles)}))


MODES = {
    "quota-produce": quota_produce,
    "transactions": transactions,
    "list-groups": list_groups,
    "metadata": metadata,
    "admin": admin,
    "produce": produce,
    "produce-keyed": produce_keyed,
    "produce-paced": produce_paced,
    "consume": consume,
    "consume-isolated": consume_isolated,
    "group-consume": group_consume,
    "produce-one": produce_one,
    "durable": durable,
}

if __name__ == "__main__":
    try:
        MODES[sys.argv[1]](*sys.argv[2:])
    except KafkaException as e:
        fail("kafka error: %s" % e)
