package strait.deploy;

import java.util.Collections;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;

/**
 * A produce byte-rate quota for every client of a cluster, so a test can hold replication back deterministically
 * (the broker delays its answers) instead of hoping a burst outpaces the replicator.
 */
final class TargetQuota {

    private TargetQuota() {}

    /** Sets the quota to {@code bytesPerSecond}, or removes it when null. */
    static void produceRate(Admin admin, Double bytesPerSecond) throws Exception {
        ClientQuotaEntity everyClient =
                new ClientQuotaEntity(Collections.singletonMap(ClientQuotaEntity.CLIENT_ID, null));
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(
                        everyClient, List.of(new ClientQuotaAlteration.Op("producer_byte_rate", bytesPerSecond)))))
                .all()
                .get();
    }
}
