package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.client.EvidentSourceClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

/**
 * The operations artifacts of {@code ops/} (docs/operations.md#alerts): the alert rules pass {@code
 * promtool check rules} and their unit tests pass {@code promtool test rules}, and every metric the
 * rules and the Grafana dashboard query is exposed by this running server after a short workload.
 */
class OpsArtifactsTest extends ServerTestBase {
  static final Path OPS = DocumentationTest.ROOT.resolve("ops");
  static final Path RULES = OPS.resolve("prometheus/evidentsource-alerts.yml");
  static final Path RULE_TESTS = OPS.resolve("prometheus/evidentsource-alerts.test.yml");
  static final Path DASHBOARD = OPS.resolve("grafana/evidentsource-dashboard.json");

  /**
   * Metrics only the DynamoDB profiles expose (the notification relay); DynamoDbSnsProfileTest
   * checks them there. {@code up} is Prometheus's own.
   */
  static final Set<String> NOT_ON_MEMORY =
      Set.of(
          "evidentsource_notifications_pending", "evidentsource_notification_relay_errors_total");

  static final Set<String> PROMETHEUS_OWN = Set.of("up");

  /** PromQL words that look like metric names. */
  static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "offset",
          "bool",
          "inf",
          "nan");

  @Autowired GrpcPort grpcPort;

  @Nested
  class Promtool {
    @Test
    void the_rules_are_valid() throws Exception {
      assertThat(promtool("check", "rules", RULES.toString())).contains("SUCCESS");
    }

    @Test
    void the_rules_pass_their_unit_tests() throws Exception {
      assertThat(promtool("test", "rules", RULE_TESTS.toString())).contains("SUCCESS");
    }
  }

  @Test
  void every_metric_the_rules_and_the_dashboard_use_is_exposed() throws Exception {
    var used = new TreeSet<String>();
    ruleExpressions().forEach(e -> used.addAll(metricNames(e)));
    int fromRules = used.size();
    dashboardExpressions().forEach(e -> used.addAll(metricNames(e)));
    assertThat(fromRules).isGreaterThan(5);
    assertThat(used).contains("evidentsource_transactions_total", "jvm_gc_live_data_size_bytes");

    workload();
    var scrape = Prometheus.scrape(api);
    var missing = new ArrayList<String>();
    for (String name : used) {
      if (!scrape.has(name) && !NOT_ON_MEMORY.contains(name) && !PROMETHEUS_OWN.contains(name)) {
        missing.add(name);
      }
    }
    assertThat(missing).as("metrics queried by ops/ but not exposed").isEmpty();
  }

  @Test
  void the_metric_name_extraction_skips_functions_labels_and_durations() {
    assertThat(
            metricNames(
                "histogram_quantile(0.99, sum by (instance, le) (rate(a_seconds_bucket{kind!=\"live\","
                    + " x=~\"y.*\"}[5m]))) > 0.5 and on (instance) b_total offset 5m"))
        .containsExactlyInAnyOrder("a_seconds_bucket", "b_total");
  }

  /**
   * A little of everything: appends, a failed condition, reads, a tail, a view, a command, gRPC.
   */
  private void workload() throws Exception {
    String db = api.createDatabase();
    String base = "/api/v1/databases/" + db;
    api.append(db, Api.event("o1", "s", "t", null));
    api.postJson(
        base + "/transactions",
        "{\"events\":["
            + Api.event("o2", "s", "t", null)
            + "],\"conditions\":[{\"type\":\"max\",\"selector\":{\"type\":\"any\"},\"revision\":0}]}");
    api.get(base + "/events");
    api.get(base + "/events/1");
    var tail =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + port + base + "/events/live?from_revision=1"))
                    .build(),
                HttpResponse.BodyHandlers.ofLines());
    try (Stream<String> lines = tail.body()) {
      assertThat(lines.filter(l -> l.startsWith("id:")).findFirst()).isPresent();
    }
    ComponentApiTest.multipartPublish(
        api,
        base + "/state-views",
        "{\"state_view_name\":\"count\",\"content_type\":\"application/json\","
            + "\"event_selector\":{\"type\":\"any\"}}",
        ComponentApiTest.COUNTER);
    api.get(base + "/state-views/count");
    ComponentApiTest.multipartPublish(
        api, base + "/state-changes", "{\"state_change_name\":\"echo\"}", ComponentApiTest.ECHO);
    api.postJson(
        base + "/state-changes/echo/commands",
        "{\"events\":[" + Api.event("c1", "s", "t", null) + "]}");
    try (var client = EvidentSourceClient.builder().address("127.0.0.1", grpcPort.port()).build()) {
      client.listDatabases();
    }
    // the live-tail read is reported once the reader has handed over its range
    for (int i = 0; i < 100; i++) {
      if (Prometheus.scrape(api).value("evidentsource_query_seconds_count", "kind", "live") > 0) {
        break;
      }
      Thread.sleep(50);
    }
  }

  static List<String> ruleExpressions() throws IOException {
    Map<String, Object> rules = new Yaml().load(Files.readString(RULES));
    var out = new ArrayList<String>();
    for (Object group : (List<?>) rules.get("groups")) {
      for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
        out.add((String) ((Map<?, ?>) rule).get("expr"));
      }
    }
    return out;
  }

  static List<String> dashboardExpressions() throws IOException {
    JsonNode dashboard = Api.JSON.readTree(Files.readString(DASHBOARD));
    var out = new ArrayList<String>();
    for (JsonNode panel : dashboard.get("panels")) {
      JsonNode targets = panel.get("targets");
      if (targets != null) {
        targets.forEach(t -> out.add(t.get("expr").stringValue()));
      }
    }
    for (JsonNode variable : dashboard.get("templating").get("list")) {
      if (variable.has("definition")) {
        out.add(
            variable.get("definition").stringValue().replaceAll("label_values\\((\\w+),.*", "$1"));
      }
    }
    return out;
  }

  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  /** The metric names in a PromQL expression. */
  static Set<String> metricNames(String expr) {
    String s =
        expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // strings
            .replaceAll("\\{[^}]*}", " ") // label matchers
            .replaceAll(
                "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)",
                " ") // label lists
            .replaceAll("\\[[^]]*]", " ") // ranges
            .replaceAll("\\$\\w+", " "); // dashboard variables
    var names = new TreeSet<String>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String word = m.group();
      int after = m.end();
      while (after < s.length() && s.charAt(after) == ' ') {
        after++;
      }
      boolean call = after < s.length() && s.charAt(after) == '(';
      boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
      if (!call && !number && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
        names.add(word);
      }
    }
    return names;
  }

  private static String promtool(String... args) throws Exception {
    var command = new ArrayList<String>();
    command.add("promtool");
    command.addAll(List.of(args));
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(OPS.resolve("prometheus").toFile())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "promtool is not installed: Debian's package 'prometheus' provides it (.ci/run installs"
              + " it)",
          e);
    }
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }
}
