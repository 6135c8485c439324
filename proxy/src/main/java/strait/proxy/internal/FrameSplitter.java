package strait.proxy.internal;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.util.function.Consumer;

/**
 * Cuts a Kafka byte stream into frames: a 4-byte big-endian size, then that many bytes. Each frame is handed on
 * whole, its size prefix included, so it can be forwarded as it came. A size below zero or above the limit is a
 * broken stream: the splitter reports it once and ignores everything after.
 *
 * <p>Confined to the event loop of its connection.
 */
final class FrameSplitter implements Handler<Buffer> {

    private final int maxFrameBytes;
    private final Handler<Buffer> frames;
    private final Consumer<String> broken;
    private Buffer pending;
    private boolean failed;

    FrameSplitter(int maxFrameBytes, Handler<Buffer> frames, Consumer<String> broken) {
        this.maxFrameBytes = maxFrameBytes;
        this.frames = frames;
        this.broken = broken;
    }

    @Override
    public void handle(Buffer chunk) {
        if (failed) {
            return;
        }
        Buffer buf;
        if (pending == null) {
            buf = chunk;
        } else {
            pending.appendBuffer(chunk);
            buf = pending;
        }
        int length = buf.length();
        int pos = 0;
        while (length - pos >= 4) {
            int size = buf.getInt(pos);
            if (size < 0 || size > maxFrameBytes) {
                failed = true;
                pending = null;
                broken.accept("a frame of " + size + " bytes (the limit is " + maxFrameBytes + ")");
                return;
            }
            int end = pos + 4 + size;
            if (end > length) {
                break;
            }
            frames.handle(pos == 0 && end == length ? buf : buf.getBuffer(pos, end));
            pos = end;
        }
        pending = pos == length ? null : buf.getBuffer(pos, length);
    }
}
