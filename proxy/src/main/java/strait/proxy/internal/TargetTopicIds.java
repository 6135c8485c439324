package strait.proxy.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.Uuid;

/**
 * The target's topic ids for topic names, asked with the proxy's own target client settings (an Admin describe), on
 * the cutover's thread at the switch: clients come over holding the source's ids, and the proxy patches them to
 * these. A topic the target does not have (or the proxy may not describe) is left out. Blocking; never on the loop.
 */
public final class TargetTopicIds {

    private static final long TIMEOUT_MS = 15_000;

    private TargetTopicIds() {}

    public static Map<String, Uuid> describe(Map<String, Object> clientProps, Set<String> names) {
        Map<String, Uuid> ids = new HashMap<>();
        if (names.isEmpty()) {
            return ids;
        }
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put("client.id", "strait-proxy-topic-ids");
        try (Admin admin = Admin.create(props)) {
            Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(
                            TopicCollection.ofTopicNames(names),
                            new DescribeTopicsOptions().timeoutMs((int) TIMEOUT_MS))
                    .topicNameValues();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
            for (Map.Entry<String, KafkaFuture<TopicDescription>> entry : described.entrySet()) {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                try {
                    ids.put(
                            entry.getKey(),
                            entry.getValue().get(left, TimeUnit.MILLISECONDS).topicId());
                } catch (ExecutionException | TimeoutException e) {
                    // not on the target, or not describable: its requests go as they came
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ids;
    }
}
