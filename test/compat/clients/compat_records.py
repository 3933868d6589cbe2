"""The records every compatibility scenario produces and checks (mirrors helpers/compat-records.ts).

Record i: key b"key-<i>", value None when i % 10 == 3, otherwise b"value-<i>-" padded with i % 37
x's; headers trace=compat and lang=any where the message format has headers.
"""
import sys

HEADERS = [("trace", b"compat"), ("lang", b"any")]


def record(i):
    value = None if i % 10 == 3 else ("value-%d-%s" % (i, "x" * (i % 37))).encode()
    return ("key-%d" % i).encode(), value


def line(offset, key, value, headers):
    """One consumed record as the tests compare it: offset, key, value, headers (NULL for None)."""
    def text(b):
        return "NULL" if b is None else b.decode()
    hs = ",".join("%s=%s" % (k, text(v)) for k, v in (headers or []))
    return "%d\t%s\t%s\t%s\n" % (offset, text(key), text(value), hs)


def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(1)
