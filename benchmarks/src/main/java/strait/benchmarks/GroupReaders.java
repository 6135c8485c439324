package strait.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Stock consumers, one per group, reading through the proxy and committing after processing each poll, for the
 * cutover benchmark: the groups alternate between the classic protocol (cooperative-sticky) and the consumer protocol.
 * Each records when its polls returned records ({@link System#nanoTime}) and how many records it saw twice, so the
 * longest pause in consumption across a switch can be read off.
 *
 * <p>Threads: one polling thread per group; the accessors are for the benchmark's thread.
 */
final class GroupReaders implements AutoCloseable {

    private final List<Reader> readers = new ArrayList<>();

    GroupReaders(String bootstrap, String link, List<String> topics, int groups) {
        for (int g = 0; g < groups; g++) {
            readers.add(new Reader(bootstrap, link + ".group" + g, g % 2 == 0 ? "classic" : "consumer", topics));
        }
    }

    /** Whether every group has had a poll that returned records after {@code nanos}. */
    boolean allReadAfter(long nanos) {
        return readers.stream().allMatch(r -> r.lastRecordsNanos.get() > nanos);
    }

    /** Per group, the longest time between two polls returning records that overlaps [{@code from}, {@code to}]. */
    Map<String, Long> longestPausesMs(long from, long to) {
        Map<String, Long> pauses = new HashMap<>();
        for (Reader r : readers) {
            long longest = 0;
            List<Long> times = List.copyOf(r.recordPolls);
            for (int i = 1; i < times.size(); i++) {
                if (times.get(i) >= from && times.get(i - 1) <= to) {
                    longest = Math.max(longest, times.get(i) - times.get(i - 1));
                }
            }
            pauses.put(r.group, longest / 1_000_000);
        }
        return pauses;
    }

    /** Records processed, summed over the groups. */
    long processed() {
        return readers.stream().mapToLong(r -> r.processed.get()).sum();
    }

    /** Records that some group processed a second time. */
    long reread() {
        return readers.stream().mapToLong(r -> r.reread.get()).sum();
    }

    /** What went wrong in any group's thread. */
    List<String> errors() {
        List<String> all = new ArrayList<>();
        readers.forEach(r -> all.addAll(r.errors));
        return all;
    }

    @Override
    public void close() throws InterruptedException {
        readers.forEach(r -> r.running.set(false));
        for (Reader r : readers) {
            r.thread.join(30_000);
        }
    }

    private static final class Reader {
        final String group;
        final List<Long> recordPolls = new CopyOnWriteArrayList<>();
        final AtomicLong lastRecordsNanos = new AtomicLong();
        final AtomicLong reread = new AtomicLong();
        final AtomicLong processed = new AtomicLong();
        final List<String> errors = new CopyOnWriteArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        Reader(String bootstrap, String group, String protocol, List<String> topics) {
            this.group = group;
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            if (protocol.equals("classic")) {
                props.put(
                        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
            }
            KafkaConsumer<byte[], byte[]> consumer =
                    new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            thread = new Thread(() -> run(consumer, topics), "reader-" + group);
            thread.setDaemon(true);
            thread.start();
        }

        private void run(KafkaConsumer<byte[], byte[]> consumer, List<String> topics) {
            Set<String> seen = new HashSet<>();
            try (consumer) {
                consumer.subscribe(topics);
                while (running.get()) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    if (records.isEmpty()) {
                        continue;
                    }
                    long now = System.nanoTime();
                    recordPolls.add(now);
                    lastRecordsNanos.set(now);
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        processed.incrementAndGet();
                        // Keys are unique per record (PacedProducers: producer-sequence): one seen again was read
                        // again.
                        if (!seen.add(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8))) {
                            reread.incrementAndGet();
                        }
                    }
                    consumer.commitSync();
                }
            } catch (RuntimeException e) {
                errors.add(e.toString());
            }
        }
    }
}
