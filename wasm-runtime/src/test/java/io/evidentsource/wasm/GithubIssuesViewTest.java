package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.json.JsonSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Go view over the real GitHub webhook sample (samples/github-webhooks.ndjson): open issues per
 * repository, against counts computed here directly from the file.
 */
class GithubIssuesViewTest {
  static final Path SAMPLE = Path.of("..", "samples", "github-webhooks.ndjson");
  private final Fixture f = new Fixture(WasmLimits.defaults().withEvolveBatchEvents(4));

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void open_issues_per_repository_match_an_independent_count() throws IOException {
    var lines = Files.readAllLines(SAMPLE, StandardCharsets.UTF_8);
    // independent count: the issue.state of each issue's latest event in file order;
    // deleted and transferred issues leave their repository
    var issues = new HashMap<String, Map<Integer, String>>();
    for (var line : lines) {
      var node = JsonSupport.parse(line.getBytes(StandardCharsets.UTF_8));
      if (!node.get("type").stringValue().startsWith("com.github.issues.")) {
        continue;
      }
      var data = node.get("data");
      var issue = data.get("issue");
      if (issue == null) {
        continue;
      }
      var repo = issues.computeIfAbsent(node.get("source").stringValue(), r -> new HashMap<>());
      var action = data.get("action").stringValue();
      if (action.equals("deleted") || action.equals("transferred")) {
        repo.remove(issue.get("number").intValue());
      } else if (issue.get("state") != null && issue.get("state").isString()) {
        repo.put(issue.get("number").intValue(), issue.get("state").stringValue());
      }
    }
    var expected = new TreeMap<String, Integer>();
    issues.forEach(
        (repo, states) ->
            expected.put(repo, (int) states.values().stream().filter("open"::equals).count()));
    assertThat(expected).isNotEmpty();

    f.publishView(
        Fixture.view(
            "open-issues",
            new EventSelector.StartsWith(Attribute.EVENT_TYPE, "com.github.issues.")),
        Toolchains.go("open-issues"));
    var batch = new ArrayList<Event>();
    for (int i = 0; i < lines.size(); i++) {
      batch.add(CloudEventJson.readEvent(lines.get(i)));
      if (batch.size() == 25 || i == lines.size() - 1) {
        f.store.transact(DB, Transaction.of(batch));
        batch.clear();
        if (i == lines.size() / 2) {
          // a read half-way, so the final read extends the cached fold incrementally
          f.views.read(DB, "open-issues", null, StateViewRead.latest(Map.of()));
        }
      }
    }
    var result = f.views.read(DB, "open-issues", null, StateViewRead.latest(Map.of()));
    var open = JsonSupport.parse(result.content()).get("open_issues");
    var actual = new TreeMap<String, Integer>();
    open.properties().forEach(e -> actual.put(e.getKey(), e.getValue().intValue()));
    assertThat(actual).isEqualTo(expected);
    assertThat(result.revision()).isEqualTo(lines.size());
  }
}
