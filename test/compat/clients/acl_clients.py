"""confluent-kafka-python against a broker with ACLs, for the authorization compatibility tests.

usage: acl_clients.py MODE BOOTSTRAP TOPIC GROUP CONFIG_JSON
  MODE produce: produces one record to TOPIC and prints "ok" or the delivery error's name
  (TOPIC_AUTHORIZATION_FAILED). MODE consume: subscribes to TOPIC in GROUP and prints the name of
  the first error the consumer reports (GROUP_AUTHORIZATION_FAILED), or "ok" once a record arrives.
  CONFIG_JSON holds security.protocol and sasl.*.
"""
import json
import sys


def produce(bootstrap, topic, group, conf):
    from confluent_kafka import Producer

    p = Producer(dict(conf, **{"bootstrap.servers": bootstrap, "client.id": "compat-confluent-acls",
                               "message.timeout.ms": 10000}))
    results = []
    p.produce(topic, value=b"acl", on_delivery=lambda err, msg: results.append(err))
    p.flush(20)
    err = results[0] if results else None
    print("ok" if err is None else err.name())


def consume(bootstrap, topic, group, conf):
    from confluent_kafka import Consumer

    c = Consumer(dict(conf, **{"bootstrap.servers": bootstrap, "client.id": "compat-confluent-acls",
                               "group.id": group, "auto.offset.reset": "earliest"}))
    c.subscribe([topic])
    answer = "timeout"
    for _ in range(40):
        m = c.poll(0.5)
        if m is None:
            continue
        answer = "ok" if m.error() is None else m.error().name()
        break
    c.close()
    print(answer)


if __name__ == "__main__":
    mode, bootstrap, topic, group, conf = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
    {"produce": produce, "consume": consume}[mode](bootstrap, topic, group, conf)
