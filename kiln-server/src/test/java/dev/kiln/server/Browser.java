package dev.kiln.server;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.StaleElementReferenceException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

/**
 * Debian's chromium, headless, driven by its chromedriver through Selenium: a real browser for the
 * dashboard's tests, with a fresh profile and nothing that reaches the network by itself.
 */
final class Browser implements AutoCloseable {
    static final Dimension DESKTOP = new Dimension(1280, 900);
    static final Dimension PHONE = new Dimension(390, 844);
    static final ZoneId VIEWER_ZONE = ZoneId.of("Asia/Kolkata");
    private static final Duration WAIT = Duration.ofSeconds(60);

    final ChromeDriver driver;
    private final String base;

    Browser(String base, Path profile) {
        System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900", "--force-device-scale-factor=1");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        this.driver = new ChromeDriver(options);
        // a zone far from UTC: the pages must show times in the viewer's zone
        driver.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", VIEWER_ZONE.getId()));
        this.base = base;
    }

    void open(String path) {
        driver.get(base + path);
    }

    /** Logs in through the login form with {@code token}, starting from a browser without a session. */
    void logIn(String token) {
        driver.manage().deleteAllCookies();
        open("/login");
        driver.findElement(By.id("token")).sendKeys(token);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        await(d -> !d.getCurrentUrl().contains("/login"));
        await(d -> !d.findElement(By.id("who")).getText().isEmpty());
    }

    /** What the page's console said at level SEVERE since the last call: script errors, refused resources, CSP violations. */
    List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().filter(e -> e.getLevel() == Level.SEVERE)
                .map(LogEntry::getMessage).toList();
    }

    <T> T await(ExpectedCondition<T> condition) {
        try {
            // a live page renders its rows again when the service says something changed: an element read a moment
            // ago may be gone, so the condition is asked again on the new ones
            return new WebDriverWait(driver, WAIT, Duration.ofMillis(100)).ignoring(StaleElementReferenceException.class).until(condition);
        } catch (TimeoutException e) {
            screenshot(Path.of("target/dashboard/failed-" + System.currentTimeMillis() + ".png"), DESKTOP);
            throw e;
        }
    }

    WebElement element(String css) {
        return await(d -> d.findElements(By.cssSelector(css)).stream().findFirst().orElse(null));
    }

    List<WebElement> elements(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** What a fetch from the page answers: its status and body (the page's own cookie goes with it, nothing else). */
    String fetch(String method, String path, String body, String csrf) {
        return (String) ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "const headers = {'Content-Type': 'application/json'}; if (arguments[3]) headers['X-CSRF-Token'] = arguments[3];"
                + "fetch(arguments[1], {method: arguments[0], credentials: 'same-origin', headers: headers, body: arguments[2]})"
                + ".then(r => r.text().then(t => done(r.status + ' ' + t))).catch(e => done('error ' + e));", method, path, body, csrf);
    }

    /** A screenshot of the whole page at {@code size}'s width: the viewport is made as tall as the page (up to 3000 px). */
    void screenshot(Path file, Dimension size) {
        metrics(size.width, size.height);
        long height = ((Number) script("return Math.ceil(document.documentElement.scrollHeight)")).longValue();
        metrics(size.width, (int) Math.min(Math.max(height, size.height), 3000));
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    /** Runs {@code check} with the viewport at {@code size} (a phone's width: the page's narrow layout). */
    void at(Dimension size, Runnable check) {
        metrics(size.width, size.height);
        try {
            check.run();
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    private void metrics(int width, int height) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1,
                "mobile", width < DESKTOP.width));
        script("return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))");
    }

    @Override
    public void close() {
        driver.quit();
    }
}
