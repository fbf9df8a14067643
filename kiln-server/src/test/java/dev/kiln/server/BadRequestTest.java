package dev.kiln.server;

import dev.kiln.testing.SharedRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests the service refuses: a 4xx with a one-line reason naming the cause, and nothing stored. */
class BadRequestTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(152);

    @TempDir
    static Path tmp;

    private static ServerFixture fixture;
    private static Path jar;
    private static Path big;

    @BeforeAll
    static void start() throws IOException {
        fixture = new ServerFixture(tmp.resolve("cache"), s -> new ServerSettings(s.port(), s.bind(), s.tokens(), 1, 10, 100_000,
                s.keepDays(), s.keepBuilds(), s.databaseUrl(), s.databaseUser(), s.databasePassword(), null, null, null, false, null));
        jar = Jobs.jar(tmp.resolve("job.jar"), "bad requests");
        big = Files.write(tmp.resolve("big.jar"), new byte[300_000]);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static String flink(String extra, String to) {
        return "{\"kind\":\"flink\",\"base\":\"" + REGISTRY.registry().hostPort() + "/flink/flink:1.18\",\"jobJar\":\"job.jar\""
                + extra + ",\"to\":\"" + to + "\"}";
    }

    private static String to() {
        return REGISTRY.registry().hostPort() + "/jobs/bad:1";
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("malformed JSON", 400, "request: ", (Function<Api, Api.Response>) api ->
                        api.submit(new Multipart().request("{\"kind\":\"flink\",").file("job.jar", jar))),
                Arguments.of("an unknown field", 400, "unknown field 'jobjar'", (Function<Api, Api.Response>) api ->
                        api.submit(new Multipart().request(flink(",\"jobjar\":\"x\"", to())).file("job.jar", jar))),
                Arguments.of("an unknown kind", 400, "request: ", (Function<Api, Api.Response>) api ->
                        api.submit(new Multipart().request("{\"kind\":\"war\",\"to\":\"" + to() + "\"}"))),
                Arguments.of("a missing part", 400, "no part named 'job.jar'", (Function<Api, Api.Response>) api ->
                        api.submit(new Multipart().request(flink("", to())))),
                Arguments.of("no request part", 400, "no part named request", (Function<Api, Api.Response>) api ->
                        api.submit(new Multipart().file("job.jar", jar))),
                Arguments.of("a part name with ../", 400, "part name '../job.jar'", (Function<Api, Api.Response>) api ->
                        api.submit(new Multipart().request(flink("", to())).file("../job.jar", jar))),
                Arguments.of("an oversized upload", 413, "larger than the limit", (Function<Api, Api.Response>) api ->
                        api.submit(new Multipart().request(flink("", to())).file("job.jar", big))),
                Arguments.of("a bad reference", 400, "Not_A/Ref", (Function<Api, Api.Response>) api ->
                        api.submit(new Multipart().request(flink("", "Not_A/Ref")).file("job.jar", jar))),
                Arguments.of("a target that is not a registry", 400, "registries only", (Function<Api, Api.Response>) api ->
                        api.submit(new Multipart().request(flink("", "oci:/tmp/out")).file("job.jar", jar))),
                Arguments.of("not multipart", 400, "multipart/form-data", (Function<Api, Api.Response>) api ->
                        api.post("/api/v1/builds", flink("", to()))),
                Arguments.of("a wrong token", 401, "bearer token", (Function<Api, Api.Response>) api ->
                        api.as("wrong-token").submit(new Multipart().request(flink("", to())).file("job.jar", jar))),
                Arguments.of("no token", 401, "bearer token", (Function<Api, Api.Response>) api ->
                        api.as(null).submit(new Multipart().request(flink("", to())).file("job.jar", jar))),
                Arguments.of("a read token", 403, "reader has role read; this needs build", (Function<Api, Api.Response>) api ->
                        api.as(ServerFixture.READ_TOKEN).submit(new Multipart().request(flink("", to())).file("job.jar", jar))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void isRefusedWithItsReasonAndNothingIsStored(String what, int status, String reason, Function<Api, Api.Response> send)
            throws IOException {
        Api.Response response = send.apply(fixture.builder());
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.error()).contains(reason).doesNotContain("\n");
        assertThat(fixture.builder().get("/api/v1/builds").json().get("builds")).as("nothing in the history").isEmpty();
        try (Stream<Path> left = Files.list(fixture.cacheDir.resolve("server/builds"))) {
            assertThat(left).as("no upload left behind").isEmpty();
        }
    }
}
