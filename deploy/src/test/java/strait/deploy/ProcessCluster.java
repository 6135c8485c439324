package strait.deploy;

import static strait.embedded.Eventually.eventually;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import strait.embedded.Eventually;

/**
 * A KRaft cluster of {@link BrokerProcess}es on this machine (every node broker and controller, replication factor
 * and {@code min.insync.replicas} as in production), for faults the in-JVM test kit cannot make: a node killed,
 * frozen or restarted with its data. Used from the test thread only.
 */
final class ProcessCluster implements AutoCloseable {

    private final String name;
    private final List<BrokerProcess> nodes;
    private final String bootstrapServers;
    private final Admin admin;

    private ProcessCluster(String name, List<BrokerProcess> nodes, String bootstrapServers) {
        this.name = name;
        this.nodes = nodes;
        this.bootstrapServers = bootstrapServers;
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
    }

    /** Formats and starts {@code size} nodes under {@code dir}; returns once every node has registered. */
    static ProcessCluster start(Path dir, String name, int size) throws Exception {
        int[] brokerPorts = freePorts(size);
        int[] controllerPorts = freePorts(size);
        String voters = IntStream.range(0, size)
                .mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts[i])
                .collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        List<BrokerProcess> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Path nodeDir = Files.createDirectories(dir.resolve(name + "-" + (i + 1)));
            Path properties = nodeDir.resolve("server.properties");
            Files.write(properties, nodeProperties(i + 1, voters, brokerPorts[i], controllerPorts[i], nodeDir));
            BrokerProcess node = new BrokerProcess(i + 1, nodeDir, properties);
            node.format(clusterId);
            nodes.add(node);
        }
        String bootstrap = IntStream.range(0, size)
                .mapToObj(i -> "127.0.0.1:" + brokerPorts[i])
                .collect(Collectors.joining(","));
        for (BrokerProcess node : nodes) {
            node.start();
        }
        ProcessCluster cluster = new ProcessCluster(name, nodes, bootstrap);
        try {
            cluster.awaitInSync(Duration.ofSeconds(120));
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private static List<String> nodeProperties(int id, String voters, int brokerPort, int controllerPort, Path dir) {
        return List.of(
                "process.roles=broker,controller",
                "node.id=" + id,
                "controller.quorum.voters=" + voters,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "default.replication.factor=3",
                "min.insync.replicas=2",
                "offsets.topic.replication.factor=3",
                "transaction.state.log.replication.factor=3",
                "transaction.state.log.min.isr=2",
                "unclean.leader.election.enable=false",
                "group.initial.rebalance.delay.ms=0",
                // Small pools: six nodes, the sidecar and the test share two cores.
                "num.network.threads=2",
                "num.io.threads=2",
                "num.recovery.threads.per.data.dir=1",
                "background.threads=2");
    }

    private static int[] freePorts(int count) throws IOException {
        int[] ports = new int[count];
        List<ServerSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0);
                open.add(socket);
                ports[i] = socket.getLocalPort();
            }
        } finally {
            for (ServerSocket socket : open) {
                socket.close();
            }
        }
        return ports;
    }

    String name() {
        return name;
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** The cluster's admin client (owned here; do not close it). */
    Admin admin() {
        return admin;
    }

    List<BrokerProcess> nodes() {
        return nodes;
    }

    BrokerProcess node(int id) {
        return nodes.get(id - 1);
    }

    /** The node leading {@code tp} now. */
    BrokerProcess leaderOf(TopicPartition tp) throws Exception {
        TopicPartitionInfo info = describe(tp);
        if (info.leader() == null) {
            throw new IllegalStateException(name + ": " + tp + " has no leader");
        }
        return node(info.leader().id());
    }

    TopicPartitionInfo describe(TopicPartition tp) throws Exception {
        TopicDescription topic = admin.describeTopics(List.of(tp.topic()))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get(tp.topic());
        return topic.partitions().get(tp.partition());
    }

    /** Waits until {@code tp} has a leader whose node id passes {@code leader}, described by {@code what}. */
    void awaitLeader(TopicPartition tp, String what, IntPredicate leader, Duration within) {
        await(name + ": " + tp + " led by " + what, within, () -> {
            TopicPartitionInfo info = describe(tp);
            return info.leader() != null && leader.test(info.leader().id());
        });
    }

    /** The end offsets of {@code partitions} now; retried while a node is down or frozen. */
    Map<TopicPartition, Long> endOffsets(List<TopicPartition> partitions) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        await(name + ": end offsets of " + partitions, Duration.ofMinutes(1), () -> {
            admin.listOffsets(latest)
                    .all()
                    .get(10, TimeUnit.SECONDS)
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
            return true;
        });
        return ends;
    }

    /**
     * Waits until every node is registered and every partition of every topic, internal ones included, has a leader
     * and all its replicas in sync: the state from which the next fault may start.
     */
    void awaitInSync(Duration within) {
        await(name + ": every node up and every replica in sync", within, () -> {
            if (admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() != nodes.size()) {
                return false;
            }
            var names = admin.listTopics(new ListTopicsOptions().listInternal(true))
                    .names()
                    .get(10, TimeUnit.SECONDS);
            if (names.isEmpty()) {
                return true;
            }
            for (TopicDescription topic : admin.describeTopics(names)
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .values()) {
                for (TopicPartitionInfo p : topic.partitions()) {
                    if (p.leader() == null || p.isr().size() != p.replicas().size()) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    /**
     * Checks {@code condition} every 200 ms until it holds. Unlike a plain {@code eventually}, an admin call failing
     * or timing out counts as "not yet": while a node is down or frozen, they do.
     */
    private void await(String what, Duration within, Eventually.Condition condition) {
        AtomicReference<String> lastError = new AtomicReference<>("");
        eventually(
                what,
                within,
                () -> {
                    try {
                        if (condition.holds()) {
                            return true;
                        }
                    } catch (ExecutionException | TimeoutException e) {
                        lastError.set(e.toString());
                    }
                    Thread.sleep(200);
                    return false;
                },
                () -> lastError.get() + logTails());
    }

    /** The last lines of every node's log, for failure messages. */
    String logTails() {
        StringBuilder s = new StringBuilder();
        for (BrokerProcess node : nodes) {
            s.append("\n--- ")
                    .append(name)
                    .append(" node ")
                    .append(node.nodeId())
                    .append(node.alive() ? "" : " (not running)")
                    .append(":\n")
                    .append(node.logTail());
        }
        return s.toString();
    }

    @Override
    public void close() throws InterruptedException {
        admin.close(Duration.ofSeconds(5));
        for (BrokerProcess node : nodes) {
            node.close();
        }
    }
}
