package strait.gates;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * {@code producer-proxy}: the proxy's state allows a cutover to start. A link without a proxy passes (producers move
 * by hand); a link with one passes while the proxy forwards to the source with no cutover running, and once it has
 * switched; it fails while the proxy is not running and while a cutover is under way.
 */
public final class ProducerProxyGate implements Gate {

    public static final String NAME = "producer-proxy";

    /** The input this gate judges: the proxy's state, registered by the composition root. */
    public static final InputKey<ProxyState> STATE = new InputKey<>("proxy state", ProxyState.class);

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
                Freshness.check(STATE.name(), inputs.input(STATE), now, thresholds.staleMs());
        if (checked instanceof Freshness.Unusable<ProxyState> unusable) {
            return GateResult.fail(NAME, unusable.reason(), unusable.evidence());
        }
        ProxyState state = ((Freshness.Usable<ProxyState>) checked).value();
        JsonObject evidence =
                new JsonObject().put("state", state.wireName()).put("proxyEnabled", thresholds.proxyEnabled());
        if (!thresholds.proxyEnabled()) {
            return GateResult.pass(NAME, "no producer proxy in this link (proxy.enabled=false)", evidence);
        }
        return switch (state) {
            case MIRRORING ->
                GateResult.pass(NAME, "the producer proxy forwards to the source; no cutover is running", evidence);
            case SWITCHED -> GateResult.pass(NAME, "the producer proxy forwards to the target (switched)", evidence);
            case NONE -> GateResult.fail(NAME, "proxy.enabled=true but the producer proxy is not running", evidence);
            default -> GateResult.fail(NAME, "a cutover is running (state " + state.wireName() + ")", evidence);
        };
    }
}
