package strait.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameSplitterTest {

    private final List<Buffer> frames = new ArrayList<>();
    private final List<String> broken = new ArrayList<>();
    private final FrameSplitter splitter = new FrameSplitter(1024, frames::add, broken::add);

    private static Buffer frame(String body) {
        return Buffer.buffer().appendInt(body.length()).appendString(body);
    }

    @Test
    void handsOnEachFrameWholeWithItsSizePrefix() {
        splitter.handle(frame("one").appendBuffer(frame("two")).appendBuffer(frame("")));

        assertThat(frames).containsExactly(frame("one"), frame("two"), frame(""));
    }

    @Test
    void joinsAFrameSplitAcrossChunksEvenInsideTheSizePrefix() {
        Buffer whole = frame("hello").appendBuffer(frame("world"));
        for (int i = 0; i < whole.length(); i++) {
            splitter.handle(whole.getBuffer(i, i + 1));
        }

        assertThat(frames).containsExactly(frame("hello"), frame("world"));
    }

    @Test
    void aFrameLargerThanTheLimitBreaksTheStreamOnce() {
        splitter.handle(Buffer.buffer().appendInt(2048).appendString("x"));
        splitter.handle(frame("after"));

        assertThat(broken).hasSize(1).first().asString().contains("2048");
        assertThat(frames).isEmpty();
    }

    @Test
    void aNegativeSizeBreaksTheStream() {
        splitter.handle(Buffer.buffer().appendInt(-1));

        assertThat(broken).hasSize(1);
    }
}
