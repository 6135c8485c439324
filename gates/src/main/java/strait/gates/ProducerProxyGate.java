package strait.gates;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * {@code producer-proxy}: the proxy's state allows the next step. Until the proxy exists its state is always
 * {@code none}, which is fine for a link that does not use one and blocks a link configured with
 * {@code proxy.enabled=true}.
 */
public final class ProducerProxyGate implements Gate {

    public static final String NAME = "producer-proxy";

    private final GateThresholds thresholds;

    public ProducerProxyGate(GateThresholds thresholds) {
        this.thresholds = thresholds;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GateResult evaluate(GateInputs inputs, Instant now) {
        Freshness.Checked<ProxyState> checked =
                Freshness.check("proxy state", inputs.proxy(), now, thresholds.staleMs());
        if (checked instanceof Freshness.Unusable<ProxyState> unusable) {
            return GateResult.fail(NAME, unusable.reason(), unusable.evidence());
        }
        ProxyState state = ((Freshness.Usable<ProxyState>) checked).value();
        JsonObject evidence =
                new JsonObject().put("state", state.wireName()).put("proxyEnabled", thresholds.proxyEnabled());
        if (!thresholds.proxyEnabled()) {
            return GateResult.pass(NAME, "no producer proxy in this link (proxy.enabled=false)", evidence);
        }
        return GateResult.fail(
                NAME, "proxy.enabled=true but the producer proxy is in state " + state.wireName(), evidence);
    }
}
