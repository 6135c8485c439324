package strait.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import strait.config.InvalidConfigException;
import strait.config.StraitConfig;

/** Reads a properties file into a validated {@link StraitConfig}; an unreadable file is a config problem too. */
final class ConfigFile {

    private ConfigFile() {}

    static StraitConfig load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidConfigException(List.of(file + ": no such file"));
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidConfigException(List.of(file + ": cannot be read as a properties file ("
                    + e.getClass().getSimpleName() + ")"));
        }
        return StraitConfig.parse(props);
    }
}
