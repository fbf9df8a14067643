package dev.kiln.server;

import dev.kiln.server.history.BuildRecord;
import dev.kiln.server.history.BuildStatus;
import dev.kiln.server.history.History;
import dev.kiln.server.history.ScheduleRun;
import dev.kiln.server.history.StoredEvent;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The history's persistence, the same tests on the embedded H2 file database and on a real PostgreSQL. */
class HistoryTest {
    @RegisterExtension
    static final SharedPostgres POSTGRES = new SharedPostgres();

    @TempDir
    Path tmp;

    static Stream<Named<Function<Path, History>>> databases() {
        return Stream.of(
                Named.of("h2", dir -> History.open(ServerSettings.of(null, dir).databaseUrl(), null, null)),
                Named.of("postgresql", dir -> History.open(POSTGRES.newDatabase(), SharedPostgres.USER, null)));
    }

    private static BuildRecord queued(String id, long at, String replica) {
        return new BuildRecord(id, "flink", BuildStatus.QUEUED.wire(), "ci", "registry.example.com/jobs/" + id + ":1", replica,
                "{\"kind\":\"flink\"}", at, null, null, null, null, null, null, null, null, null, null);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void buildsAreKeptWithTheirResultAndListedNewestFirst(Function<Path, History> open) {
        try (History history = open.apply(tmp)) {
            history.insert(queued("a", 1_000, "r1"));
            history.insert(queued("b", 2_000, "r1"));
            history.insert(queued("c", 3_000, "r1"));
            history.started("a", 1_500);
            history.finished("a", BuildStatus.SUCCEEDED, 1_900, null, "{\"digest\":\"sha256:1\"}", "registry.example.com/jobs/a:1@sha256:1",
                    "sha256:1", "store", 10L, 20L, 30L);
            history.finished("b", BuildStatus.FAILED, 2_500, "no such base", null, null, null, null, null, null, null);

            BuildRecord a = history.find("a").orElseThrow();
            assertThat(a.status()).isEqualTo("succeeded");
            assertThat(a.startedAt()).isEqualTo(1_500L);
            assertThat(a.finishedAt()).isEqualTo(1_900L);
            assertThat(a.result()).isEqualTo("{\"digest\":\"sha256:1\"}");
            assertThat(a.request()).isEqualTo("{\"kind\":\"flink\"}");
            assertThat(List.of(a.cacheLevel(), a.bytesDownloaded(), a.bytesUploaded(), a.bytesSaved())).containsExactly("store", 10L, 20L, 30L);
            assertThat(history.find("b").orElseThrow().error()).isEqualTo("no such base");
            assertThat(history.find("b").orElseThrow().bytesSaved()).isNull();
            assertThat(history.find("nope")).isEmpty();

            assertThat(history.list(null, null, 10)).extracting(BuildRecord::id).containsExactly("c", "b", "a");
            assertThat(history.list("failed", null, 10)).extracting(BuildRecord::id).containsExactly("b");
            assertThat(history.list(null, 3_000L, 10)).extracting(BuildRecord::id).containsExactly("b", "a");
            assertThat(history.list(null, null, 1)).extracting(BuildRecord::id).containsExactly("c");
            assertThat(history.since(2_000)).extracting(BuildRecord::id).containsExactly("b", "c");
            assertThat(history.usable()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void eventsComeBackInOrderFromAnySequenceNumber(Function<Path, History> open) {
        try (History history = open.apply(tmp)) {
            history.insert(queued("a", 1_000, "r1"));
            history.append(List.of(new StoredEvent("a", 1, 1_001, "Status", "{\"status\":\"queued\"}"),
                    new StoredEvent("a", 2, 1_002, "StepStarted", "{\"step\":\"build\"}")));
            history.append(List.of(new StoredEvent("a", 3, 1_003, "Status", "{\"status\":\"succeeded\"}")));
            assertThat(history.events("a", 0)).extracting(StoredEvent::seq).containsExactly(1L, 2L, 3L);
            assertThat(history.events("a", 1)).extracting(StoredEvent::type).containsExactly("StepStarted", "Status");
            assertThat(history.events("a", 3)).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aReplicasUnfinishedBuildsAreInterruptedAndOthersAreNot(Function<Path, History> open) {
        try (History history = open.apply(tmp)) {
            history.insert(queued("queued", 1_000, "r1"));
            history.insert(queued("running", 1_000, "r1"));
            history.started("running", 1_100);
            history.insert(queued("done", 1_000, "r1"));
            history.finished("done", BuildStatus.SUCCEEDED, 1_200, null, "{}", null, null, null, null, null, null);
            history.insert(queued("elsewhere", 1_000, "r2"));
            assertThat(history.interrupt("r1", 5_000)).containsExactlyInAnyOrder("queued", "running");
            assertThat(history.find("running").orElseThrow().status()).isEqualTo("interrupted");
            assertThat(history.find("running").orElseThrow().finishedAt()).isEqualTo(5_000L);
            assertThat(history.find("done").orElseThrow().status()).isEqualTo("succeeded");
            assertThat(history.find("elsewhere").orElseThrow().status()).isEqualTo("queued");
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void retentionRemovesOldBuildsWithTheirEventsAndKeepsUnfinishedOnes(Function<Path, History> open) {
        try (History history = open.apply(tmp)) {
            for (int i = 1; i <= 5; i++) {
                history.insert(queued("b" + i, i * 1_000L, "r1"));
                history.append(List.of(new StoredEvent("b" + i, 1, i * 1_000L, "Status", "{}")));
                history.finished("b" + i, BuildStatus.SUCCEEDED, i * 1_000L + 1, null, "{}", null, null, null, null, null, null);
            }
            history.insert(queued("old-but-running", 10, "r1"));
            assertThat(history.prune(2_000, 3)).as("b1 by age, b1 and b2 beyond the newest three").isEqualTo(2);
            assertThat(history.list(null, null, 10)).extracting(BuildRecord::id).containsExactly("b5", "b4", "b3", "old-but-running");
            assertThat(history.events("b1", 0)).isEmpty();
            assertThat(history.events("b3", 0)).hasSize(1);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void scheduledRunsAreListedNewestFirst(Function<Path, History> open) {
        try (History history = open.apply(tmp)) {
            history.record(new ScheduleRun("refresh", "r1", 1_000, 1_100, "2 tags", "pulled 1", null));
            history.record(new ScheduleRun("refresh", "r1", 2_000, 2_100, "2 tags", "nothing", null));
            history.record(new ScheduleRun("outdated", "r1", 3_000, 3_100, null, null, "registry down"));
            assertThat(history.runs("refresh", 10)).extracting(ScheduleRun::startedAt).containsExactly(2_000L, 1_000L);
            assertThat(history.runs("outdated", 10).get(0).error()).isEqualTo("registry down");
        }
    }
}
