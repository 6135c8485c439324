package strait.proxy.internal;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * Reads and writes whole Kafka frames (size prefix included) with kafka-clients' generated message classes. A request
 * header starts with api key, api version and correlation id at fixed offsets in every header version, so
 * forwarding needs no decoding; a body is decoded only when the proxy must see or change it. Stateless.
 */
final class KafkaFrames {

    /** Kafka's own default for {@code socket.request.max.bytes}; responses get the same bound. */
    static final int MAX_FRAME_BYTES = 100 * 1024 * 1024;

    private KafkaFrames() {}

    static short apiKey(Buffer request) {
        return request.getShort(4);
    }

    static short apiVersion(Buffer request) {
        return request.getShort(6);
    }

    static int requestCorrelationId(Buffer request) {
        return request.getInt(8);
    }

    static int responseCorrelationId(Buffer response) {
        return response.getInt(4);
    }

    /** The frame's bytes after the size prefix, without copying. */
    static ByteBufferAccessor reader(Buffer frame) {
        ByteBuffer bytes = ((BufferInternal) frame).getByteBuf().nioBuffer();
        bytes.position(bytes.position() + 4);
        return new ByteBufferAccessor(bytes.slice());
    }

    /**
     * Whether the bodies decoded from {@code frame} ({@link #reader}) are views of the frame's own bytes, so that a
     * change to a decoded record batch changes the frame that is forwarded. True for the heap buffers the frame
     * splitter hands on.
     */
    static boolean sharesBytes(Buffer frame) {
        var buf = ((BufferInternal) frame).getByteBuf();
        return buf.nioBufferCount() == 1 && !buf.isReadOnly();
    }

    /** A copy of {@code frame} in a heap buffer of its own. */
    static Buffer copy(Buffer frame) {
        return Buffer.buffer(frame.getBytes());
    }

    /** A decoded request: its header and the accessor positioned at its body. */
    record Request(RequestHeaderData header, ByteBufferAccessor body) {}

    static Request readRequest(Buffer frame, ApiKeys api, short version) {
        ByteBufferAccessor in = reader(frame);
        RequestHeaderData header = new RequestHeaderData(in, api.requestHeaderVersion(version));
        return new Request(header, in);
    }

    /** A decoded response header and the accessor positioned at its body. */
    record Response(ResponseHeaderData header, ByteBufferAccessor body) {}

    static Response readResponse(Buffer frame, ApiKeys api, short version) {
        ByteBufferAccessor in = reader(frame);
        ResponseHeaderData header = new ResponseHeaderData(in, api.responseHeaderVersion(version));
        return new Response(header, in);
    }

    /** A whole response frame: size, header at the api's header version, body at {@code version}. */
    static Buffer writeResponse(ResponseHeaderData header, ApiMessage body, ApiKeys api, short version) {
        return write(header, api.responseHeaderVersion(version), body, version);
    }

    /** A whole request frame, for the proxy's own requests (the start-up probe). */
    static Buffer writeRequest(RequestHeaderData header, ApiMessage body) {
        ApiKeys api = ApiKeys.forId(header.requestApiKey());
        short version = header.requestApiVersion();
        return write(header, api.requestHeaderVersion(version), body, version);
    }

    private static Buffer write(
            org.apache.kafka.common.protocol.Message header, short headerVersion, ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);
        ByteBuffer out = ByteBuffer.allocate(4 + size.totalSize());
        out.putInt(size.totalSize());
        ByteBufferAccessor writer = new ByteBufferAccessor(out);
        header.write(writer, cache, headerVersion);
        body.write(writer, cache, version);
        return Buffer.buffer(out.array());
    }
}
