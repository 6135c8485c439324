package strait.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatsTest {

    @Test
    void cpuTicksAreUtimePlusStimeEvenWhenTheCommandNameHoldsSpacesAndParentheses() {
        String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 51234 0 12 0 1500 250 3 4 20 0 42 0 "
                + "123456 4096000000 120000 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0";

        assertThat(ProcStats.cpuTicksFromStat(stat)).isEqualTo(1750);
    }

    @Test
    void aLineWithoutACommandNameIsRejected() {
        assertThatThrownBy(() -> ProcStats.cpuTicksFromStat("garbage")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void peakRssIsVmHwmInBytes() {
        String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  524288 kB\nVmRSS:\t  400000 kB\n";

        assertThat(ProcStats.peakRssBytesFromStatus(status)).isEqualTo(512L * 1024 * 1024);
    }

    @Test
    void peakRssIsAbsentForAKernelThread() {
        assertThat(ProcStats.peakRssBytesFromStatus("Name:\tkthreadd\nState:\tS (sleeping)\n"))
                .isEqualTo(-1);
    }

    @Test
    void thisJvmHasUsedSomeCpuAndMemory() {
        assertThat(ProcStats.cpuSeconds(ProcessHandle.current())).isPositive();
        assertThat(ProcStats.peakRssBytes(ProcessHandle.current())).isGreaterThan(16L * 1024 * 1024);
    }
}
