package strait.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class HarnessPartsTest {

    @Test
    void percentilesAreNearestRank() {
        long[] sorted = new long[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        assertThat(Percentiles.of(sorted, 0.50)).isEqualTo(50);
        assertThat(Percentiles.of(sorted, 0.99)).isEqualTo(99);
        assertThat(Percentiles.of(new long[] {7}, 0.99)).isEqualTo(7);
        assertThat(Percentiles.of(new long[0], 0.5)).isNaN();
    }

    @Test
    void payloadsAreJsonOfTheExactSizeThatDifferAndCompressLikeText() {
        Payloads payloads = new Payloads(1, 512);
        byte[] a = payloads.next(1, 1_700_000_000_000L);
        byte[] b = payloads.next(2, 1_700_000_000_001L);

        assertThat(a).hasSize(512);
        assertThat(b).hasSize(512).isNotEqualTo(a);
        String text = new String(a, StandardCharsets.US_ASCII);
        assertThat(text).startsWith("{\"id\":1,").endsWith("\"}");

        byte[] many = new byte[512 * 200];
        for (int i = 0; i < 200; i++) {
            System.arraycopy(payloads.next(i, 0), 0, many, i * 512, 512);
        }
        Deflater deflater = new Deflater();
        deflater.setInput(many);
        deflater.finish();
        int compressed = deflater.deflate(new byte[many.length]);
        assertThat((double) compressed / many.length).isBetween(0.10, 0.60);
    }

    @Test
    void settingsHaveTheIssueDefaultsAndRejectUnknownOptions() {
        Settings s = Settings.parse();

        assertThat(s.records()).isEqualTo(2_000_000);
        assertThat(s.size()).isEqualTo(512);
        assertThat(s.partitions()).isEqualTo(8);
        assertThat(s.compressions()).containsExactly("none", "lz4", "zstd");
        assertThat(Settings.parse("--compression", "zstd", "--repeats", "1").compressions())
                .containsExactly("zstd");
        assertThatThrownBy(() -> Settings.parse("--nope", "1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Settings.parse("--compression", "brotli"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRunCopiesExactlyItsOwnTopicsAndGroups() {
        RunSpec spec = new RunSpec(
                "none-r0",
                "s:1",
                "t:1",
                "bench-none-r0",
                "lat-none-r0-mm2",
                List.of("bench-none-r0-g0", "bench-none-r0-g1"),
                "zstd",
                true,
                java.nio.file.Path.of("."));

        assertThat("bench-none-r0").matches(spec.topicsRegex());
        assertThat("lat-none-r0-mm2").matches(spec.topicsRegex());
        assertThat("lat-none-r0-strait").doesNotMatch(spec.topicsRegex());
        assertThat("bench-none-r0x").doesNotMatch(spec.topicsRegex());
        assertThat("bench-none-r0-g1").matches(spec.groupsRegex());
        assertThat("bench-none-r0-g10").doesNotMatch(spec.groupsRegex());
        assertThat(MirrorMaker2.config(spec).getProperty("tgt.producer.batch.size"))
                .isEqualTo("262144");
        assertThat(StraitJar.config(spec, 2).getProperty("link.name")).isEqualTo("bench-none-r0");
        assertThat(StraitJar.config(spec, 2).getProperty("target.compression.type"))
                .isEqualTo("zstd");
        assertThat(StraitJar.config(spec, 2).getProperty("replication.pipelines"))
                .isEqualTo("2");
        assertThat(MirrorMaker2.config(spec).getProperty("tgt.producer.compression.type"))
                .isEqualTo("zstd");
    }
}
