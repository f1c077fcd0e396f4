package io.evidentsource.core.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.ComponentNotFoundException;
import org.junit.jupiter.api.Test;

/** The typed not-found errors keep the codes, messages and fields the API has always sent. */
class NotFoundErrorsTest {

  @Test
  void database_not_found_names_the_database() {
    var e = new DatabaseNotFoundException("orders");
    assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_NOT_FOUND);
    assertThat(e.database()).isEqualTo("orders");
    assertThat(e).hasMessage("database 'orders' does not exist");
    assertThat(e.fields()).containsExactly(java.util.Map.entry("database", "orders"));
    assertThat(DatabaseNotFoundException.deletedWhileSubscribed("orders"))
        .hasMessage("database 'orders' was deleted while subscribed")
        .extracting(DatabaseNotFoundException::database)
        .isEqualTo("orders");
  }

  @Test
  void revision_not_found_carries_the_revision_and_the_head() {
    var e = new RevisionNotFoundException("orders", 9, 4);
    assertThat(e.code()).isEqualTo(ErrorCode.REVISION_NOT_FOUND);
    assertThat(e).hasMessage("database 'orders' has no revision 9 (head is 4)");
    assertThat(e.revision()).isEqualTo(9);
    assertThat(e.headRevision()).isEqualTo(4);
    assertThat(e.fields()).containsEntry("revision", 9L).containsEntry("head_revision", 4L);
  }

  @Test
  void component_not_found_has_the_code_and_field_of_its_kind() {
    var view = new ComponentNotFoundException(ComponentKind.STATE_VIEW, "bank", "summary", 2);
    assertThat(view.code()).isEqualTo(ErrorCode.STATE_VIEW_NOT_FOUND);
    assertThat(view).hasMessage("database 'bank' has no state view 'summary' version 2");
    assertThat(view.fields())
        .containsExactly(
            java.util.Map.entry("database", "bank"),
            java.util.Map.entry("state_view", "summary"),
            java.util.Map.entry("version", 2));
    var change = new ComponentNotFoundException(ComponentKind.STATE_CHANGE, "bank", "open", null);
    assertThat(change.code()).isEqualTo(ErrorCode.STATE_CHANGE_NOT_FOUND);
    assertThat(change).hasMessage("database 'bank' has no state change 'open'");
    assertThat(change.fields()).containsOnlyKeys("database", "state_change");
    assertThat(change.version()).isNull();
    assertThat(change.name()).isEqualTo("open");
  }
}
