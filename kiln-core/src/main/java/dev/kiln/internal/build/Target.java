package dev.kiln.internal.build;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.Reference;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where a built image goes: a registry, a Docker engine, an OCI image layout directory, or a {@code docker load} tar. */
public sealed interface Target {

    /**
     * Checks, before any request, that a destination on this machine can be written: an OCI layout's
     * directory is a writable directory or can be created as one, a tar is not a directory and its
     * directory exists and is writable. A usage error names the path and what is wrong with it.
     */
    default void checkWritable() {
    }

    record Registry(Reference reference) implements Target {
        @Override
        public String toString() {
            return reference.toString();
        }
    }

    record OciLayout(Path directory, String tag) implements Target {
        @Override
        public void checkWritable() {
            Path dir = directory.toAbsolutePath().normalize();
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw unwritable(this, dir + " is a file, not a directory");
            }
            Path existing = dir;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null || !Files.isDirectory(existing)) {
                throw unwritable(this, existing + " is a file, not a directory, so " + dir + " cannot be created");
            }
            if (!Files.isWritable(existing)) {
                throw unwritable(this, existing + " is not writable (permission denied)");
            }
        }

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
        public void checkWritable() {
            Path target = file.toAbsolutePath().normalize();
            Path parent = target.getParent();
            if (Files.isDirectory(target)) {
                throw unwritable(this, target + " is a directory, not a file");
            }
            if (parent == null || !Files.isDirectory(parent)) {
                throw unwritable(this, "directory " + parent + (parent != null && Files.exists(parent) ? " is a file" : " does not exist"));
            }
            if (!Files.isWritable(parent) || Files.exists(target) && !Files.isWritable(target)) {
                throw unwritable(this, (Files.exists(target) ? target : parent) + " is not writable (permission denied)");
            }
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

    private static InvalidInputException unwritable(Target target, String why) {
        return new InvalidInputException("cannot write --to " + target + ": " + why);
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
        if (name != null) {
            throw new InvalidInputException("--tag " + name + " names the image inside a tar:FILE target; it does not apply to --to " + text);
        }
        return new Registry(Reference.parse(text));
    }
}
