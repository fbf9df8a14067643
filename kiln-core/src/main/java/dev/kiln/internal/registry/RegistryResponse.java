package dev.kiln.internal.registry;

import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A registry's answer: status, headers (case-insensitive) and a body the caller must consume or
 * close, whichever HTTP stack carried it.
 */
public record RegistryResponse(int statusCode, Map<String, List<String>> headers, InputStream body, URI uri) {

    public RegistryResponse {
        Map<String, List<String>> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> {
            if (name != null) {
                caseInsensitive.put(name, values);
            }
        });
        headers = caseInsensitive;
    }

    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    public OptionalLong headerLong(String name) {
        try {
            return header(name).map(v -> OptionalLong.of(Long.parseLong(v.strip()))).orElse(OptionalLong.empty());
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
