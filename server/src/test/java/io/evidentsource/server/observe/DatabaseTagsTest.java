package io.evidentsource.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.component.ComponentId;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.model.DatabaseName;
import org.junit.jupiter.api.Test;

/** The cap on database and component tag values (docs/operations.md#tags-and-cardinality). */
class DatabaseTagsTest {
  final DatabaseTags tags = new DatabaseTags(2, 1);

  static DatabaseName db(String name) {
    return DatabaseName.of(name);
  }

  @Test
  void databases_beyond_the_cap_share_the_other_tag() {
    assertThat(tags.admit(db("a"))).isEqualTo("a");
    assertThat(tags.admit(db("b"))).isEqualTo("b");
    assertThat(tags.admit(db("c"))).isEqualTo(DatabaseTags.OTHER);
    assertThat(tags.of(db("a"))).isEqualTo("a");
    assertThat(tags.of(db("c"))).isEqualTo(DatabaseTags.OTHER);
  }

  @Test
  void a_name_not_known_to_exist_takes_no_slot() {
    assertThat(tags.of(db("nosuch"))).isEqualTo(DatabaseTags.OTHER);
    assertThat(tags.admit(db("a"))).isEqualTo("a");
    assertThat(tags.admit(db("b"))).isEqualTo("b");
  }

  @Test
  void a_deleted_database_frees_its_slot() {
    tags.admit(db("a"));
    tags.admit(db("b"));
    tags.forget(db("a"));
    assertThat(tags.admit(db("c"))).isEqualTo("c");
    assertThat(tags.of(db("a"))).isEqualTo(DatabaseTags.OTHER);
  }

  @Test
  void components_are_capped_too_and_only_in_tagged_databases() {
    tags.admit(db("a"));
    var one = new ComponentId(db("a"), 1, ComponentKind.STATE_VIEW, "one", 1);
    var two = new ComponentId(db("a"), 1, ComponentKind.STATE_VIEW, "two", 1);
    var elsewhere = new ComponentId(db("z"), 1, ComponentKind.STATE_VIEW, "one", 1);
    assertThat(tags.component(one, true)).isEqualTo("one");
    assertThat(tags.component(two, true)).isEqualTo(DatabaseTags.OTHER);
    assertThat(tags.component(elsewhere, true)).isEqualTo(DatabaseTags.OTHER);
    assertThat(tags.component(one, false)).isEqualTo("one");
  }
}
