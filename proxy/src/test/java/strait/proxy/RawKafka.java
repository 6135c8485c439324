package strait.proxy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/** One blocking socket speaking raw Kafka frames, to see exactly what the proxy answers. Test thread only. */
final class RawKafka implements AutoCloseable {

    private final Socket socket;
    private int correlationId;

    RawKafka(String host, int port) throws IOException {
        socket = new Socket(host, port);
        socket.setSoTimeout(15_000);
    }

    static RawKafka to(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        return new RawKafka(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** Sends one request and answers the response's body bytes (the header read and checked). */
    ByteBuffer call(ApiKeys api, short version, ApiMessage body) throws IOException {
        int id = ++correlationId;
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(api.id)
                .setRequestApiVersion(version)
                .setCorrelationId(id)
                .setClientId("raw-test");
        short headerVersion = api.requestHeaderVersion(version);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);
        ByteBuffer out = ByteBuffer.allocate(4 + size.totalSize());
        out.putInt(size.totalSize());
        ByteBufferAccessor writer = new ByteBufferAccessor(out);
        header.write(writer, cache, headerVersion);
        body.write(writer, cache, version);
        OutputStream stream = socket.getOutputStream();
        stream.write(out.array());
        stream.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        ByteBuffer response = ByteBuffer.wrap(frame);
        ResponseHeaderData responseHeader =
                new ResponseHeaderData(new ByteBufferAccessor(response), api.responseHeaderVersion(version));
        if (responseHeader.correlationId() != id) {
            throw new IOException("correlation id " + responseHeader.correlationId() + ", expected " + id);
        }
        return response.slice();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
