package strait.deploy;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import strait.gates.report.SignedDocument;

/**
 * {@code strait report --url URL --out FILE [--token-file FILE]}: saves the sidecar's audit report ({@code GET
 * /report}) as {@code FILE.md} and {@code FILE.json} ({@code FILE} without a {@code .md} or {@code .json} it ends
 * with), after checking each carries the right SHA-256 of its content, and prints both hashes for the change
 * record. Exit 0 saved, 2 bad command line or token file, 1 any other failure.
 */
final class ReportCommand {

    private ReportCommand() {}

    static int run(String url, Path out, Path tokenFile, PrintStream stdout, PrintStream err) {
        Optional<String> token;
        try {
            token = TokenFile.read(tokenFile);
        } catch (CommandLine.UsageException e) {
            err.println("strait: " + e.getMessage());
            return Main.BAD_INPUT;
        }
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        String name = out.getFileName().toString().replaceFirst("\\.(md|json)$", "");
        Path markdownFile = out.resolveSibling(name + ".md");
        Path jsonFile = out.resolveSibling(name + ".json");
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            String markdown = fetch(http, base + "/report?format=markdown", token);
            String json = fetch(http, base + "/report?format=json", token);
            Files.writeString(markdownFile, markdown, StandardCharsets.UTF_8);
            Files.writeString(jsonFile, json, StandardCharsets.UTF_8);
            stdout.println("report saved: " + markdownFile + " (sha256 " + hashOf(markdown) + ")");
            stdout.println("report saved: " + jsonFile + " (sha256 " + hashOf(json) + ")");
            return Main.OK;
        } catch (IOException e) {
            err.println("strait: " + e.getMessage());
            return Main.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("strait: interrupted");
            return Main.FAILURE;
        }
    }

    private static String fetch(HttpClient http, String url, Optional<String> token)
            throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(url)).GET().timeout(Duration.ofSeconds(30));
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException("cannot reach " + url + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET " + url + " answered HTTP " + response.statusCode() + ": "
                    + response.body().strip());
        }
        if (!SignedDocument.verifies(response.body())) {
            throw new IOException("GET " + url + " answered a document whose SHA-256 does not match its content");
        }
        return response.body();
    }

    /** The hash a verified document carries (JSON: its {@code sha256} field; Markdown: its last line's). */
    private static String hashOf(String document) {
        if (document.startsWith("{")) {
            return document.substring("{\"sha256\":\"".length(), document.indexOf('"', "{\"sha256\":\"".length()));
        }
        String trimmed = document.strip();
        return trimmed.substring(trimmed.lastIndexOf(' ') + 1);
    }
}
