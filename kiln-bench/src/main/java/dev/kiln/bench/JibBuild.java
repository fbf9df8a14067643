package dev.kiln.bench;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.CredentialRetriever;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.FilePermissionsProvider;
import com.google.cloud.tools.jib.api.buildplan.Platform;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import dev.kiln.internal.layer.LayerSource;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Builds the image {@code kiln build} builds, with Google's jib-core as a peer, and prints one JSON
 * line per build: {@code {"tool":"jib","run":1,"image":…,"digest":…,"durationMs":…}}.
 *
 * <p>Files are placed as Kiln (and Docker's {@code COPY}) place them: a directory's contents under
 * DEST, a file at DEST or inside it when DEST ends with {@code /}; each {@code --add} is one layer,
 * entries owned by {@code UID:GID} (default 0:0), modes kept, every mtime and the config's creation
 * time {@code SOURCE_DATE_EPOCH} or 1970-01-01. Base layers are cached under {@code CACHE/base},
 * application layers under {@code CACHE/app}.
 *
 * <p>jib-core starts every registry at HTTPS; only with {@code --insecure}
 * ({@link Containerizer#setAllowInsecureRegistries}) does it fall back to unverified HTTPS and then
 * plain HTTP, loopback registries included (the plugins' {@code -Djib.allowInsecureRegistries} is
 * not read by jib-core). Over plain HTTP it drops the {@code Authorization} header unless the system
 * property {@code sendCredentialsOverHttp=true} is set, so authenticated plain-HTTP registries need
 * {@code -DsendCredentialsOverHttp=true}.
 */
public final class JibBuild {
    private JibBuild() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the tool; returns the exit code (0 ok, 1 failure, 2 usage error). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        BuildOptions options;
        try {
            options = BuildOptions.parse(args);
        } catch (BuildOptions.UsageException e) {
            err.println("error: " + e.getMessage());
            err.print(usage());
            return 2;
        }
        if (options.help()) {
            out.print(usage());
            return 0;
        }
        Instant time;
        RegistryImage from;
        RegistryImage to;
        try {
            time = sourceDateEpoch();
            from = RegistryImage.named(options.from());
            to = RegistryImage.named(options.to());
            if (options.dockerConfig() != null) {
                // as a user's Docker login: the registries' credentials from one config.json
                from.addCredentialRetriever(dockerConfig(options.from(), options, err));
                to.addCredentialRetriever(dockerConfig(options.to(), options, err));
            }
        } catch (InvalidImageReferenceException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        for (int run = 1; run <= options.repeat(); run++) {
            try {
                long start = System.nanoTime();
                JibContainerBuilder builder = Jib.from(from).setCreationTime(time);
                if (options.platform() != null) {
                    String[] osArch = options.platform().split("/");
                    builder.setPlatforms(Set.of(new Platform(osArch[1], osArch[0])));
                }
                for (LayerSource add : options.adds()) {
                    builder.addFileEntriesLayer(layer(add, time));
                }
                Containerizer containerizer = Containerizer.to(to)
                        .setAllowInsecureRegistries(options.insecure())
                        .setBaseImageLayersCache(options.cache().resolve("base"))
                        .setApplicationLayersCache(options.cache().resolve("app"))
                        .setToolName("kiln-bench");
                if (options.verbose()) {
                    containerizer.addEventHandler(LogEvent.class, log(options, err));
                }
                JibContainer container = builder.containerize(containerizer);
                long durationMs = (System.nanoTime() - start) / 1_000_000;
                out.println(new JsonLine()
                        .put("tool", "jib")
                        .put("run", run)
                        .put("image", container.getTargetImage() + "@" + container.getDigest())
                        .put("digest", container.getDigest().toString())
                        .put("durationMs", durationMs)
                        .put("pushed", container.isImagePushed()));
                out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println("error: interrupted");
                return 1;
            } catch (Exception e) {
                err.println("error: " + describe(e));
                if (!options.insecure() && isTlsProblem(e)) {
                    err.println("hint: a plain-HTTP registry needs --insecure with jib-core (loopback ones too)");
                }
                if (options.verbose()) {
                    e.printStackTrace(err);
                }
                return 1;
            }
        }
        return 0;
    }

    private static CredentialRetriever dockerConfig(String image, BuildOptions options, PrintStream err)
            throws InvalidImageReferenceException {
        return CredentialRetrieverFactory.forImage(ImageReference.parse(image), log(options, err))
                .dockerConfig(options.dockerConfig());
    }

    /** Jib's log on {@code err} with {@code --verbose}, else nowhere. */
    private static Consumer<LogEvent> log(BuildOptions options, PrintStream err) {
        return e -> {
            if (options.verbose()) {
                err.println("jib " + e.getLevel().name().toLowerCase() + ": " + e.getMessage());
            }
        };
    }

    static String usage() {
        return BuildOptions.usage("JibBuild",
                "prints one JSON line per build: {\"tool\":\"jib\",\"run\":1,\"image\":...,\"digest\":...,\"durationMs\":...}\n");
    }

    /** One {@code --add} as one Jib layer, entries placed as Kiln places them. */
    static FileEntriesLayer layer(LayerSource add, Instant time) throws IOException {
        Path source = add.source();
        if (!Files.exists(source)) {
            throw new IOException("'" + source + "' does not exist");
        }
        String ownership = add.uid() + ":" + add.gid();
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(source.getFileName() + "");
        AbsoluteUnixPath dest = AbsoluteUnixPath.get(add.destination());
        if (Files.isDirectory(source)) {
            List<Path> children;
            try (Stream<Path> list = Files.list(source)) {
                children = list.sorted().toList();
            }
            if (children.isEmpty()) {
                layer.addEntry(source, dest, FilePermissions.DEFAULT_FOLDER_PERMISSIONS, time, ownership);
            }
            for (Path child : children) {
                layer.addEntryRecursive(child, dest.resolve(child.getFileName().toString()),
                        KEEP_MODES, (s, d) -> time, (s, d) -> ownership);
            }
        } else {
            AbsoluteUnixPath target = add.destination().endsWith("/") ? dest.resolve(source.getFileName().toString()) : dest;
            layer.addEntry(source, target, KEEP_MODES.get(source, target), time, ownership);
        }
        return layer.build();
    }

    /** The source's permission bits, as Kiln keeps them (Jib's default is 644 for files, 755 for directories). */
    private static final FilePermissionsProvider KEEP_MODES = (source, pathInContainer) -> {
        try {
            return FilePermissions.fromPosixFilePermissions(Files.getPosixFilePermissions(source));
        } catch (IOException | UnsupportedOperationException e) {
            return Files.isDirectory(source) ? FilePermissions.DEFAULT_FOLDER_PERMISSIONS : FilePermissions.DEFAULT_FILE_PERMISSIONS;
        }
    };

    private static Instant sourceDateEpoch() {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch == null || epoch.isBlank()) {
            return Instant.EPOCH;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(epoch.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SOURCE_DATE_EPOCH must be a number of seconds, not '" + epoch + "'");
        }
    }

    private static String describe(Throwable e) {
        Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        StringBuilder message = new StringBuilder(t.getClass().getSimpleName() + ": " + t.getMessage());
        for (Throwable cause = t.getCause(); cause != null && cause != t; cause = cause.getCause()) {
            message.append(" (").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage()).append(')');
            t = cause;
        }
        return message.toString();
    }

    /** Whether TLS failed somewhere in {@code e}'s causes (a plain-HTTP registry asked over HTTPS, an untrusted certificate). */
    static boolean isTlsProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }
}
