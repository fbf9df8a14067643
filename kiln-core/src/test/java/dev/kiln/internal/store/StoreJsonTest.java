package dev.kiln.internal.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.kiln.image.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's files as the databind mapper that wrote them before StoreJson (stores in use hold them). */
class StoreJsonTest {
    private static final ObjectMapper DATABIND = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    private static final Digest A = Digest.sha256(new byte[]{1});
    private static final Digest B = Digest.sha256(new byte[]{2});
    private static final Instant T1 = Instant.parse("2026-12-05T07:45:16.157965686Z");
    private static final Instant T2 = Instant.parse("2026-12-05T08:00:00Z");

    @Test
    void aReferenceRecordIsTheDocumentDatabindWroteAndReadsBothWays() throws IOException {
        RefRecord record = new RefRecord("example.com/flink:1.18", A, "application/vnd.oci.image.index.v1+json", T1, T2,
                Map.of("linux/amd64", new RefRecord.PlatformEntry(B, T1, T2, "example.com")));
        RefRecord twoPlatforms = record.withPlatform(dev.kiln.image.Platform.parse("linux/arm64"),
                new RefRecord.PlatformEntry(A, T2, T2, null));

        assertThat(text(StoreJson.write(record))).isEqualTo(text(DATABIND.writeValueAsBytes(record)));
        for (RefRecord each : new RefRecord[]{record, twoPlatforms}) {
            assertThat(StoreJson.readRefRecord(DATABIND.writeValueAsBytes(each))).isEqualTo(each);
            assertThat(DATABIND.readValue(StoreJson.write(each), RefRecord.class)).isEqualTo(each);
        }
    }

    @Test
    void ledgerLinesAndLayerRecordsReadBothWays() throws IOException {
        Ledger.Entry entry = new Ledger.Entry("example.com/jobs/orders:1", A, "linux/amd64", "example.com/flink:1.18", B, null, T1);
        StoreJson.LayerRecord layer = new StoreJson.LayerRecord("application/vnd.oci.image.layer.v1.tar+gzip", A, 127_600, B);
        ObjectMapper line = DATABIND.copy().disable(SerializationFeature.INDENT_OUTPUT);

        assertThat(StoreJson.line(entry)).isEqualTo(line.writeValueAsString(entry)).doesNotContain("\n");
        assertThat(StoreJson.readLine(line.writeValueAsString(entry))).isEqualTo(entry);
        assertThat(text(StoreJson.write(layer))).isEqualTo(line.writeValueAsString(layer));
        assertThat(StoreJson.readLayer(StoreJson.write(layer))).isEqualTo(layer);
    }

    @Test
    void unknownFieldsAreIgnored() throws IOException {
        String json = "{\"reference\":\"r\",\"digest\":\"" + A + "\",\"future\":[{\"x\":1}],\"platforms\":{}}";

        assertThat(StoreJson.readRefRecord(json.getBytes(StandardCharsets.UTF_8)).digest()).isEqualTo(A);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "{\"digest\":\"sha256:ABC\"}", "{\"fetchedAt\":\"yesterday\"}", "{\"platforms\":[]}",
            "{\"reference\":\"r\"} {}", "{\"reference\":\"r\""})
    void malformedRecordsAreIoErrors(String json) {
        assertThatThrownBy(() -> StoreJson.readRefRecord(json.getBytes(StandardCharsets.UTF_8))).isInstanceOf(IOException.class);
    }

    private static String text(byte[] json) {
        return new String(json, StandardCharsets.UTF_8);
    }
}
