package dev.kiln.api;

import dev.kiln.internal.build.Target;
import dev.kiln.error.InvalidInputException;
import dev.kiln.image.Reference;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a built image goes, as Jib's containerizer targets are typed: a registry, an OCI image
 * layout directory, a {@code docker load} tar, or a Docker (or Podman) engine. Immutable; made with
 * the factories, or parsed from the CLI's {@code --to} forms with {@link #parse(String)}. An index
 * of several platforms goes to a registry or an OCI layout; a tar and an engine take one platform.
 */
public final class Destination {
    /** The kind of sink a destination names. */
    public enum Kind {
        /** A registry repository and tag. */
        REGISTRY,
        /** An OCI image layout directory and a tag in its {@code index.json}. */
        OCI_LAYOUT,
        /** A {@code docker load} tar. */
        TAR,
        /** A Docker or Podman engine ({@code docker load}). */
        DAEMON
    }

    private final Target target;

    private Destination(Target target) {
        this.target = target;
    }

    /** A registry: {@code registry.example.com/jobs/orders:42}. */
    public static Destination registry(String reference) {
        return new Destination(new Target.Registry(Reference.parse(require(reference, "image reference"))));
    }

    /** An OCI image layout at {@code directory} (created when missing), the image tagged {@code tag} ({@code null}: {@code latest}). */
    public static Destination ociLayout(Path directory, String tag) {
        return new Destination(new Target.OciLayout(Objects.requireNonNull(directory, "directory"), tag == null ? "latest" : tag));
    }

    /** A {@code docker load} tar at {@code file}, the image named {@code imageName} inside ({@code null}: {@code kiln-image:latest}). */
    public static Destination tar(Path file, String imageName) {
        return new Destination(Target.DockerArchive.of(Objects.requireNonNull(file, "file"), imageName));
    }

    /** The Docker (or Podman) engine configured with {@code KilnBuilder.daemon}/{@code daemonHost}, as {@code name} ({@code NAME:TAG}). */
    public static Destination daemon(String name) {
        return new Destination(new Target.DockerDaemon(Reference.parse(require(name, "image name"))));
    }

    /** The CLI's {@code --to}: {@code REGISTRY/REPO:TAG}, {@code oci:DIR[:TAG]}, {@code tar:FILE} or {@code docker-daemon:NAME:TAG}. */
    public static Destination parse(String text) {
        return parse(text, null);
    }

    /** {@link #parse(String)}, with {@code tarImageName} naming the image inside a {@code tar:} (refused for the others, which it would not apply to). */
    public static Destination parse(String text, String tarImageName) {
        return new Destination(Target.parse(text, tarImageName));
    }

    private static String require(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("no " + what + " given");
        }
        return text;
    }

    /** Which kind of sink this is. */
    public Kind kind() {
        if (target instanceof Target.Registry) {
            return Kind.REGISTRY;
        }
        if (target instanceof Target.OciLayout) {
            return Kind.OCI_LAYOUT;
        }
        return target instanceof Target.DockerArchive ? Kind.TAR : Kind.DAEMON;
    }

    /**
     * The image's name: the registry reference, the name inside a tar, or the engine's name;
     * {@code null} for an OCI layout (see {@link #tag()}).
     */
    public String imageName() {
        if (target instanceof Target.Registry registry) {
            return registry.reference().toString();
        }
        if (target instanceof Target.DockerArchive archive) {
            return archive.name().toString();
        }
        return target instanceof Target.DockerDaemon daemon ? daemon.name().toString() : null;
    }

    /** The directory of an OCI layout, or the tar file; {@code null} for a registry or an engine. */
    public Path path() {
        if (target instanceof Target.OciLayout layout) {
            return layout.directory();
        }
        return target instanceof Target.DockerArchive archive ? archive.file() : null;
    }

    /** The tag in an OCI layout; {@code null} for the others. */
    public String tag() {
        return target instanceof Target.OciLayout layout ? layout.tag() : null;
    }

    /** What the engine writes to. */
    Target target() {
        return target;
    }

    /** The {@code --to} form: {@code registry/repo:tag}, {@code oci:DIR:TAG}, {@code tar:FILE}, {@code docker-daemon:NAME:TAG}. */
    @Override
    public String toString() {
        return target.toString();
    }

    /** Equal when both name the same sink. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Destination d && d.target.equals(target);
    }

    /** Consistent with {@link #equals(Object)}. */
    @Override
    public int hashCode() {
        return target.hashCode();
    }
}
