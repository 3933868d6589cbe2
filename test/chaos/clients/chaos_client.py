"""confluent-kafka-python (librdkafka) as a driver of the chaos workload: it prints one JSON line per
history event, which the chaos runner feeds to the same checker as its own drivers.

usage: chaos_client.py produce BOOTSTRAP TOPIC PARTITIONS NAME
         an idempotent acks=all producer: values NAME:SEQ round-robin over the partitions, one
         {"type":"produce",...,"outcome":"acked"|"unknown","offset":N} line per delivery report;
         on SIGTERM it stops sending, flushes for at most 35 s and reports what is still
         undelivered as unknown
       chaos_client.py consume BOOTSTRAP TOPIC PARTITIONS NAME
         reads every partition from the start (assign, no group), one {"type":"read",...} line per
         record, until SIGTERM
"""
import json
import signal
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition

stopping = False


def on_term(_signum, _frame):
    global stopping
    stopping = True


def emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def produce(bootstrap, topic, partitions, name):
    p = Producer({
        "bootstrap.servers": bootstrap,
        "client.id": name,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 2,
        "request.timeout.ms": 5000,
        # Bounds how long a record can stay unknown after the faults heal.
        "message.timeout.ms": 30000,
        "socket.timeout.ms": 5000,
        "reconnect.backoff.max.ms": 500,
    })
    pending = {}

    def report(err, msg):
        value = msg.value().decode()
        partition = pending.pop(value, msg.partition())
        if err is None:
            emit({"type": "produce", "client": name, "value": value, "partition": partition,
                  "outcome": "acked", "offset": msg.offset()})
        else:
            # librdkafka's fatal idempotence errors and timeouts alike may have been written.
            emit({"type": "produce", "client": name, "value": value, "partition": partition,
                  "outcome": "unknown"})

    seq = 0
    while not stopping:
        if len(pending) < 64:
            value = "%s:%d" % (name, seq)
            partition = seq % partitions
            seq += 1
            try:
                p.produce(topic, value=value.encode(), partition=partition, on_delivery=report)
                pending[value] = partition
            except BufferError:
                pass
            except KafkaException as e:
                # A fatal idempotence error: the producer can send nothing more.
                sys.stderr.write("producer stopped: %s\n" % e)
                break
        p.poll(0.005)
    p.flush(35)
    for value, partition in list(pending.items()):
        emit({"type": "produce", "client": name, "value": value, "partition": partition, "outcome": "unknown"})


def consume(bootstrap, topic, partitions, name):
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "client.id": name,
        "group.id": name,
        "enable.auto.commit": False,
        "socket.timeout.ms": 5000,
        "reconnect.backoff.max.ms": 500,
    })
    c.assign([TopicPartition(topic, i, OFFSET_BEGINNING) for i in range(partitions)])
    while not stopping:
        msg = c.poll(0.2)
        if msg is None:
            continue
        if msg.error() is not None:
            if msg.error().code() != KafkaError._PARTITION_EOF:
                time.sleep(0.1)
            continue
        emit({"type": "read", "client": name, "value": msg.value().decode(), "partition": msg.partition(),
              "offset": msg.offset()})
    c.close()


def main():
    signal.signal(signal.SIGTERM, on_term)
    mode, bootstrap, topic, partitions, name = sys.argv[1:6]
    if mode == "produce":
        produce(bootstrap, topic, int(partitions), name)
    elif mode == "consume":
        consume(bootstrap, topic, int(partitions), name)
    else:
        sys.exit("unknown mode %s" % mode)


if __name__ == "__main__":
    main()
