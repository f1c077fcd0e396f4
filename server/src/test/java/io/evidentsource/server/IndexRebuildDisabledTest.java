package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A server that keeps no index segments (the shared test context: profile {@code local}, segments
 * off) refuses an index rebuild with 409 {@code index_segments_disabled} naming the property.
 */
class IndexRebuildDisabledTest extends ServerTestBase {
  @Test
  void a_rebuild_is_refused_with_409_naming_the_property() {
    String db = api.createDatabase();
    var problem =
        api.post("/api/v1/admin/databases/" + db + "/index-rebuilds", null, "")
            .problem(409, "index_segments_disabled");
    assertThat(problem.get("detail").stringValue())
        .contains("evidentsource.index.segments.enabled");
  }
}
