package dev.kiln.image;

import dev.kiln.error.InvalidInputException;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A registry host ({@code docker.io}, {@code 127.0.0.1:5000}) or a glob of hosts ({@code *.example.com},
 * {@code registry-?.corp:5000}, {@code *}) that settings apply to. {@code *} matches any characters,
 * {@code ?} one. Where several patterns match a host, the most specific wins: an exact host before any
 * glob, then the glob with the most literal characters, so the order settings are written in never matters.
 */
public record HostPattern(String pattern) {
    private static final Pattern VALID = Pattern.compile("[a-z0-9.*?\\-:\\[\\]_]+");

    /** Folds the pattern to lower case; a blank or malformed one is refused. */
    public HostPattern {
        if (pattern == null || pattern.isBlank()) {
            throw new InvalidInputException("empty registry pattern");
        }
        pattern = pattern.strip().toLowerCase(Locale.ROOT);
        if (!VALID.matcher(pattern).matches()) {
            throw new InvalidInputException("invalid registry pattern '" + pattern
                    + "': expected a host[:port], or a glob such as *.example.com");
        }
    }

    /** The pattern for {@code pattern}: a host, {@code host:port}, or a glob. */
    public static HostPattern of(String pattern) {
        return new HostPattern(pattern);
    }

    /** Whether the pattern has a {@code *} or {@code ?}. */
    public boolean isGlob() {
        return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0;
    }

    /** Whether {@code host} (case-insensitive) matches the pattern. */
    public boolean matches(String host) {
        return matches(pattern, 0, host.toLowerCase(Locale.ROOT), 0);
    }

    private static boolean matches(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                for (int k = si; k <= s.length(); k++) {
                    if (matches(p, pi + 1, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length() || (c != '?' && c != s.charAt(si))) {
                return false;
            }
            pi++;
            si++;
        }
        return si == s.length();
    }

    /** Exact hosts first, then globs with more literal characters. */
    private int specificity() {
        return isGlob() ? pattern.replace("*", "").replace("?", "").length() : Integer.MAX_VALUE;
    }

    /** The values whose patterns match {@code host}, most specific first. */
    public static <T> List<T> matching(Map<HostPattern, T> byPattern, String host) {
        return byPattern.entrySet().stream().filter(e -> e.getKey().matches(host))
                .sorted(Comparator.comparingInt((Map.Entry<HostPattern, T> e) -> e.getKey().specificity()).reversed()
                        .thenComparing(e -> e.getKey().pattern()))
                .map(Map.Entry::getValue).toList();
    }

    /** The value of the most specific pattern matching {@code host}. */
    public static <T> Optional<T> best(Map<HostPattern, T> byPattern, String host) {
        return matching(byPattern, host).stream().findFirst();
    }

    /** Whether any of {@code patterns} matches {@code host}. */
    public static boolean anyMatches(Iterable<HostPattern> patterns, String host) {
        for (HostPattern p : patterns) {
            if (p.matches(host)) {
                return true;
            }
        }
        return false;
    }

    /** The pattern as normalised. */
    @Override
    public String toString() {
        return pattern;
    }
}
