package strait.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TranslatedOffsetSeekerTest {

    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    private HttpServer server;
    private MockConsumer<byte[], byte[]> consumer;

    @BeforeEach
    void startFakeSidecar() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/offsets/groups/billing", exchange -> reply(exchange, 200, """
                {"group":"billing","partitions":[
                 {"topic":"orders","partition":0,"sourceOffset":10,"targetOffset":7,"valid":true,"reason":"exact"},
                 {"topic":"orders","partition":1,"sourceOffset":99,"targetOffset":null,"valid":false,
                  "reason":"not yet replicated"}]}"""));
        server.createContext("/offsets/translate", exchange -> {
            String query = exchange.getRequestURI().getQuery();
            if (query.contains("partition=0")) {
                reply(exchange, 200, "{\"topic\":\"orders\",\"partition\":0,\"sourceOffset\":10,\"targetOffset\":8}");
            } else {
                reply(exchange, 409, "{\"error\":\"not yet replicated\"}");
            }
        });
        server.start();
        consumer = new MockConsumer<>(AutoOffsetResetStrategy.NONE.name());
        consumer.assign(List.of(P0, P1));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void seeksValidPartitionsToTheSidecarsGroupTranslationOnly() {
        // given
        TranslatedOffsetSeeker seeker = TranslatedOffsetSeeker.fromSidecar(consumer, sidecar(), "billing");
        consumer.seek(P1, 3);
        // when
        seeker.onPartitionsAssigned(List.of(P0, P1));
        // then
        assertThat(consumer.position(P0)).isEqualTo(7);
        assertThat(consumer.position(P1)).isEqualTo(3);
    }

    @Test
    void seeksToTheTranslationOfKnownSourceOffsets() {
        // given
        TranslatedOffsetSeeker seeker = TranslatedOffsetSeeker.fromSidecarTranslate(consumer, sidecar(),
                Map.of(P0, 10L, P1, 99L));
        consumer.seek(P1, 4);
        // when
        seeker.onPartitionsAssigned(List.of(P0, P1));
        // then
        assertThat(consumer.position(P0)).isEqualTo(8);
        assertThat(consumer.position(P1)).isEqualTo(4);
    }

    @Test
    void parsesEscapedTopicNames() {
        assertThat(TranslatedOffsetSeeker.parseGroup(
                "{\"partitions\":[{\"topic\":\"a\\\"b\",\"partition\":2,\"targetOffset\":5,\"valid\":true}]}"))
                .containsEntry(new TopicPartition("a\"b", 2), 5L);
    }

    private URI sidecar() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static void reply(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
            throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
