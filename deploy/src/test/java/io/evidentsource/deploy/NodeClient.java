package io.evidentsource.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The non-JVM client check: {@code clients/node}'s scenario (create a database, transact, decode a
 * FailedConditions detail, query, subscribe) run with Node.js against a gRPC address.
 */
final class NodeClient {
  private NodeClient() {}

  /** Runs the scenario against {@code host:port}; fails with Node's output when it fails. */
  static void runScenario(String grpcAddress, String apiKey) {
    Path dir = Repo.path("clients/node");
    if (!Files.isDirectory(dir.resolve("node_modules/@grpc/grpc-js"))) {
      throw new IllegalStateException(
          "clients/node has no dependencies installed: run `npm ci` in clients/node"
              + " (.ci/run does it)");
    }
    Path node =
        Tools.locate("node", "install Node.js 18 or newer (Debian: apt-get install nodejs)");
    Tools.Result result =
        Tools.run(
            dir,
            Map.of("EVIDENTSOURCE_GRPC_ADDRESS", grpcAddress, "EVIDENTSOURCE_API_KEY", apiKey),
            Duration.ofMinutes(2),
            node,
            "--test",
            "test/");
    assertThat(result.exitCode())
        .as("node --test in clients/node against %s:%n%s", grpcAddress, result.output())
        .isZero();
  }
}
