"""confluent-kafka-python side of the cross-client tests.

produce BOOTSTRAP TOPIC N: sends key-i/value-i (murmur2_random partitioner, as Java places keys)
  and prints one JSON line per delivery report.
consume BOOTSTRAP TOPIC PARTITIONS N: reads N records from the beginning of the partitions,
  without joining a group, and prints one JSON line per record.
"""
import json
import sys

from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING


def produce(bootstrap, topic, n):
    p = Producer({'bootstrap.servers': bootstrap, 'partitioner': 'murmur2_random', 'linger.ms': 5})
    out = []

    def report(err, msg):
        if err is not None:
            raise SystemExit('delivery failed: %s' % err)
        out.append({'key': msg.key().decode(), 'partition': msg.partition(), 'offset': msg.offset()})

    for i in range(n):
        p.produce(topic, key=('key-%d' % i).encode(), value=('value-%d' % i).encode(),
                  headers=[('h', ('hv-%d' % i).encode())], on_delivery=report)
        p.poll(0)
    if p.flush(30) != 0:
        raise SystemExit('flush timed out')
    for o in out:
        print(json.dumps(o))


def consume(bootstrap, topic, partitions, n):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'cross-client', 'enable.auto.commit': False})
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    got = 0
    idle = 0
    while got < n and idle < 60:
        msg = c.poll(0.5)
        if msg is None:
            idle += 1
            continue
        if msg.error():
            continue
        got += 1
        headers = {k: v.decode() for k, v in (msg.headers() or [])}
        print(json.dumps({'key': msg.key().decode() if msg.key() else None, 'value': msg.value().decode(),
                          'partition': msg.partition(), 'offset': msg.offset(), 'headers': headers}))
    c.close()


if __name__ == '__main__':
    mode, bootstrap, topic = sys.argv[1:4]
    if mode == 'produce':
        produce(bootstrap, topic, int(sys.argv[4]))
    else:
        consume(bootstrap, topic, [int(p) for p in sys.argv[4].split(',')], int(sys.argv[5]))
