package dev.kiln.internal.build;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigChangesTest {

    @Test
    void noneChangesNothingAndAnySingleChangeIsSomething() {
        assertThat(ConfigChanges.NONE.isNone()).isTrue();
        assertThat(new ConfigChanges(null, null, null, null, null, null, null).isNone()).as("nulls are no changes").isTrue();

        List<ConfigChanges> each = List.of(
                new ConfigChanges(Map.of("A", "1"), null, null, null, null, null, null),
                new ConfigChanges(null, List.of("/entry"), null, null, null, null, null),
                new ConfigChanges(null, List.of(), null, null, null, null, null),
                new ConfigChanges(null, null, List.of("run"), null, null, null, null),
                new ConfigChanges(null, null, null, "/opt", null, null, null),
                new ConfigChanges(null, null, null, null, "flink", null, null),
                new ConfigChanges(null, null, null, null, null, Map.of("team", "data"), null),
                new ConfigChanges(null, null, null, null, null, null, List.of("8081")),
                new ConfigChanges(null, null, null, null, null, null, null, List.of("/data")));
        for (ConfigChanges changes : each) {
            assertThat(changes.isNone()).as("%s", changes).isFalse().isEqualTo(changes.equals(ConfigChanges.NONE));
        }
    }
}
