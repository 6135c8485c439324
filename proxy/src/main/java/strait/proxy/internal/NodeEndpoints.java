package strait.proxy.internal;

import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData;

/**
 * One view over the four generated {@code NodeEndpoint} classes (KIP-951 leader hints), which share fields but no
 * type. Stateless.
 */
interface NodeEndpoints<E> {

    int nodeId(E endpoint);

    String host(E endpoint);

    int port(E endpoint);

    void set(E endpoint, String host, int port);

    NodeEndpoints<ProduceResponseData.NodeEndpoint> PRODUCE = new NodeEndpoints<>() {
        public int nodeId(ProduceResponseData.NodeEndpoint e) {
            return e.nodeId();
        }

        public String host(ProduceResponseData.NodeEndpoint e) {
            return e.host();
        }

        public int port(ProduceResponseData.NodeEndpoint e) {
            return e.port();
        }

        public void set(ProduceResponseData.NodeEndpoint e, String host, int port) {
            e.setHost(host).setPort(port);
        }
    };

    NodeEndpoints<FetchResponseData.NodeEndpoint> FETCH = new NodeEndpoints<>() {
        public int nodeId(FetchResponseData.NodeEndpoint e) {
            return e.nodeId();
        }

        public String host(FetchResponseData.NodeEndpoint e) {
            return e.host();
        }

        public int port(FetchResponseData.NodeEndpoint e) {
            return e.port();
        }

        public void set(FetchResponseData.NodeEndpoint e, String host, int port) {
            e.setHost(host).setPort(port);
        }
    };

    NodeEndpoints<ShareFetchResponseData.NodeEndpoint> SHARE_FETCH = new NodeEndpoints<>() {
        public int nodeId(ShareFetchResponseData.NodeEndpoint e) {
            return e.nodeId();
        }

        public String host(ShareFetchResponseData.NodeEndpoint e) {
            return e.host();
        }

        public int port(ShareFetchResponseData.NodeEndpoint e) {
            return e.port();
        }

        public void set(ShareFetchResponseData.NodeEndpoint e, String host, int port) {
            e.setHost(host).setPort(port);
        }
    };

    NodeEndpoints<ShareAcknowledgeResponseData.NodeEndpoint> SHARE_ACKNOWLEDGE = new NodeEndpoints<>() {
        public int nodeId(ShareAcknowledgeResponseData.NodeEndpoint e) {
            return e.nodeId();
        }

        public String host(ShareAcknowledgeResponseData.NodeEndpoint e) {
            return e.host();
        }

        public int port(ShareAcknowledgeResponseData.NodeEndpoint e) {
            return e.port();
        }

        public void set(ShareAcknowledgeResponseData.NodeEndpoint e, String host, int port) {
            e.setHost(host).setPort(port);
        }
    };
}
