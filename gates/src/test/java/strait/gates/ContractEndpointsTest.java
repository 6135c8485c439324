package strait.gates;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The endpoint table of docs/contract.md and the routes {@link ApiRoutes} registers are the same set: a route added
 * without its contract row, or a row for a route that is gone, fails here.
 */
class ContractEndpointsTest {

    private static final Pattern ROUTE = Pattern.compile("router\\.(get|post|put|delete)\\(\"([^\"]+)\"\\)");
    private static final Pattern ROW = Pattern.compile("(?m)^\\| `(GET|POST|PUT|DELETE) ([^`?]+)(?:\\?[^`]*)?` \\|");

    @Test
    void theContractListsEveryRouteTheServerHasAndNoOther() throws Exception {
        Set<String> routes = routes("ApiRoutes.java");
        assertThat(routes).as("routes found in ApiRoutes").contains("GET /health", "GET /gates/ready");

        String contract = Files.readString(Path.of("..", "docs", "contract.md"));
        Set<String> documented = new TreeSet<>();
        Matcher d = ROW.matcher(contract);
        while (d.find()) {
            documented.add(d.group(1) + " " + d.group(2));
        }
        assertThat(documented)
                .as("endpoints in docs/contract.md's table; add a row for a new route there")
                .isEqualTo(routes);
    }

    @Test
    void theStartUpApiAnswersOnEveryRouteOfTheRealOne() throws Exception {
        assertThat(routes("StartingServer.java"))
                .as("routes of StartingServer (docs/contract.md, Start-up)")
                .isEqualTo(routes("ApiRoutes.java"));
    }

    private static Set<String> routes(String file) throws Exception {
        String source = Files.readString(Path.of("src/main/java/strait/gates", file));
        Set<String> routes = new TreeSet<>();
        Matcher r = ROUTE.matcher(source);
        while (r.find()) {
            // Vert.x writes a path parameter as :name, the contract as {name}.
            routes.add(r.group(1).toUpperCase(java.util.Locale.ROOT) + " "
                    + r.group(2).replaceAll(":([A-Za-z]+)", "{$1}"));
        }
        return routes;
    }
}
