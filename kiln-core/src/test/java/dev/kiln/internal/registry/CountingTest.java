package dev.kiln.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.event.Telemetry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The counting layer alone, over the wire to a {@link TinyServer}: what the operation's telemetry reports as requests. */
class CountingTest {
    private final Telemetry telemetry = new Telemetry(null);
    private final Counting counting = new Counting(TinyServer.wire());

    private Exchange.Request request(URI uri) {
        return new Exchange.Request(uri.getAuthority(), "GET", uri, Map.of(), null, null, "GET " + uri, telemetry);
    }

    @Test
    void everyAnsweredRequestIsCountedWhateverItsStatus() throws IOException {
        try (TinyServer server = TinyServer.start(seen -> TinyServer.Reply.of(seen.uri().equals("/ok") ? 200 : 503))) {
            for (String path : List.of("/ok", "/down", "/ok")) {
                counting.send(request(server.uri(path))).body().close();
            }
            assertThat(telemetry.requests()).isEqualTo(server.seen().size()).isEqualTo(3);
        }
    }

    @Test
    void aRequestThatGotNoAnswerIsNotCounted() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        assertThatThrownBy(() -> counting.send(request(URI.create("http://127.0.0.1:" + port + "/v2/"))))
                .isInstanceOf(IOException.class);
        assertThat(telemetry.requests()).isZero();
    }
}
