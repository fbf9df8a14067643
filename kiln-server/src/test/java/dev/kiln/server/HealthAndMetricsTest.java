package dev.kiln.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The probes answer without a token; the metrics need one, and have the meters the issue lists. */
class HealthAndMetricsTest {
    @TempDir
    Path tmp;

    @Test
    void probesAreOpenAndMetricsNeedAReadToken() {
        try (ServerFixture fixture = new ServerFixture(tmp.resolve("cache"))) {
            Api anonymous = fixture.api(null);
            assertThat(anonymous.get("/healthz").status()).isEqualTo(200);
            Api.Response ready = anonymous.get("/readyz");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.json().get("database").asBoolean()).isTrue();
            assertThat(ready.json().get("store").asBoolean()).isTrue();

            assertThat(anonymous.get("/metrics").status()).isEqualTo(401);
            assertThat(anonymous.get("/api/v1/builds").status()).isEqualTo(401);
            Api.Response metrics = fixture.api(ServerFixture.READ_TOKEN).get("/metrics");
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body()).contains("kiln_queue_length", "kiln_store_bytes", "kiln_cache_misses_total",
                    "kiln_build_duration_seconds_bucket",
                    "kiln_bytes_downloaded_total", "kiln_bytes_uploaded_total");
            assertThat(fixture.api(ServerFixture.READ_TOKEN).get("/api/v1/builds").status()).isEqualTo(200);
            assertThat(fixture.api(ServerFixture.READ_TOKEN).post("/api/v1/builds/x/cancel", "").status()).isEqualTo(403);
        }
    }
}
