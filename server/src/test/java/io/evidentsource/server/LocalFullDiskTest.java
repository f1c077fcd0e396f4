package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A full disk over HTTP on the default {@code local} profile
 * (docs/local-storage.md#restarts-crashes-and-damaged-files): the data directory on a 64 MB tmpfs,
 * 36 MB of it taken by a filler file. Appends of 30 KB events until one is refused: it gets 507
 * {@code storage_full} naming the data directory, reads keep answering, and once the filler is
 * deleted the next append succeeds without a restart. Needs to mount a tmpfs (root on Linux, as on
 * the project's CI machine); skipped, saying so, elsewhere.
 */
class LocalFullDiskTest {
  private static final String DATA = "x".repeat(30_000);
  private final Path mount = tempDir();
  private ConfigurableApplicationContext server;

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("evidentsource-http-full-disk");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @BeforeEach
  void mountSmallDisk() throws Exception {
    int exit = run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mount.toString());
    Assumptions.assumeTrue(exit == 0, "mounting a tmpfs needs root on Linux");
  }

  @AfterEach
  void unmount() throws Exception {
    if (server != null) {
      server.close();
    }
    run("umount", "-l", mount.toString());
  }

  @Test
  void a_full_disk_answers_507_storage_full_keeps_reads_and_appends_resume_once_space_is_back()
      throws IOException {
    Path filler = mount.resolve("filler");
    Files.write(filler, new byte[36 << 20]);
    Path dataDir = mount.resolve("data");
    server =
        new SpringApplicationBuilder(EvidentSourceServer.class)
            .run(
                "--server.port=0",
                "--spring.grpc.server.port=0",
                "--spring.main.banner-mode=off",
                "--evidentsource.local.data-dir=" + dataDir,
                "--evidentsource.local.backup-dir=" + mount.resolve("backups"));
    var api = new Api(((WebServerApplicationContext) server).getWebServer().getPort());
    assertThat(api.postJson("/api/v1/databases", "{\"name\":\"full\"}").status()).isEqualTo(201);

    Api.Response refused = null;
    int committed = 0;
    for (int i = 0; i < 5_000 && refused == null; i++) {
      var r = append(api, "e-" + i);
      if (r.status() == 201) {
        committed++;
      } else {
        refused = r;
      }
    }
    assertThat(refused).as("the 64 MB disk filled up").isNotNull();
    JsonNode p = refused.problem(507, "storage_full");
    assertThat(p.get("data_dir").stringValue()).isEqualTo(dataDir.toAbsolutePath().toString());
    assertThat(p.get("title").stringValue()).startsWith("The storage is full").contains("disk");
    assertThat(p.get("detail").stringValue())
        .contains(dataDir.toAbsolutePath().toString())
        .contains("disk of the data directory")
        .contains("full");
    assertThat(committed).isGreaterThan(100);
    // reads keep working, and the refusal stays while the disk is full
    assertThat(api.revision("full")).isEqualTo(committed);
    assertThat(api.get("/api/v1/databases/full/events/" + committed).status()).isEqualTo(200);
    append(api, "again").problem(507, "storage_full");

    Files.delete(filler); // space returns: no restart
    var resumed = append(api, "after");
    assertThat(resumed.status()).as(resumed.text()).isEqualTo(201);
    assertThat(resumed.json().get("revision").longValue()).isEqualTo(committed + 1L);
    assertThat(api.revision("full")).isEqualTo(committed + 1L);
  }

  private static Api.Response append(Api api, String id) {
    return api.postJson(
        "/api/v1/databases/full/transactions",
        "{\"events\":["
            + Api.event(
                id,
                "https://example.com/full",
                "com.example.filled",
                "s",
                "\"data\":\"" + DATA + "\"")
            + "]}");
  }

  private static int run(String... command) throws IOException, InterruptedException {
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }
}
