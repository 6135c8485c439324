"""A librdkafka consumer (confluent-kafka, classic group protocol) for the tests that move consumers across a cutover.

Subscribes to the topic in the group, reads from the earliest offset and commits synchronously after processing each
batch it polled, until its standard input closes; then closes (leaving the group) and exits 0, or 1 after a fatal
error. Prints one line per record processed on stdout: "REC <partition> <value>". Client errors (a lost connection,
a heartbeat answered with an error) go to stderr and are not fatal, as librdkafka recovers from them.
"""
import sys
import threading

from confluent_kafka import Consumer, KafkaError, KafkaException

bootstrap, topic, group = sys.argv[1], sys.argv[2], sys.argv[3]
stop = threading.Event()
fatal = []


def on_error(err):
    print("ERROR", err, file=sys.stderr, flush=True)
    if err.fatal():
        fatal.append(err)
        stop.set()


def wait_for_eof():
    sys.stdin.read()
    stop.set()


consumer = Consumer({
    "bootstrap.servers": bootstrap,
    "group.id": group,
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
    "error_cb": on_error,
})
consumer.subscribe([topic])
threading.Thread(target=wait_for_eof, daemon=True).start()
while not stop.is_set():
    messages = consumer.consume(num_messages=500, timeout=0.1)
    processed = 0
    for msg in messages:
        if msg.error():
            print("ERROR", msg.error(), file=sys.stderr, flush=True)
            continue
        print("REC", msg.partition(), msg.value().decode(), flush=True)
        processed += 1
    if processed:
        try:
            consumer.commit(asynchronous=False)
        except KafkaException as e:
            if e.args[0].code() != KafkaError._NO_OFFSET:
                print("COMMIT", e, file=sys.stderr, flush=True)
consumer.close()
sys.exit(1 if fatal else 0)
