package strait.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GroupTranslatorTest {

    @Test
    void aGroupsRegexOfPlainAlternativesNamesItsGroups() {
        assertThat(GroupTranslator.namedGroups(Pattern.compile("billing|analytics-v2|orders\\.audit")))
                .containsExactly("analytics-v2", "billing", "orders.audit");
        assertThat(GroupTranslator.namedGroups(Pattern.compile("acl-billing-3")))
                .containsExactly("acl-billing-3");
    }

    @Test
    void aRealPatternNamesNoGroup() {
        assertThat(GroupTranslator.namedGroups(Pattern.compile(".*"))).isEmpty();
        assertThat(GroupTranslator.namedGroups(Pattern.compile("billing|orders-.*")))
                .isEmpty();
        assertThat(GroupTranslator.namedGroups(Pattern.compile("(billing|analytics)")))
                .isEmpty();
        assertThat(GroupTranslator.namedGroups(Pattern.compile("billing|"))).isEmpty();
    }
}
