package io.evidentsource.core.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.selector.EventSelector;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Published components as values: digests, kinds and names. */
class PublishedComponentTest {
  static final DatabaseName DB = DatabaseName.of("db");
  static final long G = 1; // the database generation
  static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  static StateViewDefinition view(String name) {
    return new StateViewDefinition(
        name, null, "application/json", null, EventSelector.any(), QueryTemporality.REVISION);
  }

  @Test
  void sha256_is_the_well_known_digest_in_lower_case_hex() {
    // FIPS 180-2 example: SHA-256("abc")
    assertThat(ModuleDigest.sha256Hex("abc".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void a_digest_must_be_64_lower_case_hex_digits() {
    var id = new ComponentId(DB, G, ComponentKind.STATE_CHANGE, "c", 1);
    var definition = new StateChangeDefinition("c", null);
    assertThatThrownBy(() -> new PublishedComponent<>(id, definition, T, 1, "ABC"))
        .hasMessageContaining("moduleSha256");
  }

  @Test
  void a_publication_carries_the_definition_of_its_kind_and_name() {
    var digest = ModuleDigest.sha256Hex(new byte[0]);
    var viewId = new ComponentId(DB, G, ComponentKind.STATE_VIEW, "v", 1);
    assertThatThrownBy(
            () ->
                new PublishedComponent<>(
                    viewId, new StateChangeDefinition("v", null), T, 0, digest))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("state view needs a StateViewDefinition");
    assertThatThrownBy(() -> new PublishedComponent<>(viewId, view("w"), T, 0, digest))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'w' is not the id's 'v'");
    var change =
        new PublishedComponent<>(
            new ComponentId(DB, G, ComponentKind.STATE_CHANGE, "c", 1),
            new StateChangeDefinition("c", null),
            T,
            0,
            digest);
    assertThatThrownBy(() -> ComponentKind.STATE_VIEW.cast(change))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a state view");
    assertThat(ComponentKind.STATE_CHANGE.cast(change)).isSameAs(change);
  }
}
