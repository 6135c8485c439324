package strait.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import strait.config.InvalidConfigException;
import strait.config.StraitConfig;

/**
 * Reads a properties file into a validated {@link StraitConfig}. Everything that keeps the file from being a
 * configuration is a config problem too (exit 2): missing, a directory, unreadable, empty, binary, not UTF-8, a key
 * set twice; so are the files the configuration names ({@link StraitConfig#fileProblems}). Each problem is one line
 * naming the file or the key; no value is quoted from a line set twice (it may be a secret).
 */
final class ConfigFile {

    private ConfigFile() {}

    static StraitConfig load(Path file) {
        Properties props = read(file);
        StraitConfig config = StraitConfig.parse(props);
        List<String> fileProblems = config.fileProblems();
        if (!fileProblems.isEmpty()) {
            throw new InvalidConfigException(fileProblems);
        }
        return config;
    }

    private static Properties read(Path file) {
        if (Files.isDirectory(file)) {
            throw problem(file + ": is a directory, not a properties file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw problem(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw problem(file + ": cannot be read (permission denied)");
        } catch (FileSystemException e) {
            throw problem(file + ": cannot be read (" + (e.getReason() == null ? "I/O error" : e.getReason()) + ")");
        } catch (IOException e) {
            throw problem(file + ": cannot be read (I/O error)");
        }
        if (new String(bytes, StandardCharsets.ISO_8859_1).isBlank()) {
            throw problem(file + ": is empty (a configuration needs at least " + StraitConfig.SOURCE_BOOTSTRAP_SERVERS
                    + ", " + StraitConfig.TARGET_BOOTSTRAP_SERVERS + " and " + StraitConfig.TOPICS + ")");
        }
        for (byte b : bytes) {
            if (b == 0) {
                throw problem(file + ": is a binary file, not a properties file");
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw problem(file + ": is not UTF-8 text");
        }
        Set<String> duplicates = new TreeSet<>();
        Properties props = new Properties() {
            @Override
            public synchronized Object put(Object key, Object value) {
                if (containsKey(key)) {
                    duplicates.add(String.valueOf(key));
                }
                return super.put(key, value);
            }
        };
        try {
            props.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            // IllegalArgumentException: a malformed \\uXXXX escape; its message quotes no value.
            throw problem(file + ": cannot be read as a properties file (" + e.getMessage() + ")");
        }
        if (!duplicates.isEmpty()) {
            List<String> problems = new ArrayList<>();
            duplicates.forEach(key -> problems.add(key + ": set more than once in " + file + "; keep one line"));
            throw new InvalidConfigException(problems);
        }
        return props;
    }

    private static InvalidConfigException problem(String line) {
        return new InvalidConfigException(List.of(line));
    }
}
