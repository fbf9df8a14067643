package dev.kiln.internal.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A parsed {@code WWW-Authenticate} challenge: {@code Bearer realm="…",service="…",scope="…"} or {@code Basic realm="…"}. */
record AuthChallenge(String scheme, Map<String, String> params) {
    private static final Pattern PARAM = Pattern.compile("([A-Za-z0-9_-]+)=(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^,\\s]*))");

    static Optional<AuthChallenge> parse(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String trimmed = header.strip();
        int space = trimmed.indexOf(' ');
        String scheme = (space < 0 ? trimmed : trimmed.substring(0, space)).toLowerCase(Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        if (space > 0) {
            Matcher m = PARAM.matcher(trimmed.substring(space + 1));
            while (m.find()) {
                String value = m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3);
                params.put(m.group(1).toLowerCase(Locale.ROOT), value);
            }
        }
        return Optional.of(new AuthChallenge(scheme, Map.copyOf(params)));
    }

    boolean isBearer() {
        return scheme.equals("bearer");
    }

    boolean isBasic() {
        return scheme.equals("basic");
    }

    String realm() {
        return params.getOrDefault("realm", "");
    }
}
