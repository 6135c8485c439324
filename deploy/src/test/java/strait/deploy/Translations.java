package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Test helper: checks a running sidecar's {@code /offsets/translate} answer for every source offset of a partition
 * against the logs themselves, so "exact" is proven record by record, not sampled.
 */
final class Translations {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Translations() {}

    /** The target offset of the first committed source record at or after {@code s}; the target end past the last. */
    static long expectedTarget(
            List<ConsumerRecord<byte[], byte[]>> source,
            List<ConsumerRecord<byte[], byte[]>> target,
            long s,
            long targetEnd) {
        int lo = 0;
        int hi = source.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (source.get(mid).offset() < s) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < source.size() ? target.get(lo).offset() : targetEnd;
    }

    static void assertEveryOffsetTranslates(
            String base,
            TopicPartition tp,
            List<ConsumerRecord<byte[], byte[]>> source,
            List<ConsumerRecord<byte[], byte[]>> target,
            long sourceEnd,
            long targetEnd)
            throws Exception {
        Map<Long, String> targetContent = new HashMap<>();
        target.forEach(r -> targetContent.put(r.offset(), PartitionLogs.content(r)));
        Map<Long, String> sourceContent = new HashMap<>();
        source.forEach(r -> sourceContent.put(r.offset(), PartitionLogs.content(r)));
        long logStart = source.isEmpty() ? sourceEnd : Math.min(source.get(0).offset(), sourceEnd);
        int batch = 64;
        for (long from = logStart; from <= sourceEnd; from += batch) {
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            long to = Math.min(sourceEnd, from + batch - 1);
            for (long s = from; s <= to; s++) {
                answers.add(translate(base, tp, s));
            }
            for (long s = from; s <= to; s++) {
                HttpResponse<String> answer = answers.get((int) (s - from)).get(10, TimeUnit.SECONDS);
                assertThat(answer.statusCode())
                        .as("translate %s offset %d: %s", tp, s, answer.body())
                        .isEqualTo(200);
                long got = new JsonObject(answer.body()).getLong("targetOffset");
                long expected = expectedTarget(source, target, s, targetEnd);
                if (got != expected) {
                    throw new AssertionError(tp + " source offset " + s + " translated to " + got + " ("
                            + targetContent.get(got) + ") but the first committed record at or after it is at target "
                            + expected + " (" + targetContent.get(expected) + ")");
                }
                if (expected < targetEnd) {
                    long sourceOffset =
                            source.get(indexOfTarget(target, expected)).offset();
                    assertThat(targetContent.get(got))
                            .as("content at target %d", got)
                            .isEqualTo(sourceContent.get(sourceOffset));
                }
            }
        }
        HttpResponse<String> beyond = translate(base, tp, sourceEnd + 1).get(10, TimeUnit.SECONDS);
        assertThat(beyond.statusCode())
                .as("translate %s one past the end: %s", tp, beyond.body())
                .isEqualTo(409);
    }

    private static int indexOfTarget(List<ConsumerRecord<byte[], byte[]>> target, long offset) {
        int lo = 0;
        int hi = target.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long o = target.get(mid).offset();
            if (o == offset) {
                return mid;
            } else if (o < offset) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        throw new AssertionError("no target record at " + offset);
    }

    private static CompletableFuture<HttpResponse<String>> translate(String base, TopicPartition tp, long s) {
        URI uri = URI.create(
                base + "/offsets/translate?topic=" + tp.topic() + "&partition=" + tp.partition() + "&offset=" + s);
        return HTTP.sendAsync(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
