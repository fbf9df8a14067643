package dev.kiln.testing;

import dev.kiln.internal.credentials.CredentialProvider;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.ImageJson;
import dev.kiln.image.Platform;
import dev.kiln.image.Reference;
import dev.kiln.internal.registry.RegistryClient;
import dev.kiln.internal.registry.RegistryTransport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A base image pushed to a real registry from directories, one layer each, tarred by GNU tar as a
 * Docker build would store them (numeric owners as on disk, sorted names): a Debian-like root file
 * system with a shell ({@code scripts/shell-base-rootfs.sh}) below a Flink-like {@code /opt/flink}.
 */
public record RootfsBase(Reference reference, List<Descriptor> layers) {
    public String ref() {
        return reference.toString();
    }

    /** The environment of the shell base. */
    public static final List<String> ENV = List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "FLINK_HOME=/opt/flink");

    /** Pushes the Debian-like shell base with a flink-owned {@code /opt/flink} ({@link #shellAndFlink}) as {@code debian/flink:1.18}. */
    public static RootfsBase pushShellBase(RegistryFixture registry, Path work) {
        return push(registry, "debian/flink:1.18", shellAndFlink(work), ENV);
    }

    /** Pushes one layer per directory of {@code layerDirs} (bottom first) with {@code env} as the config's Env. */
    public static RootfsBase push(RegistryFixture registry, String repoAndTag, List<Path> layerDirs, List<String> env) {
        Reference ref = Reference.parse(registry.hostPort() + "/" + repoAndTag);
        RegistryClient client = new RegistryClient(new RegistryTransport(registry.registryOptions(), CredentialProvider.none()),
                new Telemetry(null));
        List<Descriptor> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        FlinkBase.addLayers(client, ref, layerDirs.stream().map(dir -> Commands.bytes("tar", "--numeric-owner", "--sort=name",
                "--mtime=@1709294400", "-C", dir.toString(), "-cf", "-", ".")).toList(), layers, diffIds);
        Platform platform = Platform.host();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", platform.architecture());
        config.put("os", platform.os());
        config.put("config", Map.of("Env", env, "WorkingDir", "/opt/flink"));
        config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        FlinkBase.putImage(client, ref, ImageJson.write(config), layers);
        return new RootfsBase(ref, List.copyOf(layers));
    }

    /**
     * The two directories of the Flink-like shell base: {@code rootfs} (made by the script) and {@code flink}: an
     * {@code /opt/flink} owned by flink (9999) with {@code lib/} (flink-dist and a connector jar to replace),
     * {@code conf/}, {@code bin/flink}, {@code log/} (0775), and {@code /etc/timezone}, {@code /opt/legacy/}.
     */
    public static List<Path> shellAndFlink(Path work) {
        try {
            Path rootfs = work.resolve("rootfs");
            Commands.bytes(Path.of(System.getProperty("user.dir")).getParent().resolve("scripts/shell-base-rootfs.sh").toString(),
                    rootfs.toString());
            Path flink = work.resolve("flink");
            Path home = Files.createDirectories(flink.resolve("opt/flink"));
            Files.createDirectories(home.resolve("lib"));
            Files.createDirectories(home.resolve("conf"));
            Files.createDirectories(home.resolve("bin"));
            Files.createDirectories(home.resolve("log"));
            Files.writeString(home.resolve("lib/flink-dist-1.18.1.jar"), "flink dist\n");
            Files.writeString(home.resolve("lib/flink-connector-kafka-1.17.jar"), "old connector\n");
            Files.writeString(home.resolve("conf/flink-conf.yaml"), "jobmanager.rpc.address: localhost\n");
            Files.writeString(home.resolve("bin/flink"), "#!/bin/sh\necho flink\n");
            Files.createDirectories(flink.resolve("etc"));
            Files.writeString(flink.resolve("etc/timezone"), "Etc/UTC\n");
            Files.createDirectories(flink.resolve("opt/legacy/sub"));
            Files.writeString(flink.resolve("opt/legacy/sub/old.txt"), "old\n");
            Commands.bytes("chmod", "755", home.resolve("bin/flink").toString());
            Commands.bytes("chmod", "775", home.resolve("log").toString());
            Commands.bytes("chmod", "755", flink.resolve("etc").toString(), flink.resolve("opt").toString());
            Commands.bytes("chown", "-R", "9999:9999", home.toString());
            return List.of(rootfs, flink);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
