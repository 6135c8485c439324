package strait.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProducerIdMappingTest {

    @Test
    void theTextFormIsSortedPairsAndReadsBack() {
        ProducerIdMapping mapping = ProducerIdMapping.of(Map.of(7L, 1_001L, 0L, 1_000L));

        assertThat(mapping.toJson()).isEqualTo("[[0,1000],[7,1001]]");
        assertThat(ProducerIdMapping.parse(mapping.toJson())).isEqualTo(mapping);
        assertThat(ProducerIdMapping.parse(" [ [0 , 1000] ,\n[7,1001] ] ")).isEqualTo(mapping);
        assertThat(ProducerIdMapping.parse("[]")).isEqualTo(ProducerIdMapping.empty());
    }

    @Test
    void looksUpBySourceProducerId() {
        ProducerIdMapping mapping = ProducerIdMapping.of(Map.of(0L, 1_000L, 7L, 1_001L));

        assertThat(mapping.targetOf(7L)).hasValue(1_001L);
        assertThat(mapping.targetOf(1_000L)).isEmpty();
        assertThat(mapping.targetOrNone(3L)).isEqualTo(-1L);
        assertThat(mapping.isSource(0L)).isTrue();
        assertThat(mapping.isSource(1_001L)).isFalse();
    }

    @Test
    void mergingKeepsBothAndRefusesAConflict() {
        ProducerIdMapping first = ProducerIdMapping.of(Map.of(0L, 1_000L));

        assertThat(first.with(ProducerIdMapping.of(Map.of(5L, 1_005L))).asMap())
                .containsExactly(Map.entry(0L, 1_000L), Map.entry(5L, 1_005L));
        assertThat(first.with(first)).isEqualTo(first);
        assertThatThrownBy(() -> first.with(ProducerIdMapping.of(Map.of(0L, 2_000L))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source producer id 0");
        assertThatThrownBy(() -> first.with(ProducerIdMapping.of(Map.of(1L, 1_000L))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("target producer id 1000");
    }

    @Test
    void malformedTextIsRefusedWithWhere() {
        assertThatThrownBy(() -> ProducerIdMapping.parse("[[1,2],[1,3]]")).hasMessageContaining("appears twice");
        assertThatThrownBy(() -> ProducerIdMapping.parse("[[1,2]")).hasMessageContaining("expected ']'");
        assertThatThrownBy(() -> ProducerIdMapping.parse("[[1,x]]")).hasMessageContaining("expected a producer id");
        assertThatThrownBy(() -> ProducerIdMapping.parse("[[1,-2]]")).hasMessageContaining("not negative");
        assertThatThrownBy(() -> ProducerIdMapping.parse("[] x")).hasMessageContaining("after the mapping");
        assertThatThrownBy(() -> ProducerIdMapping.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
