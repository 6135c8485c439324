"""An idempotent librdkafka producer (confluent-kafka) for the tests that move producers across a cutover.

Sends "rdk-<n>" to partition n % partitions of the topic, about one record a millisecond, until its standard input
closes; then flushes and exits: 0 when every record was delivered, 1 otherwise. Prints one line per delivery report
on stdout: "ACK <partition> <value>" or "FAIL <value> <error>". Client errors (a lost connection) go to stderr and
are not fatal, as librdkafka retries; a fatal one stops the producer.
"""
import sys
import threading
import time

from confluent_kafka import Producer

bootstrap, topic, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3])
stop = threading.Event()
fatal = []
failed = []


def on_error(err):
    print("ERROR", err, file=sys.stderr, flush=True)
    if err.fatal():
        fatal.append(err)
        stop.set()


def on_delivery(err, msg):
    value = msg.value().decode()
    if err is None:
        print("ACK", msg.partition(), value, flush=True)
    else:
        failed.append(value)
        print("FAIL", value, err, flush=True)


def wait_for_eof():
    sys.stdin.read()
    stop.set()


producer = Producer({
    "bootstrap.servers": bootstrap,
    "enable.idempotence": True,
    "acks": "all",
    "linger.ms": 5,
    "error_cb": on_error,
})
threading.Thread(target=wait_for_eof, daemon=True).start()
n = 0
while not stop.is_set():
    try:
        producer.produce(topic, value=("rdk-%d" % n).encode(), partition=n % partitions, on_delivery=on_delivery)
        n += 1
    except BufferError:
        pass
    producer.poll(0.001)
left = producer.flush(60)
sys.exit(0 if left == 0 and not failed and not fatal else 1)
