package strait.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.embedded.SharedClusters;

class OffsetMapStoreIT {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetMapStoreIT.class);

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private Map<String, Object> target() {
        return Map.of("bootstrap.servers", CLUSTERS.targetBootstrapServers());
    }

    @Test
    void rebuildsPersistedMapsExactlyAfterRestart() {
        // given two maps persisted incrementally, with gaps, markers and a trim
        String link = "rebuild";
        TopicPartition a = new TopicPartition("orders", 0);
        TopicPartition b = new TopicPartition("orders", 1);
        OffsetMap mapA = OffsetMap.startingAt(0, 0);
        OffsetMap mapB = OffsetMap.startingAt(50, 10);
        Random random = new Random(7);
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            long s = 0;
            long t = 0;
            for (int i = 0; i < 3_000; i++) {
                if (random.nextInt(5) == 0) {
                    s += 1 + random.nextInt(3);
                    mapA.advanceTo(s);
                }
                mapA.append(s++, t++);
                if (i % 7 == 0) {
                    store.persist(a, mapA);
                }
            }
            mapA.advanceTo(s + 1);
            mapA.trimBelow(100);
            store.persist(a, mapA);
            mapB.append(50, 10);
            mapB.append(52, 11);
            store.persist(b, mapB);
            store.flush();
        }
        // when
        Map<TopicPartition, OffsetMap> loaded;
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            loaded = store.load();
            store.flush();
        }
        // then
        assertThat(loaded).containsOnlyKeys(a, b);
        assertSame(loaded.get(a), mapA);
        assertSame(loaded.get(b), mapB);
    }

    @Test
    void opensAtOnceAndTellsWhetherItCreatedTheTopic() throws Exception {
        // given a link whose offsets topic does not exist yet
        String link = "created-" + System.nanoTime();
        // when it is opened twice, the topic described or created on the store's own thread
        boolean first;
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            first = store.createdTopic();
            assertThat(store.load()).isEmpty();
        }
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            // then only the first open created it, and the topic is the compacted one
            assertThat(first).isTrue();
            assertThat(store.createdTopic()).isFalse();
        }
        try (Admin admin = Admin.create(target())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, OffsetMapStore.topicName(link));
            assertThat(admin.describeConfigs(List.of(resource))
                            .all()
                            .get()
                            .get(resource)
                            .get("cleanup.policy")
                            .value())
                    .isEqualTo("compact");
        }
    }

    @Test
    void continuesPersistingIncrementallyAfterLoad() {
        // given
        String link = "resume";
        TopicPartition tp = new TopicPartition("events", 3);
        OffsetMap map = OffsetMap.startingAt(0, 0);
        map.append(0, 0);
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            store.persist(tp, map);
            store.flush();
        }
        // when a restarted instance loads, extends and persists the loaded map
        OffsetMap resumed;
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            resumed = store.load().get(tp);
            resumed.append(1, 1);
            resumed.advanceTo(4);
            resumed.append(4, 2);
            store.persist(tp, resumed);
            store.flush();
        }
        // then
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            assertSame(store.load().get(tp), resumed);
        }
    }

    @Test
    void keepsTheIdOfTheSourceTopicEachMapWasBuiltFromBesideTheMaps() {
        // given
        String link = "identities";
        TopicPartition tp = new TopicPartition("orders", 0);
        OffsetMap map = OffsetMap.startingAt(0, 0);
        map.append(0, 0);
        Uuid id = Uuid.randomUuid();
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            store.persistSourceTopicId("orders", id);
            store.persist(tp, map);
            store.flush();
        }
        // then a restarted instance reads both
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            assertThat(store.load()).containsOnlyKeys(tp);
            assertThat(store.sourceTopicIds()).containsExactly(Map.entry("orders", id));
        }
    }

    @Test
    void theFirstWriterPersistedStaysTheLinksWhenASecondAllocationLosesTheRace() {
        // given
        String link = "writers";
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            assertThat(store.load()).isEmpty();
            assertThat(store.writer()).isEmpty();
            // when two first starts each persist the producer id they allocated
            store.persistWriter(new WriterId(41L, (short) 0));
            store.persistWriter(new WriterId(7L, (short) 0));
        }
        // then every instance that loads agrees on the first
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            store.load();
            assertThat(store.writer()).contains(new WriterId(41L, (short) 0));
        }
    }

    @Test
    void replacingAPartitionsMapDeletesTheOldRuns() {
        // given a persisted map, then a new map for the same partition (the source topic was recreated)
        String link = "replaced";
        TopicPartition tp = new TopicPartition("recreated", 0);
        OffsetMap old = OffsetMap.startingAt(0, 0);
        for (long s = 0; s < 100; s += 2) {
            old.append(s, s / 2);
        }
        OffsetMap fresh = OffsetMap.startingAt(0, 50);
        fresh.append(1, 50);
        fresh.append(5, 51);
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            store.persist(tp, old);
            // when
            store.persist(tp, fresh);
            store.flush();
        }
        // then
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            assertSame(store.load().get(tp), fresh);
        }
    }

    @Test
    void measuresRebuildOfOneMillionRuns() {
        // given a map of one million runs (every other source offset is a gap)
        String link = "million";
        TopicPartition tp = new TopicPartition("big", 0);
        OffsetMap map = OffsetMap.startingAt(0, 0);
        for (long i = 0; i < 1_000_000; i++) {
            map.append(2 * i, i);
        }
        long persistStart = System.nanoTime();
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            store.persist(tp, map);
            store.flush();
        }
        long persistMs = (System.nanoTime() - persistStart) / 1_000_000;
        // when
        long loadStart = System.nanoTime();
        Map<TopicPartition, OffsetMap> loaded;
        try (OffsetMapStore store = OffsetMapStore.open(target(), link)) {
            loaded = store.load();
        }
        long loadMs = (System.nanoTime() - loadStart) / 1_000_000;
        // then
        LOG.info("1M runs: persist+flush {} ms, open+load {} ms", persistMs, loadMs);
        System.out.println("REBUILD-1M persistMs=" + persistMs + " loadMs=" + loadMs);
        assertThat(loaded.get(tp).runCount()).isEqualTo(1_000_000);
        assertSame(loaded.get(tp), map);
    }

    private static void assertSame(OffsetMap actual, OffsetMap expected) {
        assertThat(actual.runsCopy()).isEqualTo(expected.runsCopy());
        assertThat(actual.oldestTranslatable()).isEqualTo(expected.oldestTranslatable());
        assertThat(actual.replicatedPosition()).isEqualTo(expected.replicatedPosition());
        assertThat(actual.targetPosition()).isEqualTo(expected.targetPosition());
        for (long s = expected.oldestTranslatable(); s <= expected.replicatedPosition() + 1; s += 3) {
            assertThat(actual.translate(s)).isEqualTo(expected.translate(s));
        }
    }
}
