package dev.kiln.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.api.BuildRequest;
import dev.kiln.api.BuildResult;
import dev.kiln.api.Destination;
import dev.kiln.api.FlinkBuildRequest;
import dev.kiln.api.FlinkBuildResult;
import dev.kiln.api.Freshness;
import dev.kiln.api.ImageBuildRequest;
import dev.kiln.api.Units;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.KilnException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.server.builds.BuildSpec;
import dev.kiln.server.http.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Builds on a {@code kiln serve} instead of locally: the Java API's request is sent as the service's
 * JSON, every file by digest (uploaded first when the service lacks it: {@code POST /api/v1/files/missing},
 * {@code PUT /api/v1/files/sha256:…}; directories as tars), the build's events are read from its stream
 * and handed to the listener as the local build would, and its result comes back as the API's result.
 * <p>
 * The files are hashed in parallel, and the service is spoken to over {@link HttpURLConnection}: the JDK's
 * {@code HttpClient} sets up its default TLS context when it is made, even for {@code http://}, which was
 * ~165 ms of a client run that lasts about a second.
 */
public final class RemoteBuilds {
    private static final String EVENT_TYPES = KilnEvent.class.getName() + "$";
    private final URI server;
    private final String token;
    private final Path scratch;

    /**
     * @param server  the service's base URL ({@code http://builder:8080})
     * @param token   a bearer token with the build role; {@code null}: none
     * @param scratch where directories are packed into tars before they are sent
     */
    public RemoteBuilds(String server, String token, Path scratch) {
        if (server == null || !server.matches("https?://[^/]+/?")) {
            throw new InvalidInputException("--server " + server + ": expected the service's URL, e.g. http://builder:8080");
        }
        this.server = URI.create(server.endsWith("/") ? server : server + "/");
        this.token = token;
        this.scratch = scratch;
    }

    /** Builds {@code request} on the service; its events go to {@code listener}. */
    public BuildResult build(BuildRequest request, KilnListener listener) {
        BuildSpec.Common common = common(request);
        Inputs inputs = new Inputs(scratch);
        inputs.hash(request.layers().stream().map(BuildRequest.Add::source).filter(Files::isRegularFile));
        BuildSpec.Config config = new BuildSpec.Config(request.env(), request.entrypoint(), request.cmd(), request.workingDir(),
                request.user(), request.labels(), request.exposedPorts());
        String to = request.destination().imageName();
        BuildSpec spec;
        if (request.dockerfile() != null) {
            Path context = request.context().toAbsolutePath().normalize();
            Path dockerfile = request.dockerfile().toAbsolutePath().normalize();
            if (!dockerfile.startsWith(context)) {
                throw new InvalidInputException("-f " + request.dockerfile() + ": with --server the Dockerfile must be inside the context " + context);
            }
            spec = new BuildSpec.Dockerfile(inputs.directory(context), context.relativize(dockerfile).toString(), request.buildArgs(),
                    request.run(), config, to, common, inputs.digests());
        } else {
            List<BuildSpec.Layer> layers = request.layers().stream().map(add -> layer(inputs, add)).toList();
            spec = new BuildSpec.Image(request.base() == null ? "scratch" : request.base(), layers, config, to, common, inputs.digests());
        }
        return read(run(spec, inputs, listener), BuildResult.class);
    }

    /** Builds the Flink job image {@code request} describes on the service; its events go to {@code listener}. */
    public FlinkBuildResult buildFlink(FlinkBuildRequest request, KilnListener listener) {
        BuildSpec.Common common = common(request);
        Inputs inputs = new Inputs(scratch);
        inputs.hash(Stream.of(Stream.of(request.jobJar()), request.libs().stream(), request.confFiles().stream(),
                request.adds().stream().map(BuildRequest.Add::source).filter(Files::isRegularFile)).flatMap(s -> s));
        String jobJar = inputs.file(request.jobJar());
        List<String> libs = request.libs().stream().map(inputs::file).toList();
        List<String> conf = request.confFiles().stream().map(inputs::file).toList();
        List<BuildSpec.Layer> adds = request.adds().stream().map(add -> layer(inputs, add)).toList();
        String hadoopConf = request.hadoopConf() == null ? null : inputs.directory(request.hadoopConf());
        String hiveConf = request.hiveConf() == null ? null : inputs.directory(request.hiveConf());
        BuildSpec.Flink spec = new BuildSpec.Flink(request.base(), request.flinkVersion(), request.java(), request.scala(), jobJar, libs, conf,
                adds, hadoopConf, hiveConf, request.mainClass(), request.owner().uid(), request.owner().gid(), request.deploymentName(), request.jobArgs(),
                request.parallelism(), request.taskSlots(), request.serviceAccount(), request.jobManager().memory(), request.jobManager().cpu(),
                request.taskManager().memory(), request.taskManager().cpu(), request.upgradeMode(), request.destination().imageName(),
                common.platforms(), common.compression(), common.policy(), common.maxAge(), common.maxStale(), common.staleIfError(),
                inputs.digests());
        return read(run(spec, inputs, listener), FlinkBuildResult.class);
    }

    /** A directory is sent as a tar of its contents. */
    private static BuildSpec.Layer layer(Inputs inputs, BuildRequest.Add add) {
        boolean dir = Files.isDirectory(add.source());
        return new BuildSpec.Layer(dir ? inputs.directory(add.source()) : inputs.file(add.source()), add.destination(), add.uid(), add.gid(),
                dir ? Boolean.TRUE : null);
    }

    /** What every kind sends beside its target; only a registry can be the target. */
    private static BuildSpec.Common common(ImageBuildRequest request) {
        if (request.destination().kind() != Destination.Kind.REGISTRY) {
            throw new InvalidInputException("--to " + request.destination() + ": a build on a server publishes to a registry (REGISTRY/REPO:TAG)");
        }
        Freshness freshness = request.freshness();
        return new BuildSpec.Common(request.platform(), request.compression(),
                freshness.policy() == null ? null : freshness.policy().cliName(), duration(freshness.maxAge()), duration(freshness.maxStale()),
                freshness.staleIfError() ? Boolean.TRUE : null);
    }

    private static String duration(java.time.Duration duration) {
        return duration == null ? null : Units.formatDuration(duration);
    }

    /** Uploads what the service lacks, submits, follows the events to the end, and returns the result (or throws the failure). */
    private JsonNode run(BuildSpec spec, Inputs inputs, KilnListener listener) {
        try {
            upload(inputs);
            String boundary = "kiln-" + UUID.randomUUID();
            String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"request\"\r\nContent-Type: application/json\r\n\r\n"
                    + Json.write(spec) + "\r\n--" + boundary + "--\r\n";
            JsonNode submitted = send("POST", "api/v1/builds", "multipart/form-data; boundary=" + boundary, body, 202);
            String id = submitted.get("id").asText();
            String status = follow(id, listener);
            JsonNode build = send("GET", "api/v1/builds/" + id, null, null, 200);
            if (!status.equals("succeeded")) {
                throw new KilnException("the build on " + server + " " + status + (build.path("error").isTextual() ? ": "
                        + build.get("error").asText() : "") + " (build " + id + ")");
            }
            return build.get("result");
        } finally {
            inputs.close();
        }
    }

    private void upload(Inputs inputs) {
        if (inputs.digests().isEmpty()) {
            return;
        }
        ObjectNode ask = Json.MAPPER.createObjectNode();
        ask.set("digests", Json.MAPPER.valueToTree(new ArrayList<>(inputs.files().keySet())));
        JsonNode missing = send("POST", "api/v1/files/missing", "application/json", Json.write(ask), 200).get("missing");
        for (JsonNode digest : missing) {
            Path file = inputs.files().get(digest.asText());
            exchange("PUT", "api/v1/files/" + digest.asText(), 201, connection -> {
                connection.setFixedLengthStreamingMode(Files.size(file));
                try (OutputStream out = connection.getOutputStream()) {
                    Files.copy(file, out);
                }
            });
        }
    }

    /** Reads the build's events, handing each Kiln event to {@code listener}; returns the final status. */
    private String follow(String id, KilnListener listener) {
        long last = 0;
        String status = null;
        // a dropped connection is picked up again where it ended
        for (int attempt = 0; status == null || status.equals("queued") || status.equals("running"); attempt++) {
            if (attempt > 100) {
                throw new KilnException("lost the event stream of build " + id + " on " + server);
            }
            try {
                HttpURLConnection connection = open("GET", "api/v1/builds/" + id + "/events");
                connection.setRequestProperty("Accept", "text/event-stream");
                if (last > 0) {
                    connection.setRequestProperty("Last-Event-ID", Long.toString(last));
                }
                if (connection.getResponseCode() != 200) {
                    throw failure(connection.getResponseCode(), errorBody(connection));
                }
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8))) {
                    String type = null;
                    for (String line; (line = lines.readLine()) != null; ) {
                        if (line.startsWith("id: ")) {
                            last = Long.parseLong(line.substring(4));
                        } else if (line.startsWith("event: ")) {
                            type = line.substring(7);
                        } else if (line.startsWith("data: ")) {
                            JsonNode data = Json.MAPPER.readTree(line.substring(6));
                            if ("Status".equals(type)) {
                                status = data.get("status").asText();
                            } else {
                                event(type, data).ifPresent(listener::onEvent);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                if (attempt > 3) {
                    throw new KilnException("cannot follow build " + id + " on " + server + ": " + e.getMessage(), e);
                }
            }
        }
        return status;
    }

    private static Optional<KilnEvent> event(String type, JsonNode data) {
        try {
            Class<?> cls = Class.forName(EVENT_TYPES + type);
            return KilnEvent.class.isAssignableFrom(cls) ? Optional.of((KilnEvent) Json.MAPPER.treeToValue(data, cls)) : Optional.empty();
        } catch (ClassNotFoundException | IOException e) {
            return Optional.empty();   // an event of a newer server: not shown
        }
    }

    private HttpURLConnection open(String method, String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) server.resolve(path).toURL().openConnection();
        connection.setRequestMethod(method);
        connection.setInstanceFollowRedirects(false);
        if (token != null) {
            connection.setRequestProperty("Authorization", "Bearer " + token);
        }
        return connection;
    }

    /** Sends {@code body} (none when null) and returns the answer's JSON, which must come with {@code expected}. */
    private JsonNode send(String method, String path, String contentType, String body, int expected) {
        return exchange(method, path, expected, connection -> {
            if (body != null) {
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                connection.setRequestProperty("Content-Type", contentType);
                connection.setFixedLengthStreamingMode(bytes.length);
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(bytes);
                }
            }
        });
    }

    private interface RequestBody {
        void write(HttpURLConnection connection) throws IOException;
    }

    private JsonNode exchange(String method, String path, int expected, RequestBody body) {
        try {
            HttpURLConnection connection = open(method, path);
            if (!method.equals("GET")) {
                connection.setDoOutput(true);
            }
            body.write(connection);
            int status = connection.getResponseCode();
            if (status != expected) {
                throw failure(status, errorBody(connection));
            }
            try (InputStream in = connection.getInputStream()) {
                return Json.MAPPER.readTree(in);
            }
        } catch (IOException e) {
            throw new KilnException("cannot reach the build service at " + server + ": " + e.getMessage(), e);
        }
    }

    /** The body of an answer that is not a success (the JDK keeps it apart from a success's). */
    private static String errorBody(HttpURLConnection connection) throws IOException {
        try (InputStream in = Objects.requireNonNullElse(connection.getErrorStream(), InputStream.nullInputStream())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private KilnException failure(int status, String body) {
        String reason;
        try {
            reason = Json.MAPPER.readTree(body).path("error").asText(body);
        } catch (IOException e) {
            reason = body;
        }
        return new KilnException("the build service at " + server + " answered " + status + ": " + reason);
    }

    private static <T> T read(JsonNode json, Class<T> type) {
        try {
            return Json.MAPPER.treeToValue(json, type);
        } catch (IOException e) {
            throw new KilnException("the build service's result is not a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** What a request sends: every file and packed directory by digest, under the name the request uses. */
    private static final class Inputs implements AutoCloseable {
        private final Path scratch;
        private final Map<String, String> byName = new LinkedHashMap<>();
        private final Map<String, Path> byDigest = new LinkedHashMap<>();
        private final List<Path> packed = new ArrayList<>();
        private final Map<Path, String> hashed = new ConcurrentHashMap<>();

        Inputs(Path scratch) {
            this.scratch = scratch;
        }

        /** Hashes {@code files} ahead, in parallel: a Flink job's 70 jars are 50 MB. */
        void hash(Stream<Path> files) {
            // put, not computeIfAbsent: that would hold a bin's lock for the whole hash, and serialize files sharing a bin
            files.filter(Objects::nonNull).distinct().toList().parallelStream().forEach(file -> hashed.put(file, Tars.sha256(file)));
        }

        /** The name the request refers to {@code file} by. */
        String file(Path file) {
            if (file == null) {
                return null;
            }
            return add(file.getFileName().toString(), file);
        }

        /** The name of a tar of {@code dir}'s contents. */
        String directory(Path dir) {
            Path tar = Tars.pack(dir, scratch);
            packed.add(tar);
            return add(dir.toAbsolutePath().normalize().getFileName() + ".tar", tar);
        }

        private String add(String name, Path file) {
            String digest = hashed.computeIfAbsent(file, Tars::sha256);
            String unique = name;
            for (int n = 2; byName.containsKey(unique) && !byName.get(unique).equals(digest); n++) {
                unique = n + "-" + name;
            }
            byName.put(unique, digest);
            byDigest.put(digest, file);
            return unique;
        }

        Map<String, String> digests() {
            return byName;
        }

        Map<String, Path> files() {
            return byDigest;
        }

        @Override
        public void close() {
            packed.forEach(p -> p.toFile().delete());
        }
    }
}
