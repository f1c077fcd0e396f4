package io.evidentsource.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What a non-JVM gRPC client needs to compile {@code evidentsource.proto}: every file it imports,
 * shipped in {@code api/proto-deps}, identical to the copies the server is built with (so a client
 * decodes exactly what the server encodes). {@code clients/node} compiles them at run time; see
 * {@link ImageEntrypointTest} and {@link LocalClusterTest}.
 */
class ClientProtosTest {
  static final List<Path> INCLUDE =
      List.of(Repo.path("api/src/main/proto"), Repo.path("api/proto-deps"));
  static final Pattern IMPORT = Pattern.compile("^import\\s+\"([^\"]+)\";", Pattern.MULTILINE);

  @Test
  void every_import_of_the_api_resolves_in_the_shipped_files() throws IOException {
    var seen = new TreeSet<String>();
    var bundled = new TreeSet<String>();
    var queue = new ArrayDeque<String>(List.of("evidentsource/v1/evidentsource.proto"));
    while (!queue.isEmpty()) {
      String file = queue.poll();
      if (!seen.add(file)) {
        continue;
      }
      if (file.startsWith("google/protobuf/")) {
        bundled.add(file); // the well-known types: shipped with protoc and every runtime
        continue;
      }
      Path path =
          INCLUDE.stream()
              .map(d -> d.resolve(file))
              .filter(Files::isRegularFile)
              .findFirst()
              .orElseThrow(() -> new AssertionError(file + " is imported but not shipped"));
      IMPORT.matcher(Files.readString(path)).results().forEach(m -> queue.add(m.group(1)));
    }
    assertThat(seen).contains("spec.proto");
    assertThat(bundled).isNotEmpty();
  }

  @Test
  void the_shipped_copies_are_the_ones_the_server_is_built_with() throws IOException {
    for (String file :
        Set.of("spec.proto", "google/rpc/status.proto", "google/rpc/error_details.proto")) {
      try (InputStream jar = getClass().getClassLoader().getResourceAsStream(file)) {
        assertThat(jar).as(file + " on the server's class path").isNotNull();
        assertThat(Files.readAllBytes(Repo.path("api/proto-deps").resolve(file)))
            .as(file)
            .isEqualTo(jar.readAllBytes());
      }
    }
  }
}
