package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ReceiveBufferPoolTest {

    private static final int MIB = 1024 * 1024;

    @Test
    void aResponseGetsABufferOfExactlyItsSize() {
        ReceiveBufferPool pool = new ReceiveBufferPool(32L * MIB);

        ByteBuffer buffer = pool.tryAllocate(3 * MIB + 17);

        assertThat(buffer.position()).isZero();
        assertThat(buffer.remaining()).isEqualTo(3 * MIB + 17);
        assertThat(buffer.capacity()).isEqualTo(3 * MIB + 17);
        assertThat(buffer.hasArray()).isTrue();
        assertThat(buffer.arrayOffset()).isZero();
    }

    @Test
    void anArrayGivenBackServesTheNextResponseOfAboutItsSize() {
        ReceiveBufferPool pool = new ReceiveBufferPool(32L * MIB);
        byte[] first = pool.tryAllocate(MIB).array();
        new ResponseBuffer(first, pool).release();

        ByteBuffer again = pool.tryAllocate(MIB - 4_096);

        assertThat(again.array()).isSameAs(first);
        assertThat(again.remaining()).isEqualTo(MIB - 4_096);
        assertThat(pool.reused.get()).isEqualTo(1);
        assertThat(pool.allocated.get()).isEqualTo(1);
    }

    @Test
    void aResponseMuchSmallerThanAnIdleArrayGetsANewOne() {
        ReceiveBufferPool pool = new ReceiveBufferPool(32L * MIB);
        byte[] large = pool.tryAllocate(4 * MIB).array();
        pool.giveBack(large);

        assertThat(pool.tryAllocate(MIB).array()).isNotSameAs(large);
        assertThat(pool.tryAllocate(4 * MIB).array()).isSameAs(large);
    }

    @Test
    void theArrayComesBackOnlyWhenTheLastChunkIsDone() {
        ReceiveBufferPool pool = new ReceiveBufferPool(32L * MIB);
        byte[] array = pool.tryAllocate(MIB).array();
        ResponseBuffer response = new ResponseBuffer(array, pool);
        response.retain();
        response.retain();

        response.release(); // the fetcher, done cutting
        response.release(); // one chunk acked
        assertThat(pool.tryAllocate(MIB).array())
                .as("one chunk still unwritten")
                .isNotSameAs(array);

        response.release(); // the last chunk acked
        assertThat(pool.tryAllocate(MIB).array()).isSameAs(array);
    }

    @Test
    void smallResponsesAreNotPooledAndIdleArraysAreBounded() {
        ReceiveBufferPool pool = new ReceiveBufferPool(2L * MIB);
        byte[] small = pool.tryAllocate(1_000).array();
        pool.giveBack(small);
        byte[] a = pool.tryAllocate(MIB).array();
        byte[] b = pool.tryAllocate(MIB).array();
        byte[] c = pool.tryAllocate(MIB).array();
        pool.giveBack(a);
        pool.giveBack(b);
        pool.giveBack(c);

        assertThat(pool.tryAllocate(1_000).array()).isNotSameAs(small);
        // By identity: AssertJ compares arrays by content, and these are all zeros.
        assertThat(pool.tryAllocate(MIB).array()).isSameAs(a);
        assertThat(pool.tryAllocate(MIB).array()).isSameAs(b);
        byte[] third = pool.tryAllocate(MIB).array();
        assertThat(third != a && third != b && third != c)
                .as("beyond the idle bound, c was dropped")
                .isTrue();
    }
}
