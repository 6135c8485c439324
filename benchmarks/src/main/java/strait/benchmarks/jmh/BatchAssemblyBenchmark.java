package strait.benchmarks.jmh;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import strait.benchmarks.Payloads;

/**
 * Batch assembly on the sender, where the side-by-side profile says the record path spends its CPU: every fetched
 * record is decoded by the consumer and encoded again into a new batch by the producer. One operation handles one
 * batch of {@code records} records of {@code size} bytes (records/s = ops/s × records):
 * <ul>
 *   <li>{@code encode}: appending the records to a new v2 batch with the codec, what the producer does per partition;
 *   <li>{@code decodeAndEncode}: reading a fetched batch record by record and encoding them again: the record path;
 *   <li>{@code forwardBytes}: copying the fetched batch as it is: the byte-level path DESIGN §2 plans.
 * </ul>
 * Uses Kafka's internal record classes (the ones its producer and consumer use), so it follows kafka-clients 4.3.1.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class BatchAssemblyBenchmark {

    @Param({"none", "lz4", "zstd"})
    public String codec;

    @Param({"4096"})
    public int records;

    @Param({"512"})
    public int size;

    private byte[][] keys;
    private byte[][] values;
    private long[] timestamps;
    private Compression compression;
    private ByteBuffer out;
    private ByteBuffer fetched;

    @Setup(Level.Trial)
    public void setUp() {
        Payloads payloads = new Payloads(42, size);
        keys = new byte[records][];
        values = new byte[records][];
        timestamps = new long[records];
        long now = System.currentTimeMillis();
        for (int i = 0; i < records; i++) {
            keys[i] = ("user-" + (i % 997)).getBytes(StandardCharsets.UTF_8);
            timestamps[i] = now + i;
            values[i] = payloads.next(i, timestamps[i]);
        }
        compression = Compression.of(codec).build();
        out = ByteBuffer.allocate(records * (size + 64) + 1024);
        MemoryRecords batch = encodeInto(ByteBuffer.allocate(out.capacity()));
        fetched = batch.buffer().duplicate();
    }

    private MemoryRecords encodeInto(ByteBuffer buffer) {
        buffer.clear();
        MemoryRecordsBuilder builder = MemoryRecords.builder(buffer, compression, TimestampType.CREATE_TIME, 0);
        for (int i = 0; i < records; i++) {
            builder.append(timestamps[i], keys[i], values[i]);
        }
        return builder.build();
    }

    @Benchmark
    public int encode() {
        return encodeInto(out).sizeInBytes();
    }

    @Benchmark
    public int decodeAndEncode() {
        out.clear();
        MemoryRecordsBuilder builder = MemoryRecords.builder(out, compression, TimestampType.CREATE_TIME, 0);
        for (RecordBatch batch :
                MemoryRecords.readableRecords(fetched.duplicate()).batches()) {
            for (Record record : batch) {
                builder.append(record.timestamp(), record.key(), record.value(), record.headers());
            }
        }
        return builder.build().sizeInBytes();
    }

    @Benchmark
    public int forwardBytes() {
        out.clear();
        out.put(fetched.duplicate());
        return out.position();
    }
}
