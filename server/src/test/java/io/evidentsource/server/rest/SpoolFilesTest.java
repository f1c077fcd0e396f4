package io.evidentsource.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spool files a killed server left behind are deleted at start; running servers' are kept. */
class SpoolFilesTest {
  @TempDir Path dir;

  @Test
  void deletes_the_spools_of_processes_that_no_longer_run_and_keeps_the_others() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    assertThat(gone.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long self = ProcessHandle.current().pid();
    long parent = ProcessHandle.current().parent().orElseThrow().pid();

    Path killed = Files.createFile(dir.resolve("evidentsource-bulk-" + gone.pid() + "-1.spool"));
    Path mine = Files.createFile(dir.resolve("evidentsource-bulk-" + self + "-2.spool"));
    Path running = Files.createFile(dir.resolve("evidentsource-bulk-" + parent + "-3.spool"));
    Path oldFormatOld = Files.createFile(dir.resolve("evidentsource-bulk-123abc.spool"));
    Files.setLastModifiedTime(
        oldFormatOld, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    Path oldFormatNew = Files.createFile(dir.resolve("evidentsource-bulk-456def.spool"));
    Path unrelated = Files.createFile(dir.resolve("something-else.spool"));

    assertThat(SpoolFiles.deleteStale(dir)).isEqualTo(2);

    assertThat(killed).doesNotExist();
    assertThat(oldFormatOld).doesNotExist();
    assertThat(mine).exists();
    assertThat(running).exists();
    assertThat(oldFormatNew).exists();
    assertThat(unrelated).exists();
  }

  @Test
  void a_new_spool_file_carries_this_process_id() throws Exception {
    Path spool = SpoolFiles.create();
    try {
      assertThat(spool.getFileName().toString())
          .startsWith("evidentsource-bulk-" + ProcessHandle.current().pid() + "-")
          .endsWith(".spool");
    } finally {
      Files.deleteIfExists(spool);
    }
  }
}
