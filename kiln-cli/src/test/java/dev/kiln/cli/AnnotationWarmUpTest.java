package dev.kiln.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AnnotationWarmUpTest {

    @Test
    void readsTheCommandItsSubcommandsSuperclassesAndMixinsTheTopLast() {
        assertThat(AnnotationWarmUp.classes(FlinkCommand.class))
                .contains(FlinkCommand.Build.class, ImageBuildCommand.class, RegistryCommand.class, RegistryOptions.class)
                .doesNotContain(Object.class)
                .doesNotHaveDuplicates()
                .last().isEqualTo(FlinkCommand.class);
        assertThat(AnnotationWarmUp.classes(CacheCommand.class)).contains(CacheCommand.Prune.class).last().isEqualTo(CacheCommand.class);
    }
}
