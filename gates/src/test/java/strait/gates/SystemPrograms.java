package strait.gates;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A system program a test runs. Missing, the test is skipped with the Debian package that provides it; missing while
 * {@code STRAIT_REQUIRE_<PROGRAM>} or {@code CI} is set (as {@code .ci/run} does), the test fails, so CI never passes
 * it by skipping.
 */
final class SystemPrograms {

    private SystemPrograms() {}

    static Path require(String program, String debianPackage) {
        Path found = null;
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(entry, program);
            if (Files.isExecutable(candidate)) {
                found = candidate;
                break;
            }
        }
        String variable = "STRAIT_REQUIRE_" + program.toUpperCase(Locale.ROOT);
        if (found == null && (System.getenv(variable) != null || System.getenv("CI") != null)) {
            throw new AssertionError(program + " is required (" + variable + " or CI is set) but not on the PATH: "
                    + "apt-get install -y " + debianPackage);
        }
        assumeThat(found)
                .as(program + " on the PATH (apt-get install -y " + debianPackage + ")")
                .isNotNull();
        return found;
    }
}
