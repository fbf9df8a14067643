package dev.kiln.server.dashboard;

import dev.kiln.server.auth.Authenticator;
import dev.kiln.server.auth.BearerTokens;
import dev.kiln.server.auth.Principal;
import dev.kiln.server.auth.Role;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.Routes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The web dashboard {@code kiln serve} serves at {@code /}: static pages (one shell, a script per page)
 * that read the service's own API with the session cookie, and follow running builds through its
 * Server-Sent Events. A page needs a session (the login form takes a token) or a bearer token; without
 * either it redirects to the login page. Chart code comes from a webjar on the classpath, so the
 * dashboard works without internet.
 */
public final class Dashboard {
    private static final String RESOURCES = "/dev/kiln/server/dashboard/";
    private static final Pattern ASSET = Pattern.compile("[a-z-]+\\.(js|css|svg)");
    private static final Map<String, String> TYPES = Map.of("js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");
    private static final String SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    private record Page(String path, String name, String title) {
    }

    private static final List<Page> PAGES = List.of(
            new Page("/", "builds", "Builds"),
            new Page("/builds/{id}", "build", "Build"),
            new Page("/cache", "cache", "Cache"),
            new Page("/outdated", "outdated", "Outdated"),
            new Page("/settings", "settings", "Settings"));

    private final Sessions sessions = new Sessions();
    private final BearerTokens tokens;
    private final String shell;
    private final String login;
    private final String uplotDist;

    /** A dashboard whose login form accepts the service's {@code tokens}. */
    public Dashboard(BearerTokens tokens) {
        this.tokens = tokens;
        this.shell = resource(RESOURCES + "page.html");
        this.login = resource(RESOURCES + "login.html");
        this.uplotDist = "/META-INF/resources/webjars/uplot/" + webjarVersion("org.webjars.npm", "uplot") + "/dist/";
    }

    /** Recognises the dashboard's session cookie (with its CSRF header on state-changing requests). */
    public Authenticator sessions() {
        return sessions;
    }

    /** Adds the pages, the login and logout, the session's own endpoint and the static assets. */
    public void register(Javalin app) {
        for (Page page : PAGES) {
            app.get(page.path(), page(page));
        }
        app.get("/login", ctx -> html(ctx, login.replace("{{failed}}", ctx.queryParam("failed") != null
                ? "<p class=\"error\" role=\"alert\">That token is not one of the service's.</p>" : "")));
        app.post("/login", this::logIn);
        app.post("/logout", ctx -> {
            sessions.close(ctx);
            ctx.status(204);
        }, Role.READ);
        app.get("/api/v1/session", this::session, Role.READ);
        app.get("/assets/{file}", this::asset);
    }

    private Handler page(Page page) {
        return ctx -> {
            Optional<Principal> principal = caller(ctx);
            if (principal.isEmpty()) {
                ctx.redirect("/login?next=" + URLEncoder.encode(ctx.path(), StandardCharsets.UTF_8));
                return;
            }
            html(ctx, shell.replace("{{title}}", page.title()).replace("{{page}}", page.name()));
        };
    }

    private Optional<Principal> caller(Context ctx) {
        return sessions.find(ctx).map(Sessions.Session::principal).or(() -> tokens.authenticate(ctx));
    }

    private void logIn(Context ctx) {
        // the login form has no session yet to hold a CSRF token: a browser names the page that posted it instead
        String origin = ctx.header("Origin");
        if (origin != null && !origin.equals(ctx.scheme() + "://" + ctx.host())) {
            throw new ApiException(403, "a login from another site (" + origin + ") is refused");
        }
        String token = Optional.ofNullable(ctx.formParam("token")).orElse("").strip();
        String next = Optional.ofNullable(ctx.formParam("next")).filter(Dashboard::localPath).orElse("/");
        Optional<Principal> principal = token.isEmpty() ? Optional.empty() : tokens.find(token);
        if (principal.isEmpty()) {
            ctx.redirect("/login?failed");
            return;
        }
        sessions.open(ctx, principal.get());
        ctx.redirect(next);
    }

    /** A path on this site: not {@code //host} nor a scheme, so that a login link cannot send anyone elsewhere. */
    private static boolean localPath(String path) {
        return path.startsWith("/") && !path.startsWith("//") && !path.contains("\\") && !path.contains(":");
    }

    private void session(Context ctx) {
        Principal principal = Routes.principal(ctx);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", principal.name());
        view.put("role", principal.role().configName());
        view.put("csrf", sessions.find(ctx).map(Sessions.Session::csrf).orElse(null));
        noStore(ctx);
        ctx.json(view);
    }

    private void asset(Context ctx) {
        String file = ctx.pathParam("file");
        if (!ASSET.matcher(file).matches()) {
            throw ApiException.notFound("no asset " + file);
        }
        String path = switch (file) {
            case "uplot.js" -> uplotDist + "uPlot.iife.min.js";
            case "uplot.css" -> uplotDist + "uPlot.min.css";
            default -> RESOURCES + file;
        };
        InputStream in = Dashboard.class.getResourceAsStream(path);
        if (in == null) {
            throw ApiException.notFound("no asset " + file);
        }
        ctx.contentType(TYPES.get(file.substring(file.lastIndexOf('.') + 1))).header("Cache-Control", "max-age=300").result(in);
    }

    private static void html(Context ctx, String page) {
        noStore(ctx);
        ctx.header("Content-Security-Policy", SECURITY_POLICY).header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "same-origin").contentType("text/html; charset=utf-8").result(page);
    }

    private static void noStore(Context ctx) {
        ctx.header("Cache-Control", "no-store");
    }

    private static String resource(String path) {
        try (InputStream in = Dashboard.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + path + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String webjarVersion(String group, String artifact) {
        Properties properties = new Properties();
        try (InputStream in = Dashboard.class.getResourceAsStream("/META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the webjar " + group + ":" + artifact + " is missing from the classpath");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version");
    }
}
