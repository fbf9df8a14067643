package dev.kiln.maven;

import dev.kiln.api.Freshness;
import dev.kiln.api.Kiln;
import dev.kiln.api.KilnBuilder;
import dev.kiln.api.RegistryCredential;
import dev.kiln.api.Units;
import dev.kiln.config.KilnConfig;
import dev.kiln.error.KilnException;
import dev.kiln.image.PullPolicy;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What both goals share: where the image goes, when the base's registry is asked, how registries are reached
 * (the CLI's store and configuration file, credentials from {@code settings.xml} and the Docker config), the
 * build log through Maven's, and Kiln's one-line failures as {@link MojoFailureException}s.
 */
abstract class KilnMojo extends AbstractMojo {
    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    protected MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    protected MavenSession session;

    @Component
    private SettingsDecrypter decrypter;

    /** Where the image goes: {@code REGISTRY/REPO:TAG}, {@code oci:DIR[:TAG]}, {@code tar:FILE} or {@code docker-daemon:NAME:TAG}. */
    @Parameter(property = "kiln.to")
    protected String to;

    /** The base's platform(s), comma-separated ({@code linux/amd64,linux/arm64}: one image each under an index); default this machine's. */
    @Parameter(property = "kiln.platforms")
    protected String platforms;

    /** When to ask the base's registry: {@code if-not-present}, {@code always}, {@code never}, {@code revalidate}, {@code stale-while-revalidate}. */
    @Parameter(property = "kiln.policy")
    protected String policy;

    /** With {@code revalidate} or {@code stale-while-revalidate}: how long a check stays fresh ({@code 30m}, {@code 1h}, {@code 7d}). */
    @Parameter(property = "kiln.maxAge")
    protected String maxAge;

    /** A cached tag not confirmed by its registry for longer is checked whatever the policy. */
    @Parameter(property = "kiln.maxStale")
    protected String maxStale;

    /** If that check cannot reach the registry, use the cached image with a warning. */
    @Parameter(property = "kiln.staleIfError", defaultValue = "false")
    protected boolean staleIfError;

    /** Registries ({@code host[:port]}) that may use plain HTTP or unverified TLS. */
    @Parameter(property = "kiln.insecureRegistries")
    protected List<String> insecureRegistries = new ArrayList<>();

    /** Compression of new layers: {@code gzip} (default) or {@code zstd}. */
    @Parameter(property = "kiln.compression", defaultValue = "gzip")
    protected String compression;

    /** Kiln's cache directory, as the CLI's {@code --cache-dir} (default {@code $KILN_CACHE_DIR} or {@code ~/.kiln}). */
    @Parameter(property = "kiln.cacheDir")
    protected File cacheDir;

    /** Kiln's configuration file, as the CLI's {@code --config} (default {@code $KILN_CONFIG}, else {@code config.yaml} in the cache directory). */
    @Parameter(property = "kiln.config")
    protected File config;

    /** The Docker client config to read credentials from (default {@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json}). */
    @Parameter(property = "kiln.dockerConfig")
    protected File dockerConfig;

    /** Where {@code image-digest} and {@code image.json} go. */
    @Parameter(property = "kiln.outputDirectory", defaultValue = "${project.build.directory}/kiln")
    protected File outputDirectory;

    /** Skips the goal. */
    @Parameter(property = "kiln.skip", defaultValue = "false")
    protected boolean skip;

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("kiln: skipped (kiln.skip)");
            return;
        }
        if ("pom".equals(project.getPackaging()) && needsJar()) {
            // a multi-module build's aggregator or parent has no jar: the goal runs on the root for its modules' sake
            getLog().info("kiln: skipped (packaging pom)");
            return;
        }
        if (to == null || to.isBlank()) {
            throw new MojoFailureException("kiln: no target: give <to> (or -Dkiln.to=REGISTRY/REPO:TAG)");
        }
        try {
            run();
        } catch (KilnException e) {
            throw new MojoFailureException(e.getMessage(), e);
        } catch (IOException e) {
            throw new MojoExecutionException("kiln: " + e.getMessage(), e);
        }
    }

    /** Whether the image needs the project's jar (a module of packaging {@code pom} is then skipped). */
    abstract boolean needsJar();

    /** The goal's work, with Kiln's failures left to {@link #execute()}. */
    abstract void run() throws IOException, MojoFailureException;

    /** The freshness given; Maven's offline mode ({@code -o}) means {@code never}, whatever was given or configured. */
    Freshness freshness() {
        if (session.isOffline()) {
            return new Freshness(PullPolicy.NEVER, null, null, false);
        }
        return new Freshness(PullPolicy.parse(policy), duration(maxAge), duration(maxStale), staleIfError);
    }

    private static java.time.Duration duration(String text) {
        return text == null || text.isBlank() ? null : Units.parseDuration(text);
    }

    /** Kiln as the CLI opens it (same store and configuration file), logging through Maven, with {@code settings.xml}'s servers as credentials. */
    Kiln open() {
        Path cache = cacheDir != null ? cacheDir.toPath() : Kiln.defaultCacheDir();
        KilnBuilder builder = KilnConfig.discover(config == null ? null : config.toPath(), cache)
                .applyTo(Kiln.builder().listener(new MavenLog(getLog())));
        if (cacheDir != null) {
            builder.cacheDir(cacheDir.toPath());
        }
        insecureRegistries.forEach(builder::insecureRegistry);
        if (dockerConfig != null) {
            builder.dockerConfig(dockerConfig.toPath());
        }
        builder.credentials("*", this::serverCredential);
        return builder.build();
    }

    /** The {@code settings.xml} server whose id is the registry's host ({@code registry.example.com}, {@code 127.0.0.1:5000}). */
    private Optional<RegistryCredential> serverCredential(String registryHost) {
        Server server = session.getSettings().getServer(registryHost);
        if (server == null || server.getUsername() == null) {
            return Optional.empty();
        }
        Server decrypted = decrypter.decrypt(new DefaultSettingsDecryptionRequest(server)).getServer();
        return Optional.of(RegistryCredential.basic(decrypted.getUsername(), decrypted.getPassword() == null ? "" : decrypted.getPassword()));
    }

    /** Replaces {@code file} atomically with {@code text}: a reader never sees half of it. */
    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
