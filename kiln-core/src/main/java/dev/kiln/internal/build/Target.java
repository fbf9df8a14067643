package dev.kiln.internal.build;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.Reference;

import java.nio.file.Path;

/** Where a built image goes: a registry, a Docker engine, an OCI image layout directory, or a {@code docker load} tar. */
public sealed interface Target {

    record Registry(Reference reference) implements Target {
        @Override
        public String toString() {
            return reference.toString();
        }
    }

    record OciLayout(Path directory, String tag) implements Target {
        @Override
        public String toString() {
            return "oci:" + directory + ":" + tag;
        }
    }

    record DockerArchive(Path file, Reference name) implements Target {
        /** {@code name}: the image's name inside, as {@code docker load} shows it; {@code null}: {@code kiln-image:latest}. */
        public static DockerArchive of(Path file, String name) {
            return new DockerArchive(file, Reference.parse(name == null ? "kiln-image:latest" : name));
        }


        @Override
        public String toString() {
            return "tar:" + file;
        }
    }

    /** A Docker (or Podman) engine, which {@code docker load}s the image under {@code name} (tagged, not pinned). */
    record DockerDaemon(Reference name) implements Target {
        public DockerDaemon {
            if (name.tag() == null || name.isPinned()) {
                throw new InvalidInputException("invalid target 'docker-daemon:" + name + "': expected docker-daemon:NAME:TAG");
            }
        }

        @Override
        public String toString() {
            return "docker-daemon:" + name;
        }
    }

    /**
     * {@code REF} (a registry), {@code docker-daemon:REF} (the Docker engine), {@code oci:DIR[:TAG]} (tag {@code latest} by default) or
     * {@code tar:FILE}; {@code name} tags the image inside a tar ({@code docker load} shows it).
     */
    static Target parse(String text, String name) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("no target given: use --to REGISTRY/REPO:TAG, docker-daemon:NAME:TAG, oci:DIR[:TAG] or tar:FILE");
        }
        if (text.startsWith("oci:")) {
            String rest = text.substring(4);
            int colon = rest.lastIndexOf(':');
            boolean tagged = colon > rest.lastIndexOf('/');
            String dir = tagged ? rest.substring(0, colon) : rest;
            String tag = tagged ? rest.substring(colon + 1) : "latest";
            if (dir.isEmpty() || tag.isEmpty()) {
                throw new InvalidInputException("invalid target '" + text + "': expected oci:DIR[:TAG]");
            }
            return new OciLayout(Path.of(dir), tag);
        }
        if (text.startsWith("docker-daemon:")) {
            return new DockerDaemon(Reference.parse(text.substring("docker-daemon:".length())));
        }
        if (text.startsWith("tar:")) {
            String file = text.substring(4);
            if (file.isEmpty()) {
                throw new InvalidInputException("invalid target '" + text + "': expected tar:FILE");
            }
            return DockerArchive.of(Path.of(file), name);
        }
        return new Registry(Reference.parse(text));
    }
}
