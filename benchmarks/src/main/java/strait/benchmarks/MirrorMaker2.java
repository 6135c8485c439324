package strait.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;

/**
 * MirrorMaker 2 from connect-mirror, its dedicated-mode driver {@code org.apache.kafka.connect.mirror.MirrorMaker}
 * in its own JVM with the JVM options of Kafka's {@code connect-mirror-maker.sh}, tuned: 2 tasks, producer
 * batch.size=262144 and linger.ms=10 (and the source's codec, see {@link RunSpec}), checkpoints every second.
 * Each run gets a fresh source alias, so its internal topics and target topics are new.
 */
final class MirrorMaker2 implements Replicator {

    static final List<String> JVM_OPTS = List.of(
            "-Xms256M",
            "-Xmx2G",
            "-server",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent",
            "-XX:MaxInlineLevel=15",
            "-Djava.awt.headless=true");
    private static final String TARGET_ALIAS = "tgt";

    private final String classpath;
    private final List<String> extraJvmOpts;

    MirrorMaker2(String classpath, List<String> extraJvmOpts) {
        this.classpath = classpath;
        this.extraJvmOpts = extraJvmOpts;
    }

    @Override
    public String name() {
        return "mm2";
    }

    static String sourceAlias(RunSpec spec) {
        return "src-" + spec.runId();
    }

    @Override
    public String targetTopic(RunSpec spec, String sourceTopic) {
        return sourceAlias(spec) + "." + sourceTopic;
    }

    static Properties config(RunSpec spec) {
        String src = sourceAlias(spec);
        String flow = src + "->" + TARGET_ALIAS;
        Properties p = new Properties();
        p.setProperty("clusters", src + ", " + TARGET_ALIAS);
        p.setProperty(src + ".bootstrap.servers", spec.sourceBootstrap());
        p.setProperty(TARGET_ALIAS + ".bootstrap.servers", spec.targetBootstrap());
        p.setProperty(flow + ".enabled", "true");
        p.setProperty(TARGET_ALIAS + "->" + src + ".enabled", "false");
        p.setProperty(flow + ".topics", spec.topicsRegex());
        p.setProperty(flow + ".groups", spec.groupsRegex());
        p.setProperty("tasks.max", "2");
        p.setProperty(TARGET_ALIAS + ".producer.batch.size", "262144");
        p.setProperty(TARGET_ALIAS + ".producer.linger.ms", "10");
        if (spec.sameCodecOnTarget()) {
            p.setProperty(TARGET_ALIAS + ".producer.compression.type", spec.compression());
        }
        p.setProperty("emit.checkpoints.interval.seconds", "1");
        p.setProperty("refresh.groups.interval.seconds", "5");
        p.setProperty("sync.topic.acls.enabled", "false");
        for (String key : List.of(
                "replication.factor",
                "offset-syncs.topic.replication.factor",
                "checkpoints.topic.replication.factor",
                "heartbeats.topic.replication.factor",
                "offset.storage.replication.factor",
                "status.storage.replication.factor",
                "config.storage.replication.factor")) {
            p.setProperty(key, "1");
        }
        return p;
    }

    @Override
    public Child start(RunSpec spec) throws IOException {
        Path file = spec.workDir().resolve("mm2-" + spec.runId() + ".properties");
        try (var out = Files.newBufferedWriter(file)) {
            config(spec).store(out, "MirrorMaker 2, dedicated mode, written by strait.benchmarks.SideBySide");
        }
        List<String> jvm = new ArrayList<>(JVM_OPTS);
        jvm.add("-Dlog4j2.configurationFile=mm2-log4j2.xml");
        jvm.addAll(extraJvmOpts);
        return Child.start(
                "mm2-" + spec.runId(),
                Child.javaCommand(jvm, classpath, "org.apache.kafka.connect.mirror.MirrorMaker", file.toString()),
                spec.workDir());
    }

    @Override
    public Map<Integer, Long> translate(RunSpec spec, Child process, String group) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, spec.targetBootstrap());
        Map<TopicPartition, OffsetAndMetadata> translated =
                RemoteClusterUtils.translateOffsets(props, sourceAlias(spec), group, Duration.ofSeconds(10));
        String targetTopic = targetTopic(spec, spec.bulkTopic());
        Map<Integer, Long> result = new HashMap<>();
        translated.forEach((tp, om) -> {
            if (tp.topic().equals(targetTopic) && om != null) {
                result.put(tp.partition(), om.offset());
            }
        });
        return result;
    }
}
