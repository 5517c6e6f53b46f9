package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kafka.FreePorts;
import dev.tollgate.launcher.demo.Demo;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import picocli.CommandLine;

/**
 * The console in a real browser (Debian's chromium driven headless through chromedriver) against an in-process
 * {@code tollgate dev}: a person signs in with the approver key {@code tollgate dev} prints, sees the demo's bulk
 * ticket update held, approves it, and watches the run's timeline show {@code ApprovalGranted} and the call's
 * completion in an open run page that is never reloaded; then signs out. Saves a screenshot of each page under
 * {@code target/console-screenshots/}. Skipped, saying why, where chromium or chromedriver is not installed.
 */
class ConsoleBrowserIT {

    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dataDir;

    private static CompletableFuture<Integer> exit;
    private static DevCommand dev;
    private static StringWriter out;
    private static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        Optional<Path> chromium = executable("chromium", "chromium-browser", "google-chrome");
        Optional<Path> driver = executable("chromedriver");
        Assumptions.assumeTrue(chromium.isPresent() && driver.isPresent(), "ConsoleBrowserIT skipped: needs "
                + "chromium and chromedriver on the PATH (Debian: apt-get install -y chromium chromium-driver)");
        Files.createDirectories(SCREENSHOTS);

        out = new StringWriter();
        CommandLine commandLine = Tollgate.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        dev = commandLine.getSubcommands().get("dev").getCommand();
        String intakePort = Integer.toString(FreePorts.next());
        String queryPort = Integer.toString(FreePorts.next());
        exit = CompletableFuture.supplyAsync(() -> commandLine.execute("dev", "--data-dir", dataDir.toString(),
                "--kafka-port", "0", "--registry-port", "0", "--intake-port", intakePort, "--query-port", queryPort));
        Awaitility.await().atMost(Duration.ofSeconds(120)).failFast(exit::isDone)
                .until(() -> out.toString().contains("Tollgate dev stack ready"));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--user-data-dir=" + Files.createTempDirectory("console-chromium"),
                "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.get().toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (dev != null) {
            dev.stop();
            exit.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSupportLeadApprovesAHeldCallAndWatchesTheRunCompleteWithoutReloading() throws Exception {
        String banner = out.toString();
        String console = find(banner, "Console +(http://\\S+/console)");
        String approverKey = find(banner, "Approver key +(tg_\\S+)");
        String adminKey = find(banner, "Admin key +(tg_\\S+)");
        String intake = console.substring(0, console.length() - "/console".length());
        String query = find(banner, "Query API +(http://\\S+)");
        Demo.HeldCall held = Demo.leaveHeldCall(intake, query, adminKey,
                find(banner, "Kafka bootstrap servers: (\\S+)"), find(banner, "Schema registry +(\\S+)"));

        // Sign in with the key tollgate dev printed.
        browser.get(console);
        awaitVisible(By.id("apiKey"));
        screenshot("01-sign-in");
        browser.findElement(By.id("apiKey")).sendKeys(approverKey);
        browser.findElement(By.id("sign-in")).click();

        // The inbox shows the held bulk ticket update, with its rule and redacted arguments.
        WebElement card = awaitVisible(By.id("held-" + held.runId() + "-" + held.callId()));
        assertThat(card.getText()).contains("tickets.update").contains("bulk-ticket-update-needs-approval")
                .contains(held.runId()).contains("ticket_ids");
        screenshot("02-approvals");
        String inbox = browser.getWindowHandle();

        // A run page, opened in another tab, follows the run live.
        browser.switchTo().newWindow(WindowType.TAB);
        browser.get(console + "/runs/" + held.runId());
        awaitVisible(By.cssSelector("#timeline tr[data-type='ToolCallHeld']"));
        ((JavascriptExecutor) browser).executeScript("window.tollgateNotReloaded = true;");
        screenshot("03-run-held");
        String runTab = browser.getWindowHandle();

        // Approve with a reason in the inbox.
        browser.switchTo().window(inbox);
        card = browser.findElement(By.id("held-" + held.runId() + "-" + held.callId()));
        card.findElement(By.tagName("textarea")).sendKeys("bulk re-prioritisation agreed");
        card.findElement(By.cssSelector("button.approve")).click();
        awaitVisible(By.cssSelector("p.notice"));
        assertThat(browser.findElement(By.cssSelector("p.notice")).getText()).contains("Approved");
        Awaitility.await().atMost(WAIT).ignoreExceptions()
                .until(() -> browser.findElements(By.id("held-" + held.runId() + "-" + held.callId()))
                        .isEmpty());
        screenshot("04-approvals-after");

        // The run page shows the approval and the completion, without a reload.
        browser.switchTo().window(runTab);
        Awaitility.await().atMost(WAIT).ignoreExceptions().until(() -> !browser.findElements(
                By.cssSelector("#timeline tr[data-type='ApprovalGranted']")).isEmpty()
                && !browser.findElements(By.cssSelector("#timeline tr[data-type='ToolCallCompleted']")).isEmpty());
        assertThat(((JavascriptExecutor) browser).executeScript("return window.tollgateNotReloaded === true;"))
                .as("the run page was updated in place, not reloaded").isEqualTo(true);
        String timeline = browser.findElement(By.id("timeline")).getText();
        assertThat(timeline).contains("ApprovalGranted").contains("bulk re-prioritisation agreed")
                .contains("ToolCallCompleted").contains("SUCCEEDED");
        Awaitility.await().atMost(WAIT).ignoreExceptions().until(() ->
                browser.findElement(By.id("verification")).getText().contains("valid"));
        screenshot("05-run-completed");

        // The runs list, the admin pages, and the inbox on a phone.
        browser.get(console + "/runs?workflow=support-triage");
        awaitVisible(By.linkText(held.runId()));
        screenshot("06-runs");
        browser.get(console + "/admin/identities");
        awaitVisible(By.cssSelector("table"));
        screenshot("07-identities");
        browser.get(console + "/admin/kill-switches");
        awaitVisible(By.tagName("h1"));
        screenshot("08-kill-switches");
        browser.get(console + "/admin/policies");
        browser.findElement(By.partialLinkText("2026.")).click();
        awaitVisible(By.cssSelector("pre.yaml"));
        screenshot("09-policy");
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.get(console + "/runs/" + held.runId());
        awaitVisible(By.id("timeline"));
        screenshot("10-run-phone");
        browser.manage().window().setSize(new Dimension(1280, 1000));

        // Sign out: the session is gone, pages ask to sign in again.
        browser.get(console + "/approvals");
        browser.findElement(By.id("sign-out")).click();
        awaitVisible(By.id("apiKey"));
        assertThat(browser.getPageSource()).contains("You are signed out");
        browser.get(console + "/approvals");
        awaitVisible(By.id("apiKey"));
        assertThat(browser.getCurrentUrl()).contains("/console/sign-in");
    }

    private static WebElement awaitVisible(By locator) {
        return Awaitility.await().atMost(WAIT).ignoreExceptions()
                .until(() -> browser.findElement(locator), WebElement::isDisplayed);
    }

    private static void screenshot(String name) throws IOException {
        File file = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(file.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static Optional<Path> executable(String... names) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String name : names) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    private static String find(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("output has " + regex + ":\n" + text).isTrue();
        return matcher.group(1);
    }
}
