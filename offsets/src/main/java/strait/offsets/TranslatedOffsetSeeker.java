package strait.offsets;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * For applications moving to the target: seeks every partition a consumer is assigned to its translated offset, as a
 * {@link ConsumerRebalanceListener} ({@code consumer.subscribe(topics, seeker)}). Depends only on kafka-clients and
 * the JDK, so it can be copied into any client application.
 *
 * <p>Offsets come from one of: the target group's committed offsets (synced there by Strait), Strait's
 * {@code GET /offsets/groups/{group}}, or {@code GET /offsets/translate} for source offsets the caller supplies.
 * Partitions without a valid translation are left alone (the consumer's own committed offset or reset policy
 * applies). Called on the consumer's thread, inside {@code poll}, as Kafka calls every rebalance listener.
 */
public final class TranslatedOffsetSeeker implements ConsumerRebalanceListener {

    /** Where translated target offsets come from. */
    @FunctionalInterface
    public interface OffsetSource {
        /** Translated target offsets of those partitions that have one. */
        Map<TopicPartition, Long> targetOffsets(Collection<TopicPartition> partitions);
    }

    private final Consumer<?, ?> consumer;
    private final OffsetSource source;

    public TranslatedOffsetSeeker(Consumer<?, ?> consumer, OffsetSource source) {
        this.consumer = consumer;
        this.source = source;
    }

    /** Seeks to the offsets Strait synced to the consumer's own group on the target. */
    public static TranslatedOffsetSeeker fromSyncedOffsets(Consumer<?, ?> consumer) {
        return new TranslatedOffsetSeeker(consumer, partitions -> {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
            committed.forEach((tp, commit) -> {
                if (commit != null) {
                    offsets.put(tp, commit.offset());
                }
            });
            return offsets;
        });
    }

    /** Seeks to the offsets Strait's HTTP API translated for {@code groupId} ({@code GET /offsets/groups/{group}}). */
    public static TranslatedOffsetSeeker fromSidecar(Consumer<?, ?> consumer, URI sidecar, String groupId) {
        return new TranslatedOffsetSeeker(consumer, partitions -> {
            String body = get(sidecar.resolve("/offsets/groups/" + encode(groupId)));
            Map<TopicPartition, Long> all = parseGroup(body);
            Map<TopicPartition, Long> wanted = new HashMap<>();
            partitions.forEach(tp -> {
                if (all.containsKey(tp)) {
                    wanted.put(tp, all.get(tp));
                }
            });
            return wanted;
        });
    }

    /**
     * Seeks to the translation ({@code GET /offsets/translate}) of source offsets the caller knows, for example the
     * source group's commits read with an Admin client on the source.
     */
    public static TranslatedOffsetSeeker fromSidecarTranslate(
            Consumer<?, ?> consumer, URI sidecar, Map<TopicPartition, Long> sourceOffsets) {
        return new TranslatedOffsetSeeker(consumer, partitions -> {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            for (TopicPartition tp : partitions) {
                Long sourceOffset = sourceOffsets.get(tp);
                if (sourceOffset == null) {
                    continue;
                }
                String body = getOrNull(sidecar.resolve("/offsets/translate?topic=" + encode(tp.topic()) + "&partition="
                        + tp.partition() + "&offset=" + sourceOffset));
                Long target = body == null ? null : longField(body, "targetOffset");
                if (target != null) {
                    offsets.put(tp, target);
                }
            }
            return offsets;
        });
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        source.targetOffsets(partitions).forEach((tp, offset) -> {
            if (partitions.contains(tp)) {
                consumer.seek(tp, offset);
            }
        });
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        // Nothing to do: the application commits what it processed, as it would without this listener.
    }

    // ------------------------------------------------------------------ tiny HTTP + JSON, JDK only

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern OBJECT = Pattern.compile("\\{[^{}]*}");
    private static final Pattern TOPIC = Pattern.compile("\"topic\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private static String get(URI uri) {
        String body = getOrNull(uri);
        if (body == null) {
            throw new IllegalStateException("Strait answered no translation at " + uri.getPath());
        }
        return body;
    }

    /** The body of a 200 answer, or null for any 4xx (unknown group, not yet replicated). */
    private static String getOrNull(URI uri) {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return response.body();
            }
            if (response.statusCode() >= 400 && response.statusCode() < 500) {
                return null;
            }
            throw new IllegalStateException("Strait answered HTTP " + response.statusCode() + " at " + uri.getPath());
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach Strait at " + uri.getHost() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking Strait", e);
        }
    }

    /** The valid partitions of a {@code /offsets/groups/{group}} answer. */
    static Map<TopicPartition, Long> parseGroup(String body) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        Matcher object = OBJECT.matcher(body);
        while (object.find()) {
            String o = object.group();
            Matcher topic = TOPIC.matcher(o);
            Long partition = longField(o, "partition");
            Long target = longField(o, "targetOffset");
            if (topic.find() && partition != null && target != null && o.matches("(?s).*\"valid\"\\s*:\\s*true.*")) {
                offsets.put(new TopicPartition(unescape(topic.group(1)), partition.intValue()), target);
            }
        }
        return offsets;
    }

    private static Long longField(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(json);
        return m.find() ? Long.valueOf(m.group(1)) : null;
    }

    private static String unescape(String s) {
        return s.replace("\\\"", "\"").replace("\\/", "/").replace("\\\\", "\\");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
