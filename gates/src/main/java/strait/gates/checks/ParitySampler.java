package strait.gates.checks;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;
import strait.gates.InputProvider;
import strait.gates.TranslationResult;
import strait.gates.Translator;

/**
 * Keeps the {@code data-parity} gate's input fresh: every {@code interval}, for up to {@value #PARTITIONS_PER_ROUND}
 * replicated partitions (taking turns over rounds), it reads {@code samples} records on the source — the oldest
 * still there, the newest replicated, the rest spread evenly between — translates each one's offset with the offset
 * maps and reads the record the target holds there, and compares them ({@link RecordPair}). Each sample is one
 * single-record read per cluster; nothing else is read.
 *
 * <p>Invariants: a partition's mismatches are those of its latest sample (a partition sampled clean again clears
 * them); only offsets below the replicated position are sampled, so a record still in flight is never a mismatch; a
 * cluster that does not answer a sample read in time makes the round unreadable, never a mismatch.
 *
 * <p>Threads: everything runs on its own thread ({@code strait-gates-parity}), which owns both consumers; never on
 * an event loop nor on the evaluation worker. {@link #input} is read by the evaluation worker (a volatile
 * snapshot). {@link #start} and {@link #close} are for the composition root's thread.
 */
public final class ParitySampler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ParitySampler.class);
    static final int PARTITIONS_PER_ROUND = 64;
    static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private final Map<String, Object> sourceProps;
    private final Map<String, Object> targetProps;
    private final Supplier<Map<TopicPartition, Long>> replicated;
    private final Translator translator;
    private final int samples;
    private final PeriodicInput<ParitySnapshot> periodic;
    // Owned by the sampler's thread.
    private final Map<TopicPartition, List<ParityMismatch>> mismatches = new HashMap<>();
    private final Map<TopicPartition, Integer> compared = new HashMap<>();
    private TopicPartition resumeAfter;
    private long recordsRead;
    private KafkaConsumer<byte[], byte[]> source;
    private KafkaConsumer<byte[], byte[]> target;

    /**
     * @param replicated each replicated partition's replicated position (the next source offset not yet on the
     *     target), read on the sampler's thread
     * @param translator the offset maps (in memory, never blocks)
     * @param samples {@code gates.parity.samples}
     * @param interval {@code gates.parity.interval.ms}
     */
    public ParitySampler(
            Map<String, Object> sourceProps,
            Map<String, Object> targetProps,
            Supplier<Map<TopicPartition, Long>> replicated,
            Translator translator,
            int samples,
            Duration interval,
            Clock clock) {
        if (samples < 2) {
            throw new IllegalArgumentException("at least 2 samples: the oldest and the newest");
        }
        this.sourceProps = Map.copyOf(sourceProps);
        this.targetProps = Map.copyOf(targetProps);
        this.replicated = replicated;
        this.translator = translator;
        this.samples = samples;
        this.periodic = new PeriodicInput<>(
                "strait-gates-parity", "data-parity", this::round, ParitySnapshot::problem, interval, clock);
    }

    /** Schedules the rounds, the first at once; the consumers are built on the sampler's thread. */
    public void start() {
        periodic.start();
    }

    /** The data-parity gate's input. Evaluation worker. */
    public InputProvider<ParitySnapshot> input() {
        return periodic.input();
    }

    /** One round; the sampler's thread. A round that fails says so in its snapshot. */
    private ParitySnapshot round() {
        try {
            if (source == null) {
                source = consumer(sourceProps, "strait-parity-source", "read_committed");
                target = consumer(targetProps, "strait-parity-target", "read_uncommitted");
            }
            Map<TopicPartition, Long> positions = new TreeMap<>(ParitySampler::compare);
            positions.putAll(replicated.get());
            mismatches.keySet().retainAll(positions.keySet());
            compared.keySet().retainAll(positions.keySet());
            for (TopicPartition tp : turn(positions)) {
                samplePartition(tp, positions.get(tp));
            }
            return snapshot(Optional.empty());
        } catch (RuntimeException e) {
            LOG.warn("data-parity: sampling failed: {}", ErrorText.describe(e));
            return snapshot(Optional.of("cannot sample records: " + ErrorText.describe(e)));
        }
    }

    /** The next partitions to sample, in turn after the last round's. */
    private List<TopicPartition> turn(Map<TopicPartition, Long> positions) {
        List<TopicPartition> all = new ArrayList<>(positions.keySet());
        int start = 0;
        if (resumeAfter != null) {
            TreeSet<TopicPartition> sorted = new TreeSet<>(ParitySampler::compare);
            sorted.addAll(all);
            TopicPartition next = sorted.higher(resumeAfter);
            start = next == null ? 0 : all.indexOf(next);
        }
        List<TopicPartition> chosen = new ArrayList<>();
        for (int i = 0; i < Math.min(PARTITIONS_PER_ROUND, all.size()); i++) {
            chosen.add(all.get((start + i) % all.size()));
        }
        if (!chosen.isEmpty()) {
            resumeAfter = chosen.get(chosen.size() - 1);
        }
        return chosen;
    }

    private void samplePartition(TopicPartition tp, long replicatedPosition) {
        long oldest = source.beginningOffsets(List.of(tp), READ_TIMEOUT).getOrDefault(tp, 0L);
        long newest = replicatedPosition - 1;
        List<ParityMismatch> found = new ArrayList<>();
        int done = 0;
        long previous = -1;
        for (int i = 0; i < samples && newest >= oldest; i++) {
            long at = oldest + (newest - oldest) * i / (samples - 1);
            if (at <= previous) {
                continue;
            }
            Optional<ConsumerRecord<byte[], byte[]>> sourceRecord = readAtOrAfter(source, tp, at);
            if (sourceRecord.isEmpty()) {
                assertAnswered(source, "source", tp, at);
            }
            if (sourceRecord.isEmpty() || sourceRecord.get().offset() > newest) {
                continue;
            }
            long sourceOffset = sourceRecord.get().offset();
            previous = sourceOffset;
            TranslationResult mapped = translator.translate(tp.topic(), tp.partition(), sourceOffset);
            if (!(mapped instanceof TranslationResult.Exact exact)) {
                continue; // below what the map holds, or not replicated yet: nothing to compare
            }
            long targetOffset = exact.targetOffset();
            Optional<ConsumerRecord<byte[], byte[]>> targetRecord = readAtOrAfter(target, tp, targetOffset);
            if (targetRecord.isEmpty()) {
                assertAnswered(target, "target", tp, targetOffset);
            }
            done++;
            Optional<String> difference =
                    targetRecord.isEmpty() || targetRecord.get().offset() != targetOffset
                            ? Optional.of("no record on the target at offset " + targetOffset)
                            : RecordPair.difference(sourceRecord.get(), targetRecord.get());
            difference.ifPresent(
                    d -> found.add(new ParityMismatch(tp.topic(), tp.partition(), sourceOffset, targetOffset, d)));
        }
        mismatches.put(tp, found);
        compared.put(tp, done);
    }

    /**
     * A read that returned nothing and never moved past {@code offset} got no answer, unless the log ends there (a
     * source's last stable offset, a target's end) or retention deleted it: the cluster did not answer in time (a leader paused or moving),
     * and the round fails as unreadable, so no difference is reported that is not there and no sample is skipped as
     * if there were nothing to compare. (A read that moved on read aborted records or markers: nothing to compare.)
     */
    private static void assertAnswered(
            KafkaConsumer<byte[], byte[]> consumer, String side, TopicPartition tp, long offset) {
        try {
            if (consumer.position(tp, READ_TIMEOUT) > offset) {
                return;
            }
        } catch (InvalidOffsetException e) {
            return; // out of range: deleted by retention since it was chosen
        }
        long start;
        long end;
        try {
            start = consumer.beginningOffsets(List.of(tp), READ_TIMEOUT).getOrDefault(tp, 0L);
            end = consumer.endOffsets(List.of(tp), READ_TIMEOUT).getOrDefault(tp, 0L);
        } catch (TimeoutException e) {
            throw unanswered(side, tp, offset, "nor its log bounds");
        }
        // Below the log start: deleted by retention since it was chosen, nothing there to compare.
        if (end > offset && start <= offset) {
            throw unanswered(side, tp, offset, "its log ends at " + end);
        }
    }

    private static TimeoutException unanswered(String side, TopicPartition tp, long offset, String more) {
        return new TimeoutException("the " + side + " did not return " + tp + " offset " + offset + " within "
                + READ_TIMEOUT.toMillis() + " ms (" + more + ")");
    }

    /** The first record at or after {@code offset}, one read of at most one record. */
    private Optional<ConsumerRecord<byte[], byte[]>> readAtOrAfter(
            KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, long offset) {
        consumer.assign(List.of(tp));
        consumer.seek(tp, offset);
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                var records = consumer.poll(Duration.ofMillis(200)).records(tp);
                if (!records.isEmpty()) {
                    recordsRead++;
                    return Optional.of(records.get(0));
                }
            }
        } catch (org.apache.kafka.clients.consumer.OffsetOutOfRangeException e) {
            // Deleted by retention since it was chosen: nothing there to compare.
        }
        return Optional.empty();
    }

    private ParitySnapshot snapshot(Optional<String> problem) {
        List<ParityMismatch> all = new ArrayList<>();
        mismatches.values().forEach(all::addAll);
        all.sort((a, b) -> a.topic().equals(b.topic())
                ? a.partition() != b.partition()
                        ? Integer.compare(a.partition(), b.partition())
                        : Long.compare(a.sourceOffset(), b.sourceOffset())
                : a.topic().compareTo(b.topic()));
        int partitions = (int) compared.values().stream().filter(n -> n > 0).count();
        long samplesCompared =
                compared.values().stream().mapToLong(Integer::longValue).sum();
        return new ParitySnapshot(partitions, samplesCompared, recordsRead, all, problem);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(
            Map<String, Object> props, String clientId, String isolation) {
        Map<String, Object> all = new HashMap<>(props);
        all.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        all.remove(ConsumerConfig.GROUP_ID_CONFIG);
        all.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        all.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        all.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        all.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        return new KafkaConsumer<>(all, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static int compare(TopicPartition a, TopicPartition b) {
        int byTopic = a.topic().compareTo(b.topic());
        return byTopic != 0 ? byTopic : Integer.compare(a.partition(), b.partition());
    }

    @Override
    public void close() {
        periodic.stop(Duration.ofSeconds(15));
        // The consumers belong to the sampler's thread, which has stopped.
        if (source != null) {
            source.close(Duration.ofSeconds(5));
        }
        if (target != null) {
            target.close(Duration.ofSeconds(5));
        }
    }
}
