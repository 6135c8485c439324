package strait.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static RunResult run(String replicator, double copySeconds, long rss, long reread) {
        long records = 1_000_000;
        return new RunResult(
                replicator,
                "none",
                0,
                0,
                records,
                records * 512,
                2.0,
                copySeconds,
                10.0,
                20.0,
                rss,
                new LatencyProbe.Latency(100, 100, 50, 90, 95),
                List.of(new GroupOffsets.GroupResult("g", reread, 0, 0, 0)),
                null);
    }

    @Test
    void theRatioRowDividesStraitsMeanByMm2sMean() {
        List<RunResult> results = List.of(
                run("strait", 10, 256L << 20, 0),
                run("strait", 30, 256L << 20, 0),
                run("mm2", 10, 1024L << 20, 500),
                RunResult.failed("mm2", "none", 1, 1, "boom"));

        String table = Report.table(results, List.of("none"));

        assertThat(table).contains("| none | Strait | 2 | 66,667 | 32.6 |");
        assertThat(table).contains("| none | MM2 | 1 (1 failed) | 100,000 | 48.8 |");
        // records/s 66,667 / 100,000; peak RSS 256 / 1024; re-read 0 / 500; skipped 0 and 0.
        assertThat(table).contains("| none | **Strait/MM2** | | 0.67× | 0.67× | 1.00× |");
        assertThat(table).contains("| 0.25× |");
        assertThat(table).endsWith("| 0.00× | = |\n");
    }

    @Test
    void aFailedRunIsListedWithItsReason() {
        assertThat(Report.runLines(List.of(RunResult.failed("strait", "zstd", 1, 0, "no record reached t"))))
                .contains("strait zstd  repeat 1 (went first): FAILED: no record reached t");
    }
}
