package dev.kiln.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.Kiln;
import dev.kiln.config.KilnConfig;
import dev.kiln.testing.FaultProxy;
import dev.kiln.testing.FlinkBase;
import dev.kiln.testing.RegistryFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real browser (Debian's chromium, headless, through chromedriver) against a running
 * service, a real registry behind a slow proxy, and the service's own API: log in, watch a Flink build
 * live, see the cache level that served its base, rebase it after its base moved, and what a {@code read}
 * login may not do. The screenshots land in {@code target/dashboard/} (the README's come from there).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    private static final String REGISTRY_PASSWORD = "registry-password-7f3c91";
    private static final Path SHOTS = Path.of("target/dashboard");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path tmp;

    private static RegistryFixture registry;
    private static FaultProxy proxy;
    private static KilnServer server;
    private static Browser browser;
    private static Api admin;
    private static String base;
    private static String flinkBuild;
    private static String flinkDigest;
    private static final List<String> apiPathsUsed = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        registry = RegistryFixture.plain();
        proxy = FaultProxy.start(registry);
        FlinkBase.push(registry, "flink/flink:1.18");
        base = proxy.hostPort() + "/flink/flink:1.18";
        Path config = Files.writeString(tmp.resolve("config.yaml"), """
                store: { maxSize: 512MB, lowWatermark: 400MB }
                registries:
                  "private.example.com":
                    credentials: { username: robot, password: "%s" }
                  "docker.io":
                    mirrors: [ { url: "http://127.0.0.1:5999", resolve: true } ]
                server:
                  tokens:
                    - { name: reader, sha256: %s, role: read }
                    - { name: ci, sha256: %s, role: build }
                    - { name: ops, sha256: %s, role: admin }
                  schedule: { outdated: 6h }
                """.formatted(REGISTRY_PASSWORD, ServerFixture.hex(ServerFixture.READ_TOKEN), ServerFixture.hex(ServerFixture.BUILD_TOKEN),
                ServerFixture.hex(ServerFixture.ADMIN_TOKEN)));
        KilnConfig loaded = KilnConfig.load(config);
        Path cacheDir = tmp.resolve("cache");
        Kiln kiln = loaded.applyTo(ServerFixture.kiln(cacheDir)).build();
        ServerSettings settings = ServerSettings.of(loaded.server(), cacheDir).listeningOn(0, null);
        server = KilnServer.builder(kiln, settings).config(loaded).start();
        String url = "http://127.0.0.1:" + server.port();
        admin = new Api(url, ServerFixture.ADMIN_TOKEN);
        browser = new Browser(url, tmp.resolve("chromium-profile"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    @Order(1)
    void withoutASessionPagesRedirectToTheLoginAndTheLoginSetsAStrictHttpOnlyCookie() throws Exception {
        HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(admin.base() + "/cache")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(302);
        assertThat(anonymous.headers().firstValue("Location")).hasValue("/login?next=%2Fcache");
        HttpResponse<String> bearer = HTTP.send(admin.request("/cache").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bearer.statusCode()).as("a page takes a bearer token too").isEqualTo(200);
        assertThat(bearer.body()).contains("<title>Cache · Kiln</title>");

        browser.open("/outdated");
        browser.await(d -> d.getCurrentUrl().contains("/login?next="));
        browser.driver.findElement(By.id("token")).sendKeys("not-a-token");
        browser.driver.findElement(By.cssSelector("form button[type=submit]")).click();
        assertThat(browser.element("[role=alert]").getText()).contains("not one of the service's");

        HttpResponse<String> forgedLogin = HTTP.send(HttpRequest.newBuilder(URI.create(admin.base() + "/login"))
                .header("Origin", "https://evil.example.com").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + ServerFixture.READ_TOKEN)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forgedLogin.statusCode()).as("a login posted from another site").isEqualTo(403);
        assertThat(forgedLogin.headers().allValues("Set-Cookie")).isEmpty();

        browser.logIn(ServerFixture.ADMIN_TOKEN);
        Cookie session = browser.driver.manage().getCookieNamed("kiln_session");
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
        assertThat(Duration.between(Instant.now(), session.getExpiry().toInstant())).isBetween(Duration.ofHours(11), Duration.ofHours(12));
        assertThat(browser.element("#who").getText()).isEqualTo("ops (admin)");
    }

    @Test
    @Order(2)
    void aFlinkBuildSubmittedThroughTheApiAppearsLiveAndItsLogArrivesBeforeItEnds() throws IOException {
        browser.logIn(ServerFixture.ADMIN_TOKEN);
        browser.open("/");
        browser.element("#builds tbody");
        // the base's registry answers its manifest 8 s late: the build is observably running meanwhile
        proxy.on("HEAD", "/v2/flink/flink/manifests/1\\.18", 1, FaultProxy.Fault.stall(Duration.ofSeconds(8)));
        proxy.on("GET", "/v2/flink/flink/manifests/1\\.18", 1, FaultProxy.Fault.stall(Duration.ofSeconds(8)));
        flinkBuild = new Api(admin.base(), ServerFixture.BUILD_TOKEN).submitOk(new Multipart()
                .request("{\"kind\":\"flink\",\"base\":\"" + base + "\",\"jobJar\":\"job.jar\",\"mainClass\":\"" + Jobs.WORD_COUNT
                        + "\",\"to\":\"" + proxy.hostPort() + "/jobs/orders:1\"}")
                .file("job.jar", Jobs.examplesJar()));

        WebElement row = browser.element("tr[data-build='" + flinkBuild + "']");
        assertThat(row.getAttribute("data-status")).as("the row appears while the build has not ended").isIn("queued", "running");
        assertThat(row.getText()).contains("flink").contains("ci");
        ZonedDateTime submitted = Instant.parse(admin.build(flinkBuild).get("submittedAt").asText()).atZone(Browser.VIEWER_ZONE);
        assertThat(row.findElement(By.cssSelector("time")).getText()).as("in the viewer's time zone")
                .contains(String.format("%02d:%02d:%02d", (submitted.getHour() + 11) % 12 + 1, submitted.getMinute(), submitted.getSecond()));
        browser.screenshot(SHOTS.resolve("builds-running-1280.png"), Browser.DESKTOP);
        row.findElement(By.cssSelector("a")).click();

        // one snapshot of the page: log lines on screen while its status still says running
        @SuppressWarnings("unchecked")
        Map<String, Object> live = browser.await(d -> {
            Object seen = browser.script("const lines = document.querySelectorAll('#log li');"
                    + "const status = document.querySelector('#build-status .status');"
                    + "return lines.length > 2 && status && status.textContent === 'running'"
                    + " ? {lines: lines.length, first: lines[0].innerText, last: lines[lines.length - 1].innerText} : null;");
            return (Map<String, Object>) seen;
        });
        assertThat(String.valueOf(live.get("first"))).as("each line with its elapsed time").matches("(?s)\\+0\\.\\d s\\s+status: queued.*");
        assertThat(browser.element("#cancel").isDisplayed()).as("cancel while it runs").isTrue();
        assertThat(browser.elements(".tl-bar.running")).as("the running step on the timeline").isNotEmpty();

        browser.await(d -> "succeeded".equals(browser.script("const s = document.querySelector('#build-status .status'); return s && s.textContent;")));
        String shown = browser.element("#result-image").getText();
        JsonNode build = admin.build(flinkBuild);
        flinkDigest = build.get("digest").asText();
        assertThat(shown).as("the result to copy: image@digest").isEqualTo(build.get("image").asText().contains("@")
                ? build.get("image").asText() : build.get("image").asText() + "@" + flinkDigest);
        assertThat(browser.element("#cancel").isDisplayed()).isFalse();
        assertThat(browser.elements(".tl-row")).as("a bar per step").hasSizeGreaterThan(1);
        assertThat(browser.elements(".tl-bar.running")).isEmpty();
        assertThat(browser.element("#layers").getText()).contains("job.jar").containsAnyOf("uploaded", "mounted", "already in the target");
        assertThat(browser.element("#deployment pre").getText()).contains("kind: FlinkDeployment").contains(flinkDigest);
        assertThat(browser.element("#download-deployment").getAttribute("download")).endsWith(".yaml");
        assertThat(browser.element("#log").getText()).contains("status: succeeded");
        browser.screenshot(SHOTS.resolve("build-1280.png"), Browser.DESKTOP);
        browser.screenshot(SHOTS.resolve("build-phone.png"), Browser.PHONE);

        browser.open("/");
        browser.await(d -> "succeeded".equals(browser.element("tr[data-build='" + flinkBuild + "']").getAttribute("data-status")));
        // a second job on the same base, for the outdated page's Rebase all
        Api ci = new Api(admin.base(), ServerFixture.BUILD_TOKEN);
        ci.awaitEnd(ci.submitOk(new Multipart()
                .request("{\"kind\":\"flink\",\"base\":\"" + base + "\",\"jobJar\":\"job.jar\",\"to\":\"" + proxy.hostPort() + "/jobs/payments:1\"}")
                .file("job.jar", Jobs.jar(tmp.resolve("payments/job.jar"), "payments"))));
        apiPathsUsed.addAll(List.of("/api/v1/builds?limit=200", "/api/v1/builds/" + flinkBuild, "/api/v1/builds/" + flinkBuild + "/events?times=true"));
    }

    @Test
    @Order(3)
    void theCachePageShowsTheBaseWithTheLevelThatServedIt() {
        browser.logIn(ServerFixture.ADMIN_TOKEN);
        browser.open("/cache");
        WebElement row = browser.element("#images tr[data-reference='" + base + "']");
        assertThat(row.getText()).contains("flink/flink").contains("1.18").contains("origin");
        assertThat(browser.element("#levels tr[data-level=registry]").getText()).as("one miss: the base came from its registry").contains("1");
        assertThat(browser.element("#levels tr[data-level=mirror]").getText()).contains("http://127.0.0.1:5999 for docker.io (tags and digests)");
        assertThat(browser.elements("#levels tbody tr")).extracting(r -> r.getAttribute("data-level"))
                .as("in the order a pull asks them").containsExactly("store", "mirror", "registry");
        assertThat(browser.element("#store-bytes").getText()).matches("[\\d.]+ (KB|MB|GB)");
        assertThat(browser.element(".gauge").getAttribute("aria-valuemax")).isEqualTo(String.valueOf(512_000_000L));
        browser.element("#chart canvas");
        WebElement size = browser.element("#images th:nth-child(6)");
        size.findElement(By.tagName("button")).click();
        assertThat(browser.element("#images th:nth-child(6)").getAttribute("aria-sort")).isEqualTo("ascending");
        browser.element("#images th:nth-child(6) button").click();
        assertThat(browser.element("#images th:nth-child(6)").getAttribute("aria-sort")).isEqualTo("descending");
        browser.element("#prune-preview-button").click();
        assertThat(browser.element("#prune-preview p").getText()).startsWith("Prune would remove 0 images");
        browser.screenshot(SHOTS.resolve("cache-1280.png"), Browser.DESKTOP);
        browser.screenshot(SHOTS.resolve("cache-phone.png"), Browser.PHONE);
        apiPathsUsed.addAll(List.of("/api/v1/cache", "/api/v1/stats"));
    }

    @Test
    @Order(4)
    void aBaseThatMovedIsRebasedFromTheOutdatedPageAndTheNewDigestIsOnTheBuildList() {
        FlinkBase.push(registry, "flink/flink:1.18");
        browser.logIn(ServerFixture.ADMIN_TOKEN);
        browser.open("/outdated");
        String image = proxy.hostPort() + "/jobs/orders:1";
        WebElement row = browser.element("#outdated tr[data-image='" + image + "'][data-status=moved]");
        browser.screenshot(SHOTS.resolve("outdated-1280.png"), Browser.DESKTOP);
        browser.screenshot(SHOTS.resolve("outdated-phone.png"), Browser.PHONE);
        browser.element("#outdated tr[data-image='" + image + "'] button.rebase").sendKeys(Keys.ENTER); // from the keyboard
        String rebaseBuild = browser.element("#outdated a.rebase-build").getAttribute("href").replaceAll(".*/builds/", "");

        browser.open("/");
        browser.await(d -> "succeeded".equals(browser.element("tr[data-build='" + rebaseBuild + "']").getAttribute("data-status")));
        JsonNode rebased = admin.build(rebaseBuild);
        assertThat(rebased.get("kind").asText()).isEqualTo("rebase");
        String newDigest = rebased.get("digest").asText();
        assertThat(newDigest).isNotEqualTo(flinkDigest);
        WebElement rebaseRow = browser.element("tr[data-build='" + rebaseBuild + "']");
        assertThat(rebaseRow.findElement(By.cssSelector(".digest code")).getAttribute("title")).isEqualTo(newDigest);
        assertThat(rebaseRow.findElement(By.cssSelector(".digest code")).getText()).isEqualTo(newDigest.substring(7, 19) + "…");
        assertThat(rebaseRow.findElement(By.cssSelector(".digest button.copy")).getAttribute("aria-label")).endsWith(newDigest);
        browser.at(Browser.PHONE, () -> assertThat(browser.script("return getComputedStyle(arguments[0]).display", rebaseRow))
                .as("a card per row at phone width").isEqualTo("block"));
        assertThat(rebaseRow.getText()).contains("rebase").contains("ops");
        browser.screenshot(SHOTS.resolve("builds-1280.png"), Browser.DESKTOP);
        browser.screenshot(SHOTS.resolve("builds-phone.png"), Browser.PHONE);

        browser.element("#text-filter").sendKeys("payments");
        browser.await(d -> browser.elements("#builds tbody tr[data-build]").size() == 1);
        assertThat(browser.element("#builds tbody tr[data-build]").getText()).contains("/jobs/payments:1");
        browser.element("#text-filter").clear();
        new Select(browser.element("#status-filter")).selectByValue("failed");
        browser.await(d -> browser.elements("#builds tbody tr[data-build]").isEmpty());
        assertThat(browser.element("#builds tbody").getText()).isEqualTo("No build matches the filter.");

        browser.open("/outdated");
        browser.element("#outdated tr[data-image='" + image + "'][data-status=current]");
        assertThat(browser.element("#rebases").getText()).contains(newDigest.substring(7, 19));
        apiPathsUsed.addAll(List.of("/api/v1/outdated", "/api/v1/schedules", "/api/v1/builds/" + rebaseBuild));
    }

    @Test
    @Order(5)
    void aReadLoginSeesNoStateChangingButtonAndAForgedPostIsRefused() {
        browser.logIn(ServerFixture.ADMIN_TOKEN);
        assertThat(browser.fetch("POST", "/api/v1/cache/prune", "{\"dryRun\":true}", null))
                .as("the admin's own cookie without the CSRF token").startsWith("403 ").contains("CSRF");
        String csrf = (String) ((org.openqa.selenium.JavascriptExecutor) browser.driver).executeAsyncScript(
                "const done = arguments[0]; fetch('/api/v1/session').then(r => r.json()).then(s => done(s.csrf));");
        assertThat(browser.fetch("POST", "/api/v1/cache/prune", "{\"dryRun\":true}", csrf)).startsWith("200 ");

        FlinkBase.push(registry, "flink/flink:1.18");
        browser.logIn(ServerFixture.READ_TOKEN);
        assertThat(browser.element("#who").getText()).isEqualTo("reader (read)");
        browser.open("/outdated");
        browser.element("#outdated tr[data-status=moved]");
        assertThat(browser.elements("button.rebase")).isEmpty();
        assertThat(browser.elements("#rebase-all")).isEmpty();
        browser.open("/cache");
        browser.element("#images tbody tr");
        assertThat(browser.elements("#refresh, #prune-preview-button")).isEmpty();
        browser.open("/settings");
        browser.element("#schedules tbody tr");
        assertThat(browser.elements(".run-now")).isEmpty();
        browser.open("/builds/" + flinkBuild);
        browser.element("#log li");
        assertThat(browser.element("#cancel").isDisplayed()).isFalse();

        String readCsrf = (String) ((org.openqa.selenium.JavascriptExecutor) browser.driver).executeAsyncScript(
                "const done = arguments[0]; fetch('/api/v1/session').then(r => r.json()).then(s => done(s.csrf));");
        String image = proxy.hostPort() + "/jobs/orders:1";
        assertThat(browser.fetch("POST", "/api/v1/rebase", "{\"image\":\"" + image + "\"}", readCsrf)).startsWith("403 ").contains("needs admin");
        assertThat(browser.fetch("POST", "/api/v1/rebase", "{\"image\":\"" + image + "\"}", null)).startsWith("403 ");
        assertThat(admin.get("/api/v1/builds").json().get("builds")).noneMatch(b -> b.get("submitter").asText().equals("reader"));

        browser.logIn(ServerFixture.ADMIN_TOKEN);
        browser.open("/outdated");
        browser.await(d -> browser.elements("#outdated tr[data-status=moved]").size() == 2);
        browser.element("#rebase-all").click();
        browser.await(d -> browser.elements("#outdated a.rebase-build").size() == 2);
        for (WebElement link : browser.elements("#outdated a.rebase-build")) {
            String id = link.getAttribute("href").replaceAll(".*/builds/", "");
            admin.awaitEnd(id);
            assertThat(admin.build(id).get("status").asText()).isEqualTo("succeeded");
        }
    }

    @Test
    @Order(7)
    void aRunningBuildIsCancelledFromItsPage() throws IOException {
        try (Hang hang = new Hang()) {
            String id = new Api(admin.base(), ServerFixture.BUILD_TOKEN).submitOk(new Multipart()
                    .request("{\"kind\":\"flink\",\"base\":\"" + hang.ref("flink:1.18") + "\",\"jobJar\":\"job.jar\",\"to\":\""
                            + proxy.hostPort() + "/jobs/hung:1\"}")
                    .file("job.jar", Jobs.jar(tmp.resolve("hung/job.jar"), "hung")));
            browser.logIn(ServerFixture.BUILD_TOKEN);
            browser.open("/builds/" + id);
            browser.await(d -> browser.element("#cancel").isDisplayed());
            browser.element("#cancel").click();
            browser.await(d -> "cancelled".equals(browser.script("const s = document.querySelector('#build-status .status'); return s && s.textContent;")));
            assertThat(admin.awaitEnd(id)).last().satisfies(e -> assertThat(e.data().get("status").asText()).isEqualTo("cancelled"));
            assertThat(browser.element("#cancel").isDisplayed()).isFalse();
        }
    }

    @Test
    @Order(6)
    void noPageNorAnyResponseThePagesUseHoldsATokenOrARegistryPassword() throws Exception {
        browser.logIn(ServerFixture.ADMIN_TOKEN);
        browser.script("console.error('console probe')");
        assertThat(browser.consoleErrors()).as("the console is read").anyMatch(m -> m.contains("console probe"));
        List<String> seen = new ArrayList<>();
        for (String page : List.of("/", "/builds/" + flinkBuild, "/cache", "/outdated", "/settings")) {
            browser.open(page);
            browser.element("#content > *");
            Thread.sleep(500); // let the page's fetches land before reading what it shows
            seen.add(browser.driver.getPageSource());
            assertThat(browser.consoleErrors()).as("the console of " + page).isEmpty();
            assertThat(browser.script("return [...document.querySelectorAll('a, button, input, select, textarea')]"
                    + ".filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.textContent.trim())"
                    + ".map(c => c.outerHTML)")).as("every control on " + page + " has a name").asList().isEmpty();
            if (page.equals("/settings")) {
                assertThat(browser.element("#config").getText()).contains("<redacted>").contains("robot");
                assertThat(browser.element("#sources").getText()).contains(tmp.resolve("config.yaml").toString());
                assertThat(browser.element("#schedules").getText()).contains("refresh").contains("outdated").contains("prune");
                assertThat(browser.element("#schedules tr:nth-child(2)").getText()).contains("outdated").contains("6h");
                assertThat(browser.elements("#schedules .run-now")).as("admin: run the configured schedule now").hasSize(1);
                assertThat(browser.element("#config").getText()).doesNotContain(ServerFixture.hex(ServerFixture.ADMIN_TOKEN));
                browser.screenshot(SHOTS.resolve("settings-1280.png"), Browser.DESKTOP);
            }
        }
        List<String> paths = new ArrayList<>(apiPathsUsed);
        paths.addAll(List.of("/api/v1/session", "/api/v1/config", "/login", "/", "/cache", "/outdated", "/settings",
                "/assets/app.js", "/assets/build.js", "/assets/cache.js", "/assets/outdated.js", "/assets/settings.js"));
        for (String path : paths) {
            HttpResponse<String> response = HTTP.send(admin.request(path).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            seen.add(response.body());
        }
        assertThat(seen).hasSizeGreaterThan(20).allSatisfy(text -> assertThat(text)
                .doesNotContain(ServerFixture.READ_TOKEN, ServerFixture.BUILD_TOKEN, ServerFixture.ADMIN_TOKEN, REGISTRY_PASSWORD));
    }
}
