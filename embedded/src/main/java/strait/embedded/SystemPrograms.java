package strait.embedded;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;

/**
 * A system program a test runs (chromium, curl, promtool). Missing, the test is skipped with the Debian package that
 * provides it, so {@code mvn -B verify} passes on a machine with only Java and Maven; missing while
 * {@code STRAIT_REQUIRE_<PROGRAM>} or {@code CI} is set (as {@code .ci/run} does), the test fails, so CI never passes
 * it by skipping.
 */
public final class SystemPrograms {

    private SystemPrograms() {}

    /** The program's path on the {@code PATH}; skips or fails the calling test when there is none. */
    public static Path require(String program, String debianPackage) {
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
        if (found == null) {
            String reason = program + " is not on the PATH: skipped (apt-get install -y " + debianPackage + ")";
            // On the build's console too: Maven prints skipped counts, not their reasons.
            System.err.println("SKIPPED " + reason);
            Assumptions.abort(reason);
        }
        return found;
    }
}
