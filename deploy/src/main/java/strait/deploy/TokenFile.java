package strait.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The bearer token of a client command's {@code --token-file}; its content is never put in a message. */
final class TokenFile {

    private TokenFile() {}

    /**
     * @return the stripped token, or empty when no file was given
     * @throws CommandLine.UsageException naming the file when it is empty or cannot be read
     */
    static Optional<String> read(Path file) throws CommandLine.UsageException {
        if (file == null) {
            return Optional.empty();
        }
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new CommandLine.UsageException("--token-file " + file + " is empty");
            }
            return Optional.of(token);
        } catch (IOException e) {
            throw new CommandLine.UsageException(
                    "cannot read --token-file " + file + ": " + e.getClass().getSimpleName());
        }
    }
}
