"""A long-running consumer-group member driven by the test over stdin, for the multi-member scenarios.

usage: group_member.py CLIENT BOOTSTRAP TOPIC GROUP NAME [INSTANCE_ID]
  CLIENT is "confluent" (confluent-kafka-python) or "kafka-python". NAME ends the client id
  (compat-confluent-member-NAME, compat-kafka-python-member-NAME) so the broker log attributes it.
  INSTANCE_ID (confluent only) sets group.instance.id: a static member (KIP-345).

Prints one JSON object a line on stdout:
  {"event": "assigned", "partitions": [...]}    after each assignment (the whole assignment)
  {"event": "revoked", "partitions": [...]}
  {"event": "record", "partition": p, "offset": o, "key": "key-i"}
  {"event": "committed"}                         after a "commit" command
  {"event": "closed"}
Commands on stdin, one a line: "commit" (synchronous commit of what was consumed), "close"
(commit, close() - a dynamic member sends LeaveGroup, a static one does not - and exit).
"""
import json
import queue
import sys
import threading

from compat_records import fail

SESSION_TIMEOUT_MS = 6000


def emit(event, **fields):
    fields["event"] = event
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def read_commands(q):
    for cmd in sys.stdin:
        q.put(cmd.strip())
    q.put("close")


def confluent_member(bootstrap, topic, group, name, instance_id=None):
    from confluent_kafka import Consumer

    config = {
        "bootstrap.servers": bootstrap,
        "client.id": "compat-confluent-member-" + name,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "fetch.wait.max.ms": 200,
        "session.timeout.ms": SESSION_TIMEOUT_MS,
        "heartbeat.interval.ms": 500,
        "partition.assignment.strategy": "range",
    }
    if instance_id:
        config["group.instance.id"] = instance_id
    c = Consumer(config)

    def on_assign(consumer, partitions):
        emit("assigned", partitions=sorted(p.partition for p in partitions))

    def on_revoke(consumer, partitions):
        emit("revoked", partitions=sorted(p.partition for p in partitions))

    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    commands = queue.Queue()
    threading.Thread(target=read_commands, args=(commands,), daemon=True).start()
    consumed = False
    while True:
        for msg in c.consume(num_messages=500, timeout=0.1):
            if msg.error():
                # Transient errors (a topic not yet in the metadata) are reported, not fatal.
                if msg.error().fatal():
                    fail("consume error %s" % msg.error())
                emit("error", error=str(msg.error()))
                continue
            emit("record", partition=msg.partition(), offset=msg.offset(), key=msg.key().decode())
            consumed = True
        try:
            cmd = commands.get_nowait()
        except queue.Empty:
            continue
        if consumed:
            c.commit(asynchronous=False)
            consumed = False
        if cmd == "commit":
            emit("committed")
        elif cmd == "close":
            c.close()
            emit("closed")
            return


def kafka_python_member(bootstrap, topic, group, name):
    from kafka import KafkaConsumer
    from kafka.consumer.subscription_state import ConsumerRebalanceListener

    class Listener(ConsumerRebalanceListener):
        def on_partitions_assigned(self, assigned):
            emit("assigned", partitions=sorted(p.partition for p in assigned))

        def on_partitions_revoked(self, revoked):
            emit("revoked", partitions=sorted(p.partition for p in revoked))

    c = KafkaConsumer(
        bootstrap_servers=bootstrap,
        client_id="compat-kafka-python-member-" + name,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=200,
        session_timeout_ms=SESSION_TIMEOUT_MS,
        heartbeat_interval_ms=500,
    )
    c.subscribe([topic], listener=Listener())
    commands = queue.Queue()
    threading.Thread(target=read_commands, args=(commands,), daemon=True).start()
    while True:
        for msgs in c.poll(timeout_ms=100).values():
            for m in msgs:
                emit("record", partition=m.partition, offset=m.offset, key=m.key.decode())
        try:
            cmd = commands.get_nowait()
        except queue.Empty:
            continue
        c.commit()
        if cmd == "commit":
            emit("committed")
        elif cmd == "close":
            c.close()
            emit("closed")
            return


if __name__ == "__main__":
    client, args = sys.argv[1], sys.argv[2:]
    if client == "confluent":
        confluent_member(*args)
    elif client == "kafka-python":
        kafka_python_member(*args)
    else:
        fail("unknown client %s" % client)
