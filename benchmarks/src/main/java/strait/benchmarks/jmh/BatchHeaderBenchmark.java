package strait.benchmarks.jmh;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
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
import strait.replicator.BatchHeader;

/**
 * What the byte path does to each forwarded batch, with the replicator's own {@link BatchHeader}: check the source's
 * CRC-32C ({@code verify}) and rewrite the 61-byte header for the target, which recomputes the CRC over the whole
 * batch ({@code rewrite}). One operation handles one lz4 batch of at least {@code batchBytes} bytes of the side-by-side
 * harness's JSON payloads; bytes/s = ops/s × the batch size printed at set-up. Run with {@code -prof gc} for the
 * allocation per operation (the goal is none).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class BatchHeaderBenchmark {

    @Param({"16384", "262144", "1048576"})
    public int batchBytes;

    private final BatchHeader header = new BatchHeader();
    private ByteBuffer batch;
    private int sequence;

    @Setup(Level.Trial)
    public void setUp() {
        // Compressed sizes are known only once built: grow the record count until the batch reaches batchBytes.
        int count = 64;
        MemoryRecords records = lz4Batch(count);
        while (records.sizeInBytes() < batchBytes) {
            count = Math.max(count + 1, (int) ((long) count * batchBytes / records.sizeInBytes()) + 1);
            records = lz4Batch(count);
        }
        batch = ByteBuffer.allocate(records.sizeInBytes()); // heap, as the fetch responses are
        batch.put(records.buffer().duplicate()).flip();
        if (!header.crcValid(batch, 0)) {
            throw new IllegalStateException("the built batch fails its own CRC");
        }
        System.out.printf("%n[lz4 batch of %d records, %d bytes]%n", count, batch.remaining());
    }

    private static MemoryRecords lz4Batch(int records) {
        Payloads payloads = new Payloads(42, 512);
        ByteBuffer buffer = ByteBuffer.allocate(records * 600 + 4096);
        MemoryRecordsBuilder builder =
                MemoryRecords.builder(buffer, Compression.lz4().build(), TimestampType.CREATE_TIME, 0);
        long now = 1_750_000_000_000L;
        for (int i = 0; i < records; i++) {
            builder.append(now + i, ("user-" + (i % 997)).getBytes(StandardCharsets.UTF_8), payloads.next(i, now + i));
        }
        return builder.build();
    }

    @Benchmark
    public boolean verify() {
        return header.crcValid(batch, 0);
    }

    @Benchmark
    public int rewrite() {
        header.rewrite(batch, 0, 4242L, (short) 1, sequence);
        sequence += 1000;
        return sequence;
    }
}
