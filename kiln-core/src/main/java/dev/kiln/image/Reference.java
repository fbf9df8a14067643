package dev.kiln.image;

import dev.kiln.error.InvalidInputException;

import java.util.regex.Pattern;

/**
 * An image reference, normalized the way Docker does it: {@code flink} is
 * {@code docker.io/library/flink:latest}; {@code host:port/ns/repo:tag@sha256:…} keeps all parts.
 * A reference with a digest is immutable content; its tag, if any, is informational.
 *
 * @param registry   registry host, with port when one was given ({@code docker.io}, {@code 127.0.0.1:5000})
 * @param repository repository path, lowercase ({@code library/flink})
 * @param tag        the tag, or {@code null} when only a digest was given
 * @param digest     the pinned manifest digest, or {@code null}
 */
public record Reference(String registry, String repository, String tag, Digest digest) {
    /** The registry of references without a host ({@code flink:1.18}). */
    public static final String DOCKER_HUB = "docker.io";
    private static final int MAX_NAME_LENGTH = 255;
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
                    + "|\\[[0-9a-fA-F:.]+])(?::[0-9]{1,5})?");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    /** A bare image ID; Docker refuses it as a name so that it is never mistaken for a repository. */
    private static final Pattern IDENTIFIER = Pattern.compile("[a-f0-9]{64}");

    /** Checks every part as Docker does; without tag and digest, the tag is {@code latest}. */
    public Reference {
        if (tag == null && digest == null) {
            tag = "latest";
        }
    }

    /** Parses and normalizes {@code text}; every malformed input gets a message that says what is wrong. */
    public static Reference parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidInputException("invalid reference: empty image name");
        }
        if (!text.strip().equals(text)) {
            throw new InvalidInputException("invalid reference '" + text + "': surrounding whitespace is not allowed");
        }
        if (IDENTIFIER.matcher(text).matches()) {
            throw new InvalidInputException("invalid reference '" + text
                    + "': cannot specify 64-byte hexadecimal strings (an image ID, not a repository name)");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String digestText = rest.substring(at + 1);
            try {
                digest = Digest.parse(digestText);
            } catch (InvalidInputException e) {
                throw new InvalidInputException("invalid reference '" + text + "': " + e.getMessage());
            }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new InvalidInputException("invalid reference '" + text + "': invalid tag '" + tag
                        + "' (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')");
            }
        }
        String registry = DOCKER_HUB;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")
                    || !first.equals(first.toLowerCase(java.util.Locale.ROOT))) {
                registry = first;
                path = rest.substring(slash + 1);
                if (!DOMAIN.matcher(registry).matches()) {
                    throw new InvalidInputException("invalid reference '" + text + "': invalid registry host '" + registry + "'");
                }
            }
        }
        if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
            registry = DOCKER_HUB;
        }
        if (path.isEmpty()) {
            throw new InvalidInputException("invalid reference '" + text + "': missing repository name");
        }
        if (!path.equals(path.toLowerCase(java.util.Locale.ROOT))) {
            throw new InvalidInputException("invalid reference '" + text + "': repository name must be lowercase");
        }
        for (String component : path.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw new InvalidInputException("invalid reference '" + text + "': invalid repository path component '"
                        + component + "' (lowercase letters and digits, separated by '.', '_', '__' or '-')");
            }
        }
        if (registry.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        // like distribution/reference v0.6 (Docker 25+): the limit is on the path, the registry host not counted
        if (path.length() > MAX_NAME_LENGTH) {
            throw new InvalidInputException("invalid reference: repository name longer than " + MAX_NAME_LENGTH + " characters");
        }
        return new Reference(registry, path, tag, digest);
    }

    /** What the registry API addresses the manifest by: the digest when pinned, else the tag. */
    public String identifier() {
        return digest != null ? digest.toString() : tag;
    }

    /** Whether a digest pins the reference (then its content never changes). */
    public boolean isPinned() {
        return digest != null;
    }

    /** This reference pinned to {@code newDigest}, keeping its tag. */
    public Reference withDigest(Digest newDigest) {
        return new Reference(registry, repository, tag, newDigest);
    }

    /** {@code registry/repository}, the name without tag or digest. */
    public String name() {
        return registry + "/" + repository;
    }

    @Override
    public String toString() {
        return name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
