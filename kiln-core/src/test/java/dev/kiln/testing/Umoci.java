package dev.kiln.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** umoci, the independent OCI tool the tests read images back with. */
public final class Umoci {
    private Umoci() {
    }

    /** Unpacks {@code layout:tag} into the bundle directory {@code bundle}; returns its root file system. */
    public static Path unpack(Path layout, String tag, Path bundle) {
        List<String> command = new ArrayList<>(List.of("umoci", "unpack"));
        if (!"root".equals(System.getProperty("user.name"))) {
            command.add("--rootless");
        }
        command.addAll(List.of("--image", layout + ":" + tag, bundle.toString()));
        Commands.bytes(command.toArray(String[]::new));
        return bundle.resolve("rootfs");
    }
}
