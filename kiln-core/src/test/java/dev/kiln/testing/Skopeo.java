package dev.kiln.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs the real {@code skopeo} program, the independent oracle for what a registry holds.
 *
 * <p>Every method returns skopeo's standard output and throws {@link AssertionError} (carrying
 * skopeo's standard error) on a non-zero exit or after {@link #TIMEOUT}.
 *
 * <pre>{@code
 * String manifest = Skopeo.inspectRaw(registry.hostPort() + "/test/app:1", false, registry.credentials());
 * Skopeo.copy("oci:" + layoutDir + ":1", "docker://" + registry.hostPort() + "/test/app:1",
 *         "--dest-tls-verify=false");
 * }</pre>
 */
public final class Skopeo {

    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Skopeo() {
    }

    /**
     * {@code skopeo inspect --raw}: the manifest (or index) exactly as the registry serves it.
     *
     * @param dockerRef a registry reference such as {@code 127.0.0.1:5000/test/app:1} or
     *                  {@code 127.0.0.1:5000/test/app@sha256:...}; a leading {@code docker://} is optional
     * @param tlsVerify {@code false} for the plain-HTTP loopback registries of the fixtures
     * @param creds     {@code user:password}, or {@code null} for anonymous access
     */
    public static String inspectRaw(String dockerRef, boolean tlsVerify, String creds) {
        return inspect(dockerRef, tlsVerify, creds, "--raw");
    }

    /**
     * {@code skopeo inspect --config --raw}: the image configuration blob exactly as stored. For an
     * index, skopeo picks the manifest matching the current platform.
     *
     * @see #inspectRaw(String, boolean, String)
     */
    public static String inspectConfig(String dockerRef, boolean tlsVerify, String creds) {
        return inspect(dockerRef, tlsVerify, creds, "--config", "--raw");
    }

    /**
     * {@code skopeo --insecure-policy copy [options] source destination}, e.g. with options
     * {@code --src-tls-verify=false}, {@code --dest-tls-verify=false}, {@code --dest-creds=user:password},
     * {@code --all} or {@code --format=oci}.
     *
     * @param source      a transport reference: {@code docker://...}, {@code oci:DIR:TAG}, {@code dir:DIR}, ...
     * @param destination a transport reference
     */
    public static String copy(String source, String destination, String... options) {
        List<String> args = new ArrayList<>(List.of("--insecure-policy", "copy"));
        args.addAll(Arrays.asList(options));
        args.add(source);
        args.add(destination);
        return run(args.toArray(String[]::new));
    }

    /** Runs {@code skopeo ARGS...}. */
    public static String run(String... args) {
        List<String> command = new ArrayList<>();
        command.add("skopeo");
        command.addAll(Arrays.asList(args));
        return Commands.run(TIMEOUT, command);
    }

    private static String inspect(String dockerRef, boolean tlsVerify, String creds, String... flags) {
        List<String> args = new ArrayList<>(List.of("inspect", "--tls-verify=" + tlsVerify));
        args.addAll(Arrays.asList(flags));
        if (creds != null) {
            args.add("--creds=" + creds);
        }
        args.add(dockerRef.startsWith("docker://") ? dockerRef : "docker://" + dockerRef);
        return run(args.toArray(String[]::new));
    }
}
