package strait.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Strait's whole configuration, declared once: every key with its type, default, validator and documentation.
 *
 * <p>Keys under {@code source.} and {@code target.} that Strait does not declare itself are handed unchanged to every
 * Kafka client of that side, as Kafka's own tools do. Every other key must be declared here: a typo is an error,
 * never a silent default. {@link #parse} reports every problem at once so an operator fixes a file in one pass.
 */
public final class StraitConfig extends AbstractConfig {

    public static final String SOURCE_PREFIX = "source.";
    public static final String TARGET_PREFIX = "target.";

    public static final String SOURCE_BOOTSTRAP_SERVERS = "source.bootstrap.servers";
    public static final String SOURCE_BOOTSTRAP_SERVERS_DOC = "Bootstrap servers of the source cluster.";

    public static final String TARGET_BOOTSTRAP_SERVERS = "target.bootstrap.servers";
    public static final String TARGET_BOOTSTRAP_SERVERS_DOC = "Bootstrap servers of the target cluster.";

    public static final String TARGET_REPLICATION_FACTOR = "target.replication.factor";
    public static final short TARGET_REPLICATION_FACTOR_DEFAULT = -1;
    public static final String TARGET_REPLICATION_FACTOR_DOC =
            "Replication factor of topics Strait creates on the target; -1 uses the target's default.";

    public static final String TOPICS = "topics";
    public static final String TOPICS_DOC =
            "Java regex over source topic names to replicate. Internal topics never match.";

    public static final String TOPICS_EXCLUDE = "topics.exclude";
    public static final String TOPICS_EXCLUDE_DEFAULT = "";
    public static final String TOPICS_EXCLUDE_DOC = "Java regex of source topics to leave out; empty leaves none out.";

    public static final String TOPICS_REFRESH_INTERVAL_MS = "topics.refresh.interval.ms";
    public static final long TOPICS_REFRESH_INTERVAL_MS_DEFAULT = 30_000L;
    public static final String TOPICS_REFRESH_INTERVAL_MS_DOC =
            "How often new topics and partition-count changes on the source are picked up.";

    public static final String GROUPS = "groups";
    public static final String GROUPS_DEFAULT = ".*";
    public static final String GROUPS_DOC = "Java regex of source consumer groups whose offsets are translated. "
            + "Groups it names outright (plain names as alternatives) are read even when the source lists only the groups "
            + "Strait may describe, so a missing ACL is reported instead of the group being skipped.";

    public static final String GROUPS_SYNC_INTERVAL_MS = "groups.sync.interval.ms";
    public static final long GROUPS_SYNC_INTERVAL_MS_DEFAULT = 5_000L;
    public static final String GROUPS_SYNC_INTERVAL_MS_DOC =
            "How often source group offsets are read, translated and synced to the target.";

    public static final String LINK_NAME = "link.name";
    public static final String LINK_NAME_DEFAULT = "strait";
    public static final String LINK_NAME_DOC = "Names this link's internal topics on the target.";

    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_HOST_DEFAULT = "127.0.0.1";
    public static final String HTTP_HOST_DOC = "Address the HTTP API listens on.";

    public static final String HTTP_PORT = "http.port";
    public static final int HTTP_PORT_DEFAULT = 8080;
    public static final String HTTP_PORT_DOC = "Port of the HTTP API; 0 picks a free port.";

    public static final String HTTP_AUTH_TOKEN_FILE = "http.auth.token.file";
    public static final String HTTP_AUTH_TOKEN_FILE_DOC =
            "File holding the bearer token every mutating (POST) endpoint requires; `validate` and `run` refuse one "
                    + "that does not exist, cannot be read or is empty. Unset: no token required.";

    public static final String GATES_LAG_MAX_RECORDS = "gates.lag.max.records";
    public static final long GATES_LAG_MAX_RECORDS_DEFAULT = 1_000L;
    public static final String GATES_LAG_MAX_RECORDS_DOC =
            "The lag window per partition, in records (the cutover itself always drains to 0).";

    public static final String GATES_LAG_MAX_MS = "gates.lag.max.ms";
    public static final long GATES_LAG_MAX_MS_DEFAULT = 5_000L;
    public static final String GATES_LAG_MAX_MS_DOC =
            "The lag window per partition, in milliseconds behind the source.";

    public static final String GATES_STALE_MS = "gates.stale.ms";
    public static final long GATES_STALE_MS_DEFAULT = 30_000L;
    public static final String GATES_STALE_MS_DOC =
            "A gate whose inputs were not refreshed within this time fails as stale instead of serving old news.";

    public static final String GATES_EVIDENCE_FILE = "gates.evidence.file";
    public static final String GATES_EVIDENCE_FILE_DOC =
            "When set, every gate transition is appended to this file as a JSON line, for the change record.";

    /** Every gate the sidecar serves, in the order it serves them: what {@link #GATES_DISABLED} may name. */
    public static final List<String> GATE_NAMES = List.of(
            "lag",
            "resume-points",
            "topic-parity",
            "producer-proxy",
            "capacity",
            "rollback",
            "data-parity",
            "compatibility",
            "inventory");

    public static final String GATES_DISABLED = "gates.disabled";
    public static final String GATES_DISABLED_DOC =
            "Gates switched off by name, comma-separated: they are still listed (as disabled) but not evaluated and "
                    + "never hold a cutover back. Empty: every gate is on.";

    public static final String GATES_CAPACITY_HEADROOM = "gates.capacity.headroom";
    public static final double GATES_CAPACITY_HEADROOM_DEFAULT = 20.0;
    public static final String GATES_CAPACITY_HEADROOM_DOC =
            "Percent added to the bytes still to copy before comparing them with a target log directory's usable "
                    + "bytes (`capacity` gate): 20 means each directory must have 1.2 times what will still land "
                    + "there.";

    public static final String GATES_ROLLBACK_MAX_AGE_MS = "gates.rollback.max.age.ms";
    public static final long GATES_ROLLBACK_MAX_AGE_MS_DEFAULT = 7L * 24 * 60 * 60 * 1000;
    public static final String GATES_ROLLBACK_MAX_AGE_MS_DOC =
            "How recent the rehearsal the `rollback` gate asks for must be: a passed dry run and a rolled-back run "
                    + "(POST /cutover/rollback), each within this many milliseconds. Default 7 days.";

    public static final String GATES_PARITY_INTERVAL_MS = "gates.parity.interval.ms";
    public static final long GATES_PARITY_INTERVAL_MS_DEFAULT = 60_000L;
    public static final String GATES_PARITY_INTERVAL_MS_DOC =
            "How long the `data-parity` gate's sampler waits between rounds; each round samples up to 64 replicated "
                    + "partitions (taking turns), gates.parity.samples records each, one record read per sample on "
                    + "each cluster.";

    public static final String GATES_PARITY_SAMPLES = "gates.parity.samples";
    public static final int GATES_PARITY_SAMPLES_DEFAULT = 16;
    public static final String GATES_PARITY_SAMPLES_DOC =
            "Records the `data-parity` gate compares per partition and round: the oldest still on the source, the "
                    + "newest replicated, the rest spread evenly between.";

    public static final String CUTOVER_FENCE_MAX_MS = "cutover.fence.max.ms";
    public static final long CUTOVER_FENCE_MAX_MS_DEFAULT = 10_000;
    public static final String CUTOVER_FENCE_MAX_MS_DOC =
            "Longest a cutover may hold producers' writes, from raising the fence to the switch; past it the cutover "
                    + "aborts and the held requests go to the source. Keep it under the producers' request.timeout.ms.";

    public static final String CUTOVER_FENCE_LAG_MAX_RECORDS = "cutover.fence.lag.max.records";
    public static final long CUTOVER_FENCE_LAG_MAX_RECORDS_DEFAULT = 0;
    public static final String CUTOVER_FENCE_LAG_MAX_RECORDS_DOC =
            "Replication lag (records, summed over partitions) still allowed when the fence goes up: the cutover first "
                    + "waits, writes flowing, in rounds until replication is this close to the source's end offsets as "
                    + "they were when the round began (rounds go on while they shorten, until one takes 100 ms), so the "
                    + "write pause does not grow with a backlog. 0: all of them.";

    public static final String CUTOVER_FENCE_VERIFY_MS = "cutover.fence.verify.ms";
    public static final long CUTOVER_FENCE_VERIFY_MS_DEFAULT = 250;
    public static final String CUTOVER_FENCE_VERIFY_MS_DOC =
            "How long every replicated source partition's end offset must stay unchanged after the fence is raised "
                    + "before the cutover believes nobody writes around the proxy.";

    public static final String CUTOVER_CONSUMERS_MAX_MS = "cutover.consumers.max.ms";
    public static final long CUTOVER_CONSUMERS_MAX_MS_DEFAULT = 10_000;
    public static final String CUTOVER_CONSUMERS_MAX_MS_DOC =
            "How long the cutover's MOVING_CONSUMERS step may take, on top of cutover.fence.max.ms: the consumer "
                    + "groups that read through the proxy must commit up to the fenced end offsets and let go of their "
                    + "partitions within it (a consumer lets go at its next heartbeat and poll), else the cutover "
                    + "aborts naming them. Writes stay held meanwhile: keep the sum of both under the producers' "
                    + "request.timeout.ms (30 s by default).";

    public static final String PROXY_ENABLED = "proxy.enabled";
    public static final boolean PROXY_ENABLED_DEFAULT = false;
    public static final String PROXY_ENABLED_DOC =
            "Whether the producer proxy runs: a Kafka-protocol proxy that producers use as bootstrap, so their writes "
                    + "can be fenced and moved to the target at cutover.";

    public static final String PROXY_LISTEN_HOST = "proxy.listen.host";
    public static final String PROXY_LISTEN_HOST_DEFAULT = "127.0.0.1";
    public static final String PROXY_LISTEN_HOST_DOC = "Address the producer proxy listens on.";

    public static final String PROXY_LISTEN_PORT = "proxy.listen.port";
    public static final int PROXY_LISTEN_PORT_DEFAULT = 9192;
    public static final String PROXY_LISTEN_PORT_DOC =
            "The proxy's bootstrap port. Upstream broker n of the cluster forwarded to is served on port "
                    + "proxy.listen.port + 1 + (n - that cluster's lowest broker id at start).";

    public static final String PROXY_BROKER_PORTS = "proxy.broker.ports";
    public static final int PROXY_BROKER_PORTS_DEFAULT = 16;
    public static final String PROXY_BROKER_PORTS_DOC =
            "How many ports after proxy.listen.port the proxy binds, one per upstream broker id; a broker whose id "
                    + "falls outside is left out of what clients learn (and logged).";

    public static final String PROXY_ADVERTISED_HOST = "proxy.advertised.host";
    public static final String PROXY_ADVERTISED_HOST_DOC =
            "Host name clients are told to connect to for every broker; unset: proxy.listen.host.";

    public static final String PROXY_LISTEN_SSL_KEYSTORE_LOCATION = "proxy.listen.ssl.keystore.location";
    public static final String PROXY_LISTEN_SSL_KEYSTORE_LOCATION_DOC =
            "Key store (certificate and private key) of the proxy's TLS listener; unset: the listener is plain TCP.";

    public static final String PROXY_LISTEN_SSL_KEYSTORE_PASSWORD = "proxy.listen.ssl.keystore.password";
    public static final String PROXY_LISTEN_SSL_KEYSTORE_PASSWORD_DOC =
            "Password of proxy.listen.ssl.keystore.location (also the key's).";

    public static final String PROXY_LISTEN_SSL_KEYSTORE_TYPE = "proxy.listen.ssl.keystore.type";
    public static final String PROXY_LISTEN_SSL_KEYSTORE_TYPE_DEFAULT = "PKCS12";
    public static final String PROXY_LISTEN_SSL_KEYSTORE_TYPE_DOC = "Format of proxy.listen.ssl.keystore.location.";

    public static final String REPLICATION_QUEUE_MAX_BYTES = "replication.queue.max.bytes";
    public static final long REPLICATION_QUEUE_MAX_BYTES_DEFAULT = 4L * 1024 * 1024;
    public static final String REPLICATION_QUEUE_MAX_BYTES_DOC =
            "Bytes of fetched records one partition may hold before its fetch pauses (backpressure).";

    public static final String REPLICATION_BATCH_MAX_RECORDS = "replication.batch.max.records";
    public static final int REPLICATION_BATCH_MAX_RECORDS_DEFAULT = 4_096;
    public static final String REPLICATION_BATCH_MAX_RECORDS_DOC =
            "Most records a sender drains from its queues before it writes them and waits for the acks.";

    public static final String REPLICATION_PIPELINES = "replication.pipelines";
    public static final int REPLICATION_PIPELINES_DEFAULT = 1;
    public static final String REPLICATION_PIPELINES_DOC =
            "Fetcher/sender pairs, each with its own source consumer, target writer and two threads; partitions are "
                    + "spread over them and stay on theirs. More than one pays when a single sender thread is saturated "
                    + "and cores are spare.";

    public static final String REPLICATION_PATH = "replication.path";
    public static final String REPLICATION_PATH_DEFAULT = "auto";
    public static final String REPLICATION_PATH_DOC =
            "How batches are copied. `auto`: the source's v2 batches are fetched as bytes and forwarded with only their "
                    + "header rewritten, and a batch the target would store or serve differently (compacted with gaps, "
                    + "LogAppendTime, delete horizon, larger than the target takes, with a record the target refuses) "
                    + "is decoded and re-encoded with its own codec; `record`: every batch is read by a consumer and "
                    + "re-encoded. Both keep the same guarantees; `strait_batches_total{path,reason}` counts which.";

    /** The one declaration. Strait-owned keys under source. and target. are declared here too. */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(
                    SOURCE_BOOTSTRAP_SERVERS,
                    Type.STRING,
                    ConfigDef.NO_DEFAULT_VALUE,
                    new BootstrapServersValidator(),
                    Importance.HIGH,
                    SOURCE_BOOTSTRAP_SERVERS_DOC)
            .define(
                    TARGET_BOOTSTRAP_SERVERS,
                    Type.STRING,
                    ConfigDef.NO_DEFAULT_VALUE,
                    new BootstrapServersValidator(),
                    Importance.HIGH,
                    TARGET_BOOTSTRAP_SERVERS_DOC)
            .define(
                    TOPICS,
                    Type.STRING,
                    ConfigDef.NO_DEFAULT_VALUE,
                    new RegexValidator(false),
                    Importance.HIGH,
                    TOPICS_DOC)
            .define(
                    TOPICS_EXCLUDE,
                    Type.STRING,
                    TOPICS_EXCLUDE_DEFAULT,
                    new RegexValidator(true),
                    Importance.MEDIUM,
                    TOPICS_EXCLUDE_DOC)
            .define(
                    TOPICS_REFRESH_INTERVAL_MS,
                    Type.LONG,
                    TOPICS_REFRESH_INTERVAL_MS_DEFAULT,
                    Range.between(100, 86_400_000),
                    Importance.LOW,
                    TOPICS_REFRESH_INTERVAL_MS_DOC)
            .define(
                    TARGET_REPLICATION_FACTOR,
                    Type.SHORT,
                    TARGET_REPLICATION_FACTOR_DEFAULT,
                    new ReplicationFactorValidator(),
                    Importance.MEDIUM,
                    TARGET_REPLICATION_FACTOR_DOC)
            .define(GROUPS, Type.STRING, GROUPS_DEFAULT, new RegexValidator(false), Importance.MEDIUM, GROUPS_DOC)
            .define(
                    GROUPS_SYNC_INTERVAL_MS,
                    Type.LONG,
                    GROUPS_SYNC_INTERVAL_MS_DEFAULT,
                    Range.between(100, 86_400_000),
                    Importance.LOW,
                    GROUPS_SYNC_INTERVAL_MS_DOC)
            .define(
                    LINK_NAME,
                    Type.STRING,
                    LINK_NAME_DEFAULT,
                    new TopicNameValidator(),
                    Importance.MEDIUM,
                    LINK_NAME_DOC)
            .define(
                    HTTP_HOST,
                    Type.STRING,
                    HTTP_HOST_DEFAULT,
                    new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM,
                    HTTP_HOST_DOC)
            .define(HTTP_PORT, Type.INT, HTTP_PORT_DEFAULT, Range.between(0, 65_535), Importance.MEDIUM, HTTP_PORT_DOC)
            .define(
                    HTTP_AUTH_TOKEN_FILE,
                    Type.STRING,
                    null,
                    new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM,
                    HTTP_AUTH_TOKEN_FILE_DOC)
            .define(
                    GATES_LAG_MAX_RECORDS,
                    Type.LONG,
                    GATES_LAG_MAX_RECORDS_DEFAULT,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    GATES_LAG_MAX_RECORDS_DOC)
            .define(
                    GATES_LAG_MAX_MS,
                    Type.LONG,
                    GATES_LAG_MAX_MS_DEFAULT,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    GATES_LAG_MAX_MS_DOC)
            .define(
                    GATES_STALE_MS,
                    Type.LONG,
                    GATES_STALE_MS_DEFAULT,
                    Range.atLeast(100),
                    Importance.LOW,
                    GATES_STALE_MS_DOC)
            .define(
                    GATES_EVIDENCE_FILE,
                    Type.STRING,
                    null,
                    new ConfigDef.NonEmptyString(),
                    Importance.LOW,
                    GATES_EVIDENCE_FILE_DOC)
            .define(
                    GATES_DISABLED,
                    Type.LIST,
                    "",
                    new GateNamesValidator(GATE_NAMES),
                    Importance.LOW,
                    GATES_DISABLED_DOC)
            .define(
                    GATES_CAPACITY_HEADROOM,
                    Type.DOUBLE,
                    GATES_CAPACITY_HEADROOM_DEFAULT,
                    Range.atLeast(0),
                    Importance.LOW,
                    GATES_CAPACITY_HEADROOM_DOC)
            .define(
                    GATES_ROLLBACK_MAX_AGE_MS,
                    Type.LONG,
                    GATES_ROLLBACK_MAX_AGE_MS_DEFAULT,
                    Range.atLeast(1),
                    Importance.LOW,
                    GATES_ROLLBACK_MAX_AGE_MS_DOC)
            .define(
                    GATES_PARITY_INTERVAL_MS,
                    Type.LONG,
                    GATES_PARITY_INTERVAL_MS_DEFAULT,
                    Range.between(1_000, 86_400_000),
                    Importance.LOW,
                    GATES_PARITY_INTERVAL_MS_DOC)
            .define(
                    GATES_PARITY_SAMPLES,
                    Type.INT,
                    GATES_PARITY_SAMPLES_DEFAULT,
                    Range.between(2, 1_000),
                    Importance.LOW,
                    GATES_PARITY_SAMPLES_DOC)
            .define(
                    CUTOVER_FENCE_MAX_MS,
                    Type.LONG,
                    CUTOVER_FENCE_MAX_MS_DEFAULT,
                    Range.between(100, 600_000),
                    Importance.MEDIUM,
                    CUTOVER_FENCE_MAX_MS_DOC)
            .define(
                    CUTOVER_FENCE_LAG_MAX_RECORDS,
                    Type.LONG,
                    CUTOVER_FENCE_LAG_MAX_RECORDS_DEFAULT,
                    Range.atLeast(0),
                    Importance.LOW,
                    CUTOVER_FENCE_LAG_MAX_RECORDS_DOC)
            .define(
                    CUTOVER_FENCE_VERIFY_MS,
                    Type.LONG,
                    CUTOVER_FENCE_VERIFY_MS_DEFAULT,
                    Range.between(0, 60_000),
                    Importance.LOW,
                    CUTOVER_FENCE_VERIFY_MS_DOC)
            .define(
                    CUTOVER_CONSUMERS_MAX_MS,
                    Type.LONG,
                    CUTOVER_CONSUMERS_MAX_MS_DEFAULT,
                    Range.between(0, 60_000),
                    Importance.LOW,
                    CUTOVER_CONSUMERS_MAX_MS_DOC)
            .define(PROXY_ENABLED, Type.BOOLEAN, PROXY_ENABLED_DEFAULT, Importance.LOW, PROXY_ENABLED_DOC)
            .define(
                    PROXY_LISTEN_HOST,
                    Type.STRING,
                    PROXY_LISTEN_HOST_DEFAULT,
                    new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM,
                    PROXY_LISTEN_HOST_DOC)
            .define(
                    PROXY_LISTEN_PORT,
                    Type.INT,
                    PROXY_LISTEN_PORT_DEFAULT,
                    Range.between(1, 65_534),
                    Importance.MEDIUM,
                    PROXY_LISTEN_PORT_DOC)
            .define(
                    PROXY_BROKER_PORTS,
                    Type.INT,
                    PROXY_BROKER_PORTS_DEFAULT,
                    Range.between(1, 1_024),
                    Importance.LOW,
                    PROXY_BROKER_PORTS_DOC)
            .define(
                    PROXY_ADVERTISED_HOST,
                    Type.STRING,
                    null,
                    new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM,
                    PROXY_ADVERTISED_HOST_DOC)
            .define(
                    PROXY_LISTEN_SSL_KEYSTORE_LOCATION,
                    Type.STRING,
                    null,
                    new ConfigDef.NonEmptyString(),
                    Importance.LOW,
                    PROXY_LISTEN_SSL_KEYSTORE_LOCATION_DOC)
            .define(
                    PROXY_LISTEN_SSL_KEYSTORE_PASSWORD,
                    Type.PASSWORD,
                    null,
                    new NonEmptyPassword(),
                    Importance.LOW,
                    PROXY_LISTEN_SSL_KEYSTORE_PASSWORD_DOC)
            .define(
                    PROXY_LISTEN_SSL_KEYSTORE_TYPE,
                    Type.STRING,
                    PROXY_LISTEN_SSL_KEYSTORE_TYPE_DEFAULT,
                    ConfigDef.ValidString.in("PKCS12", "JKS"),
                    Importance.LOW,
                    PROXY_LISTEN_SSL_KEYSTORE_TYPE_DOC)
            .define(
                    REPLICATION_QUEUE_MAX_BYTES,
                    Type.LONG,
                    REPLICATION_QUEUE_MAX_BYTES_DEFAULT,
                    Range.between(64 * 1024, 1L << 31),
                    Importance.LOW,
                    REPLICATION_QUEUE_MAX_BYTES_DOC)
            .define(
                    REPLICATION_BATCH_MAX_RECORDS,
                    Type.INT,
                    REPLICATION_BATCH_MAX_RECORDS_DEFAULT,
                    Range.between(1, 1_000_000),
                    Importance.LOW,
                    REPLICATION_BATCH_MAX_RECORDS_DOC)
            .define(
                    REPLICATION_PIPELINES,
                    Type.INT,
                    REPLICATION_PIPELINES_DEFAULT,
                    Range.between(1, 64),
                    Importance.LOW,
                    REPLICATION_PIPELINES_DOC)
            .define(
                    REPLICATION_PATH,
                    Type.STRING,
                    REPLICATION_PATH_DEFAULT,
                    ConfigDef.ValidString.in("auto", "record"),
                    Importance.MEDIUM,
                    REPLICATION_PATH_DOC);

    private final Map<String, String> originals;

    private StraitConfig(Map<String, String> props) {
        super(CONFIG_DEF, props, false);
        this.originals = Collections.unmodifiableMap(new TreeMap<>(props));
    }

    /**
     * Parses and validates a whole configuration.
     *
     * @throws InvalidConfigException listing every problem found, one per key
     */
    public static StraitConfig parse(Map<String, String> props) {
        List<String> problems = problems(props);
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        try {
            return new StraitConfig(props);
        } catch (ConfigException e) {
            // Validation above mirrors what AbstractConfig checks, so this is a defect; still never a stack trace.
            throw new InvalidConfigException(List.of(SecretMasker.maskMessage(e.getMessage())));
        }
    }

    public static StraitConfig parse(Properties properties) {
        Map<String, String> props = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            props.put(name, properties.getProperty(name).strip());
        }
        return parse(props);
    }

    /** Client settings of the source side, {@code source.} stripped, Strait-owned keys left out. */
    public Map<String, Object> sourceClientProps() {
        return clientProps(SOURCE_PREFIX);
    }

    /** Client settings of the target side, {@code target.} stripped, Strait-owned keys left out. */
    public Map<String, Object> targetClientProps() {
        return clientProps(TARGET_PREFIX);
    }

    private Map<String, Object> clientProps(String prefix) {
        Map<String, Object> client = new LinkedHashMap<>();
        originals.forEach((key, value) -> {
            if (key.startsWith(prefix) && isPassThrough(key)) {
                client.put(key.substring(prefix.length()), value);
            }
        });
        client.put("bootstrap.servers", getString(prefix + "bootstrap.servers"));
        return client;
    }

    /** Whether a key is a Kafka client setting handed through rather than one of Strait's own. */
    static boolean isPassThrough(String key) {
        return (key.startsWith(SOURCE_PREFIX) || key.startsWith(TARGET_PREFIX))
                && !CONFIG_DEF.names().contains(key);
    }

    public Pattern topics() {
        return Pattern.compile(getString(TOPICS));
    }

    /** The exclusion pattern, or empty when nothing is excluded. */
    public java.util.Optional<Pattern> topicsExclude() {
        String exclude = getString(TOPICS_EXCLUDE);
        return exclude.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(Pattern.compile(exclude));
    }

    public Pattern groups() {
        return Pattern.compile(getString(GROUPS));
    }

    public String linkName() {
        return getString(LINK_NAME);
    }

    /** The configuration as an operator may see it: every key, secrets masked. */
    public Map<String, String> masked() {
        Map<String, String> shown = new TreeMap<>();
        originals.forEach((key, value) -> shown.put(key, SecretMasker.isSecret(key) ? SecretMasker.MASK : value));
        return shown;
    }

    /** The configuration reference as a Markdown table, generated from {@link #CONFIG_DEF}. */
    public static String markdownReference() {
        StringBuilder out = new StringBuilder();
        out.append("| key | type | default | valid values | meaning |\n");
        out.append("| --- | --- | --- | --- | --- |\n");
        for (ConfigDef.ConfigKey key : CONFIG_DEF.configKeys().values()) {
            String def = !key.hasDefault()
                    ? "required"
                    : key.defaultValue == null
                            ? "(unset)"
                            : "`" + ConfigDef.convertToString(key.defaultValue, key.type) + "`";
            if (def.equals("``")) {
                def = "(empty)";
            }
            String valid = key.validator == null ? "" : key.validator.toString();
            out.append("| `")
                    .append(key.name)
                    .append("` | ")
                    .append(key.type.name().toLowerCase())
                    .append(" | ")
                    .append(def)
                    .append(" | ")
                    .append(valid.replace("|", "\\|"))
                    .append(" | ")
                    .append(key.documentation)
                    .append(" |\n");
        }
        out.append("| `source.<client key>`, `target.<client key>` | | | any Kafka client setting | ")
                .append("Passed to every Kafka client of that side (`security.protocol`, `sasl.*`, `ssl.*`, ...). |\n");
        return out.toString();
    }

    /**
     * Problems of the files this configuration names, checked on this machine (the file must be there when the sidecar
     * starts): {@code http.auth.token.file} must be a readable, non-empty UTF-8 text file. Kept apart from
     * {@link #parse}, which checks the text of the configuration only; {@code validate} and {@code run} report both.
     */
    public List<String> fileProblems() {
        List<String> problems = new ArrayList<>();
        String tokenFile = getString(HTTP_AUTH_TOKEN_FILE);
        if (tokenFile != null) {
            NamedFiles.readableTextProblem(HTTP_AUTH_TOKEN_FILE, tokenFile).ifPresent(problems::add);
        }
        return problems;
    }

    /** Every problem a configuration has, for callers that report rather than throw. */
    public static List<String> problems(Map<String, String> props) {
        List<String> problems = new ArrayList<>(ConfigValidation.problems(CONFIG_DEF, props));
        if (problems.isEmpty()) {
            proxyPortsProblem(props).ifPresent(problems::add);
        }
        return problems;
    }

    /** The proxy's broker ports must fit after its bootstrap port; each key alone cannot say so. */
    private static java.util.Optional<String> proxyPortsProblem(Map<String, String> props) {
        int port = props.containsKey(PROXY_LISTEN_PORT)
                ? Integer.parseInt(props.get(PROXY_LISTEN_PORT).strip())
                : PROXY_LISTEN_PORT_DEFAULT;
        int brokers = props.containsKey(PROXY_BROKER_PORTS)
                ? Integer.parseInt(props.get(PROXY_BROKER_PORTS).strip())
                : PROXY_BROKER_PORTS_DEFAULT;
        if (port + brokers > 65_535) {
            return java.util.Optional.of(PROXY_BROKER_PORTS + ": " + brokers + " ports after " + PROXY_LISTEN_PORT + " "
                    + port + " go past 65535");
        }
        return java.util.Optional.empty();
    }
}
