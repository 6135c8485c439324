package strait.replicator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetch thread: reads its assigned source partitions with {@code read_committed} (manual assignment, no group)
 * and hands each poll's records of one partition to the sender as a {@link Chunk}.
 *
 * <p>Backpressure: a partition {@link InFlightLimit} calls full is paused on the consumer and resumed once drained;
 * when the shared queue itself is full the thread waits, so memory stays bounded.
 *
 * <p>Threads: {@link #run} is the fetch thread; {@link #assign}, {@link #unassign} and {@link #close} may be called
 * from any thread: they enqueue commands the fetch thread applies between polls (the consumer is not thread-safe).
 */
final class PartitionFetcher implements SourceFetcher {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionFetcher.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final MessagePassingQueue<Chunk> toSender;
    private final InFlightLimit inFlight;
    private final ReplicatorMetrics metrics;
    private final StopListener stopper;
    private final MpscUnboundedXaddArrayQueue<Runnable> commands = new MpscUnboundedXaddArrayQueue<>(64);
    private volatile boolean running = true;

    // Fetch thread only.
    private final Map<TopicPartition, Assigned> assigned = new HashMap<>();
    private final Set<TopicPartition> paused = new HashSet<>();

    private static final class Assigned {
        final PartitionState partition;
        final int epoch;
        long lastNext;

        Assigned(PartitionState partition, int epoch, long position) {
            this.partition = partition;
            this.epoch = epoch;
            this.lastNext = position;
        }
    }

    PartitionFetcher(
            KafkaConsumer<byte[], byte[]> consumer,
            MessagePassingQueue<Chunk> toSender,
            long maxBytesInFlight,
            ReplicatorMetrics metrics,
            StopListener stopper) {
        this.consumer = consumer;
        this.toSender = toSender;
        this.inFlight = new InFlightLimit(maxBytesInFlight);
        this.metrics = metrics;
        this.stopper = stopper;
    }

    /** Any thread: start fetching {@code partition} at {@code position} for assignment generation {@code epoch}. */
    @Override
    public void assign(PartitionState partition, long position, int epoch) {
        commands.offer(() -> {
            assigned.put(partition.tp, new Assigned(partition, epoch, position));
            paused.remove(partition.tp);
            consumer.assign(assigned.keySet());
            consumer.seek(partition.tp, position);
        });
        consumer.wakeup();
    }

    /** Any thread: stop fetching {@code tp}. */
    @Override
    public void unassign(TopicPartition tp) {
        commands.offer(() -> removeLocally(tp));
        consumer.wakeup();
    }

    private void removeLocally(TopicPartition tp) {
        if (assigned.remove(tp) != null) {
            paused.remove(tp);
            consumer.assign(assigned.keySet());
        }
    }

    /** Any thread: ends {@link #run} after its current poll. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                applyCommands();
                resumeDrained();
                if (assigned.isEmpty()) {
                    LockSupport.parkNanos(20_000_000L);
                    continue;
                }
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(POLL_TIMEOUT);
                } catch (WakeupException e) {
                    continue;
                } catch (LogTruncationException e) {
                    e.offsetOutOfRangePartitions()
                            .forEach(
                                    (tp, offset) -> stopAndRemove(
                                            tp,
                                            "source_truncated",
                                            "the source log was truncated below this link's fetch position " + offset
                                                    + divergence(e, tp)
                                                    + " (an unclean leader election on the source): records "
                                                    + "already copied may no longer exist there, and new ones may take their offsets"));
                    continue;
                } catch (OffsetOutOfRangeException e) {
                    e.offsetOutOfRangePartitions()
                            .forEach((tp, offset) -> stopAndRemove(
                                    tp,
                                    "offset_out_of_range",
                                    "source offset " + offset
                                            + " is no longer on the source (deleted by retention before it "
                                            + "was replicated); records would be skipped"));
                    continue;
                } catch (TopicAuthorizationException e) {
                    for (TopicPartition tp : List.copyOf(assigned.keySet())) {
                        if (e.unauthorizedTopics().contains(tp.topic())) {
                            stopAndRemove(
                                    tp,
                                    "authorization",
                                    "not authorized to read the source topic: " + Failures.describe(e));
                        }
                    }
                    continue;
                } catch (KafkaException e) {
                    metrics.error(Failures.kind(e), "source");
                    LOG.warn("source fetch failed, retrying: {}", Failures.describe(e));
                    LockSupport.parkNanos(500_000_000L);
                    continue;
                }
                handOver(records);
            }
        } catch (RuntimeException e) {
            LOG.error("fetch thread failed: {}", Failures.describe(e), e);
            for (Assigned a : assigned.values()) {
                stopper.stop(a.partition, "fatal", "source", "fetch thread failed: " + Failures.describe(e));
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static String divergence(LogTruncationException e, TopicPartition tp) {
        OffsetAndMetadata first = e.divergentOffsets().get(tp);
        return first == null ? "" : ", diverging from offset " + first.offset();
    }

    private void stopAndRemove(TopicPartition tp, String kind, String reason) {
        Assigned a = assigned.get(tp);
        if (a != null) {
            stopper.stop(a.partition, kind, "source", reason);
        }
        removeLocally(tp);
    }

    private void applyCommands() {
        Runnable command;
        while ((command = commands.poll()) != null) {
            command.run();
        }
    }

    private void resumeDrained() {
        if (paused.isEmpty()) {
            return;
        }
        List<TopicPartition> resume = new ArrayList<>();
        for (TopicPartition tp : paused) {
            PartitionState ps = assigned.get(tp).partition;
            if (inFlight.drained(ps)) {
                resume.add(tp);
            }
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
            resume.forEach(paused::remove);
        }
    }

    private void handOver(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> next = records.nextOffsets();
        Set<TopicPartition> touched = new HashSet<>(records.partitions());
        touched.addAll(next.keySet());
        for (TopicPartition tp : touched) {
            Assigned a = assigned.get(tp);
            if (a == null) {
                continue;
            }
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            OffsetAndMetadata om = next.get(tp);
            long nextOffset = om != null
                    ? om.offset()
                    : list.isEmpty() ? a.lastNext : list.get(list.size() - 1).offset() + 1;
            if (list.isEmpty() && nextOffset <= a.lastNext) {
                continue;
            }
            long bytes = 0;
            for (ConsumerRecord<byte[], byte[]> r : list) {
                bytes += Chunk.sizeOf(r);
            }
            a.lastNext = nextOffset;
            PartitionState ps = a.partition;
            ps.onEnqueued(list.isEmpty() ? -1 : list.get(0).timestamp(), list.size(), bytes);
            Chunk chunk = Chunk.ofRecords(ps, a.epoch, list, nextOffset, bytes);
            // Thread boundary: from here the sender thread owns the chunk.
            while (!toSender.relaxedOffer(chunk)) {
                if (!running) {
                    return;
                }
                LockSupport.parkNanos(200_000L);
            }
            if (inFlight.full(ps)) {
                if (paused.add(tp)) {
                    consumer.pause(List.of(tp));
                }
            }
        }
    }
}
