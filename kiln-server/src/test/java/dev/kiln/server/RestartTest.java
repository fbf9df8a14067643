package dev.kiln.server;

import dev.kiln.server.history.BuildRecord;
import dev.kiln.server.history.BuildStatus;
import dev.kiln.server.history.History;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What a service finds when it starts after dying: the builds it ran or had waiting are interrupted. */
class RestartTest {
    @TempDir
    Path tmp;

    @Test
    void buildsLeftRunningOrQueuedByThisReplicaAreInterruptedOnStartAndOthersAreNot() throws IOException {
        Path cache = tmp.resolve("cache");
        Files.createDirectories(cache.resolve("server"));
        Files.writeString(cache.resolve("server/replica-id"), "r1\n");
        ServerSettings settings = ServerSettings.of(null, cache);
        try (History history = History.open(settings.databaseUrl(), null, null)) {
            history.insert(record("running-here", BuildStatus.RUNNING.wire(), "r1"));
            history.insert(record("queued-here", BuildStatus.QUEUED.wire(), "r1"));
            history.insert(record("running-elsewhere", BuildStatus.RUNNING.wire(), "r2"));
        }
        try (ServerFixture fixture = new ServerFixture(cache)) {
            Api api = fixture.builder();
            assertThat(api.build("running-here").get("status").asText()).isEqualTo("interrupted");
            assertThat(api.build("queued-here").get("status").asText()).isEqualTo("interrupted");
            assertThat(api.build("running-elsewhere").get("status").asText()).as("another replica's").isEqualTo("running");
            assertThat(fixture.server.replica()).isEqualTo("r1");
        }
    }

    private static BuildRecord record(String id, String status, String replica) {
        long now = System.currentTimeMillis();
        return new BuildRecord(id, "flink", status, "ci", "registry.example.com/jobs/a:1", replica, "{}", now, now, null, null,
                null, null, null, null, null, null, null);
    }
}
