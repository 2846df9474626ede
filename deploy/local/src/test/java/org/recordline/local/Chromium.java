package org.recordline.local;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium and its chromedriver, the only browser this kind of machine can have (no test tool may download
 * one). When they are missing, {@link #ensureInstalled()} installs the Debian packages {@code chromium} and
 * {@code chromium-driver} (as root, or with password-less sudo), so that the README's test command works on a fresh
 * machine; where it cannot, it fails saying what to install.
 */
final class Chromium {

    static final Path BROWSER = Path.of(System.getProperty("recordline.chromium", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("recordline.chromedriver", "/usr/bin/chromedriver"));

    private Chromium() {
    }

    static synchronized void ensureInstalled() {
        if (Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER)) {
            return;
        }
        List<String> prefix = new ArrayList<>();
        if (!isRoot()) {
            if (run(List.of("sudo", "-n", "true"), Duration.ofSeconds(10)) != 0) {
                throw new IllegalStateException("the console's browser tests need Debian's Chromium: install the "
                        + "packages chromium and chromium-driver (apt-get install chromium chromium-driver)");
            }
            prefix.add("sudo");
            prefix.add("-n");
        }
        List<String> install = new ArrayList<>(prefix);
        install.addAll(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q",
                "--no-install-recommends", "chromium", "chromium-driver"));
        if (run(install, Duration.ofMinutes(10)) != 0) {
            List<String> update = new ArrayList<>(prefix);
            update.addAll(List.of("apt-get", "update", "-q"));
            run(update, Duration.ofMinutes(5));
            if (run(install, Duration.ofMinutes(10)) != 0) {
                throw new IllegalStateException("apt-get could not install chromium and chromium-driver");
            }
        }
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            throw new IllegalStateException("installed, yet " + BROWSER + " or " + DRIVER + " is missing");
        }
    }

    /** A headless Chromium with a new, empty profile and none of its background connections. */
    static ChromeDriver start(Path profile) {
        ensureInstalled();
        ChromeOptions o = new ChromeOptions();
        o.setBinary(BROWSER.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--window-size=1280,1000",
                "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER.toString())).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, o);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        return driver;
    }

    private static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer i && i == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static int run(List<String> command, Duration timeout) {
        try {
            Process p = new ProcessBuilder(command).inheritIO().start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
