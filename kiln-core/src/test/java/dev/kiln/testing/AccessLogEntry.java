package dev.kiln.testing;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of a registry's access log (Apache combined format), e.g.
 * {@code 127.0.0.1 - - [28/Nov/2026:19:00:00 +0000] "HEAD /v2/test/app/manifests/1 HTTP/1.1" 200 0 "" "kiln"}.
 *
 * @param method the HTTP method
 * @param path   the request target as logged: the path, plus the query string if there was one
 *               (e.g. {@code /v2/test/app/blobs/uploads/UUID?_state=...&digest=sha256:...})
 * @param status the response status
 */
public record AccessLogEntry(String method, String path, int status) {

    private static final Pattern LINE =
            Pattern.compile("^\\S+ \\S+ \\S+ \\[[^\\]]*\\] \"([A-Z]+) (\\S+) HTTP/[0-9.]+\" (\\d{3}) ");

    private static final Pattern BYTES = Pattern.compile("^\\S+ \\S+ \\S+ \\[[^\\]]*\\] \"[^\"]*\" \\d{3} (\\d+) ");

    /** The body bytes the registry sent for an access-log line (0 when it logs none). */
    static long bytesSent(String line) {
        Matcher m = BYTES.matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Parses an access-log line; any other line of the registry's output gives an empty result. */
    static Optional<AccessLogEntry> parse(String line) {
        Matcher m = LINE.matcher(line);
        return m.find()
                ? Optional.of(new AccessLogEntry(m.group(1), m.group(2), Integer.parseInt(m.group(3))))
                : Optional.empty();
    }
}
