package strait.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Accepts -1 (the cluster's default) or a positive replication factor. */
final class ReplicationFactorValidator implements ConfigDef.Validator {

    @Override
    public void ensureValid(String name, Object value) {
        short factor = (Short) value;
        if (factor != -1 && factor < 1) {
            throw new ConfigException(name, value, "must be -1 (target default) or at least 1");
        }
    }

    @Override
    public String toString() {
        return "-1 or [1,...]";
    }
}
