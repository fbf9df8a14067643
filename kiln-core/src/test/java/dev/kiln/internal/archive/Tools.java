package dev.kiln.internal.archive;

import dev.kiln.testing.Commands;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Runs the real tools the archive tests check against: skopeo, umoci, GNU tar. */
final class Tools {
    private Tools() {
    }

    static byte[] runBytes(String... command) {
        return Commands.bytes(command);
    }

    static String run(String... command) {
        return new String(runBytes(command), StandardCharsets.UTF_8);
    }

    static String skopeo(String... args) {
        String[] command = new String[args.length + 2];
        command[0] = "skopeo";
        command[1] = "--insecure-policy"; // no /etc/containers/policy.json needed for local transports
        System.arraycopy(args, 0, command, 2, args.length);
        return run(command);
    }

    /**
     * {@code umoci unpack} of {@code layout:tag} into a new bundle; returns the bundle's rootfs.
     * Rootless when not run as root, since unpacking as an ordinary user needs it.
     */
    static Path umociUnpack(Path layout, String tag, Path bundle) {
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> command = new java.util.ArrayList<>(List.of("umoci", "unpack"));
        if (!root) {
            command.add("--rootless");
        }
        command.addAll(List.of("--image", layout + ":" + tag, bundle.toString()));
        run(command.toArray(String[]::new));
        return bundle.resolve("rootfs");
    }
}
