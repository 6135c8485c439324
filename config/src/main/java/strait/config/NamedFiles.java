package strait.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Checks a file a configuration names on the machine it runs on, so {@code validate} and {@code run} refuse a file
 * the sidecar could not read later. Each problem is one line naming the key and the file, never the file's content
 * (a token file holds a secret). Stateless; any thread.
 */
final class NamedFiles {

    private NamedFiles() {}

    /** Why {@code value} of {@code key} is not a readable, non-empty UTF-8 text file; empty when it is one. */
    static Optional<String> readableTextProblem(String key, String value) {
        Path file;
        try {
            file = Path.of(value);
        } catch (InvalidPathException e) {
            return Optional.of(key + ": '" + value + "' is not a valid file path");
        }
        if (Files.isDirectory(file)) {
            return Optional.of(key + ": " + file + " is a directory, not a file");
        }
        if (!Files.exists(file)) {
            return Optional.of(key + ": " + file + " does not exist");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (AccessDeniedException e) {
            return Optional.of(key + ": " + file + " cannot be read (permission denied)");
        } catch (NoSuchFileException e) {
            return Optional.of(key + ": " + file + " does not exist");
        } catch (CharacterCodingException e) {
            return Optional.of(key + ": " + file + " is not UTF-8 text");
        } catch (FileSystemException e) {
            return Optional.of(key + ": " + file + " cannot be read ("
                    + (e.getReason() == null ? "I/O error" : e.getReason()) + ")");
        } catch (IOException e) {
            return Optional.of(key + ": " + file + " cannot be read (I/O error)");
        }
        if (text.isBlank()) {
            return Optional.of(key + ": " + file + " is empty");
        }
        return Optional.empty();
    }
}
