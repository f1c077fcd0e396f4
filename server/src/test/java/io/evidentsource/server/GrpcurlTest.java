package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The wire contract seen by a non-Java client: grpcurl (Go) lists the service by reflection and
 * calls CreateDatabase, Transact and QueryEvents with the proto JSON mapping. Needs {@code
 * grpcurl}: {@code go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3} (.ci/run does
 * this); the test fails, never skips, when it is missing.
 */
@ServerTest
class GrpcurlTest {
  static final String INSTALL =
      "grpcurl is required: go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3"
          + " (it lands in $(go env GOPATH)/bin; .ci/run installs it)";

  @Autowired GrpcPort grpcPort;

  static Path grpcurl() throws Exception {
    var candidates = new ArrayList<Path>();
    String gopath = System.getenv("GOPATH");
    if (gopath == null || gopath.isBlank()) {
      try {
        var p = new ProcessBuilder("go", "env", "GOPATH").redirectErrorStream(true).start();
        gopath = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (IOException e) {
        gopath = System.getProperty("user.home") + "/go";
      }
    }
    for (String dir : gopath.split(File.pathSeparator, -1)) {
      candidates.add(Path.of(dir, "bin", "grpcurl"));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator, -1)) {
      candidates.add(Path.of(dir, "grpcurl"));
    }
    for (var c : candidates) {
      if (Files.isExecutable(c)) {
        return c;
      }
    }
    throw new AssertionError(INSTALL + "; looked in " + candidates);
  }

  String run(String... args) throws Exception {
    var command = new ArrayList<String>(List.of(grpcurl().toString(), "-plaintext"));
    command.addAll(List.of(args));
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("grpcurl finished").isTrue();
    assertThat(process.exitValue()).as("grpcurl %s:%n%s", command, out).isZero();
    return out;
  }

  String address() {
    return "127.0.0.1:" + grpcPort.port();
  }

  @Test
  void grpcurl_lists_the_service_by_reflection_and_calls_transact_and_query_events()
      throws Exception {
    assertThat(run(address(), "list"))
        .contains("evidentsource.v1.EvidentSource", "grpc.health.v1.Health");
    assertThat(run(address(), "describe", "evidentsource.v1.EvidentSource"))
        .contains(
            "rpc Transact",
            "rpc QueryEvents",
            "rpc SubscribeEvents",
            "rpc DescribeStateView",
            "rpc DescribeStateChange");

    String db = "curl-" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(
            run(
                "-d",
                "{\"name\":\"" + db + "\"}",
                address(),
                "evidentsource.v1.EvidentSource/CreateDatabase"))
        .contains("\"name\": \"" + db + "\"");

    String transact =
        "{\"database\":\""
            + db
            + "\",\"events\":["
            + "{\"id\":\"1\",\"source\":\"https://example.com/go\",\"specVersion\":\"1.0\",\"type\":\"Placed\","
            + "\"attributes\":{\"subject\":{\"ceString\":\"order-1\"},\"datacontenttype\":{\"ceString\":\"application/json\"}},"
            + "\"textData\":\"{\\\"total\\\": 5}\"},"
            + "{\"id\":\"2\",\"source\":\"https://example.com/go\",\"specVersion\":\"1.0\",\"type\":\"Shipped\","
            + "\"attributes\":{\"subject\":{\"ceString\":\"order-1\"}},\"binaryData\":\"AAEC\"}]}";
    String result = run("-d", transact, address(), "evidentsource.v1.EvidentSource/Transact");
    assertThat(result)
        .contains("\"first_revision\": \"1\"", "\"revision\": \"2\"", "\"event_count\": 2");

    String query =
        "{\"database\":\""
            + db
            + "\",\"selectorText\":\"type = 'Placed' OR type = 'Shipped'\",\"limit\":10}";
    String events = run("-d", query, address(), "evidentsource.v1.EvidentSource/QueryEvents");
    assertThat(events)
        .contains(
            "\"revision\": \"1\"",
            "\"revision\": \"2\"",
            "\"text_data\": \"{\\\"total\\\":5}\"",
            "\"binary_data\": \"AAEC\"",
            "\"end\"");

    // an error carries the stable code in google.rpc.ErrorInfo
    var command =
        new ArrayList<String>(
            List.of(
                grpcurl().toString(),
                "-plaintext",
                "-d",
                "{\"database\":\"no-such-db\"}",
                address(),
                "evidentsource.v1.EvidentSource/QueryEvents"));
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor(60, TimeUnit.SECONDS);
    assertThat(process.exitValue()).isNotZero();
    assertThat(out).contains("Code: NotFound", "type.googleapis.com/google.rpc.ErrorInfo");
    // grpcurl prints the detail's bytes (error_details.proto is not part of our descriptor set)
    var value = java.util.regex.Pattern.compile("\"@value\": \"([A-Za-z0-9+/=]+)\"").matcher(out);
    assertThat(value.find()).as(out).isTrue();
    var info =
        com.google.rpc.ErrorInfo.parseFrom(java.util.Base64.getDecoder().decode(value.group(1)));
    assertThat(info.getReason()).isEqualTo("database_not_found");
    assertThat(info.getMetadataMap()).containsEntry("database", "no-such-db");
  }
}
