package dev.kiln.internal.registry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Token scopes of Docker's token protocol ({@code repository:NAME:pull,push}), per resource
 * ({@code repository:NAME}, where the name may hold a {@code :}) the actions asked for: what a token
 * was asked for, and whether that covers what a request needs.
 *
 * @param actions resource → actions, in the order the resources were first named
 */
record TokenScopes(Map<String, Set<String>> actions) {
    static final TokenScopes NONE = new TokenScopes(Map.of());

    TokenScopes {
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        actions.forEach((resource, names) -> copy.put(resource, Set.copyOf(names)));
        actions = Collections.unmodifiableMap(copy);
    }

    /** Scopes as a request names them: several separated by spaces (a mount reads one repository and writes another); null for none. */
    static TokenScopes parse(String scopes) {
        TokenScopes parsed = NONE;
        if (scopes != null) {
            for (String scope : scopes.split(" ")) {
                int last = scope.lastIndexOf(':');
                if (last > 0) {
                    parsed = parsed.with(new TokenScopes(Map.of(scope.substring(0, last),
                            Set.copyOf(Arrays.asList(scope.substring(last + 1).split(","))))));
                }
            }
        }
        return parsed;
    }

    /** These scopes and {@code other}'s: per resource the actions of both. */
    TokenScopes with(TokenScopes other) {
        Map<String, Set<String>> merged = new LinkedHashMap<>();
        actions.forEach((resource, names) -> merged.put(resource, new TreeSet<>(names)));
        other.actions.forEach((resource, names) -> merged.computeIfAbsent(resource, r -> new TreeSet<>()).addAll(names));
        return new TokenScopes(merged);
    }

    /** Whether a token asked for these scopes allows everything {@code needed} asks for. */
    boolean covers(TokenScopes needed) {
        return needed.actions.entrySet().stream()
                .allMatch(e -> actions.getOrDefault(e.getKey(), Set.of()).containsAll(e.getValue()));
    }

    /** One {@code scope} parameter each: {@code repository:NAME:pull,push}. */
    List<String> parameters() {
        List<String> parameters = new ArrayList<>();
        actions.forEach((resource, names) -> parameters.add(resource + ":" + String.join(",", new TreeSet<>(names))));
        return parameters;
    }
}
