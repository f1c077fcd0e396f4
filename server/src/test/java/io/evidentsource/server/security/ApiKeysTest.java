package io.evidentsource.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys from properties and from a file that is read again when it changes. */
public class ApiKeysTest {
  @TempDir Path dir;

  public static String sha256(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static SecurityProperties properties(List<SecurityProperties.ApiKey> keys, Path file) {
    return SecurityProperties.keys(true, keys, file);
  }

  static SecurityProperties.ApiKey key(String name, String secret, String... scopes) {
    return new SecurityProperties.ApiKey(name, sha256(secret), List.of(scopes));
  }

  /** Writes the file and moves its modification time on, as a later write would. */
  static void write(Path file, String text, int generation) throws IOException {
    Files.writeString(file, text);
    Files.setLastModifiedTime(
        file, FileTime.from(Instant.parse("2030-01-01T00:00:00Z").plusSeconds(generation)));
  }

  @Nested
  class from_properties {
    @Test
    void finds_the_caller_of_a_known_key_and_nobody_for_another() {
      var keys = new ApiKeys(properties(List.of(key("app", "s3cret", "read:orders")), null));
      var caller = keys.authenticate("s3cret").orElseThrow();
      assertThat(caller.name()).isEqualTo("app");
      assertThat(caller.canRead("orders")).isTrue();
      assertThat(caller.canRead("orders-eu")).isFalse();
      assertThat(caller.canWrite("orders")).isFalse();
      assertThat(keys.authenticate("s3cret ")).isEmpty();
      assertThat(keys.authenticate("")).isEmpty();
    }

    @Test
    void refuses_a_hash_that_is_not_lower_case_hex_sha256_naming_the_property() {
      var bad =
          new SecurityProperties.ApiKey(
              "app", sha256("k").toUpperCase(Locale.ROOT), List.of("admin"));
      assertThatThrownBy(() -> new ApiKeys(properties(List.of(bad), null)))
          .hasMessageContaining("evidentsource.security.api-keys[0]")
          .hasMessageContaining("lower-case hex SHA-256");
    }

    @Test
    void refuses_an_unknown_scope_naming_the_accepted_ones() {
      assertThatThrownBy(
              () -> new ApiKeys(properties(List.of(key("app", "k", "read-orders")), null)))
          .hasMessageContaining("unknown scope 'read-orders'")
          .hasMessageContaining("admin, read:<database or prefix*> and write:");
    }

    @Test
    void refuses_two_keys_of_one_name() {
      assertThatThrownBy(
              () ->
                  new ApiKeys(
                      properties(
                          List.of(key("app", "a", "admin"), key("app", "b", "admin")), null)))
          .hasMessageContaining("two API keys are named 'app'");
    }
  }

  @Nested
  class scopes {
    @Test
    void a_prefix_pattern_covers_the_names_that_start_with_it() {
      var caller = new Caller("c", List.of(Scope.parse("write:orders-*"), Scope.parse("read:*")));
      assertThat(caller.canWrite("orders-eu")).isTrue();
      assertThat(caller.canWrite("orders")).isFalse();
      assertThat(caller.canRead("anything")).isTrue();
      assertThat(caller.isAdmin()).isFalse();
      assertThat(caller.missingScope(Permission.ADMIN, null)).isEqualTo("admin");
      assertThat(caller.missingScope(Permission.WRITE, "orders")).isEqualTo("write:orders");
      assertThat(caller.missingScope(Permission.READ, "orders")).isNull();
    }

    @Test
    void admin_may_do_everything_and_write_implies_no_read() {
      var admin = new Caller("a", List.of(Scope.parse("admin")));
      var writer = new Caller("w", List.of(Scope.parse("write:orders")));
      for (Permission p : Permission.values()) {
        assertThat(admin.missingScope(p, "orders")).isNull();
      }
      assertThat(writer.missingScope(Permission.READ, "orders")).isEqualTo("read:orders");
    }

    @Test
    void a_pattern_holds_only_name_characters_and_a_final_star() {
      assertThatThrownBy(() -> Scope.parse("read:or*ders")).hasMessageContaining("or*ders");
      assertThatThrownBy(() -> Scope.parse("read:")).hasMessageContaining("empty");
      assertThat(Scope.parse(" read:orders-* ").text()).isEqualTo("read:orders-*");
    }
  }

  @Nested
  class from_a_file {
    @Test
    void reads_one_key_per_line_with_comments_and_blank_lines() throws IOException {
      Path file = dir.resolve("keys");
      write(
          file,
          "# keys\n\nops " + sha256("o") + " admin\napp\t" + sha256("a") + "  read:x,write:x\n",
          1);
      var keys = new ApiKeys(properties(List.of(), file));
      assertThat(keys.names()).containsExactly("ops", "app");
      assertThat(keys.authenticate("a").orElseThrow().canWrite("x")).isTrue();
    }

    @Test
    void picks_up_a_changed_file_at_the_next_authentication() throws IOException {
      Path file = dir.resolve("keys");
      write(file, "old " + sha256("old-key") + " admin\n", 1);
      var keys = new ApiKeys(properties(List.of(key("static", "s", "admin")), file));
      assertThat(keys.authenticate("old-key")).isPresent();
      // rotation: both keys at once, then only the new one
      write(file, "old " + sha256("old-key") + " admin\nnew " + sha256("new-key") + " admin\n", 2);
      assertThat(keys.authenticate("new-key").orElseThrow().name()).isEqualTo("new");
      assertThat(keys.authenticate("old-key")).isPresent();
      write(file, "new " + sha256("new-key") + " admin\n", 3);
      assertThat(keys.authenticate("old-key")).isEmpty();
      assertThat(keys.authenticate("new-key")).isPresent();
      assertThat(keys.authenticate("s")).isPresent();
    }

    @Test
    void keeps_the_previous_keys_when_the_changed_file_is_malformed() throws IOException {
      Path file = dir.resolve("keys");
      write(file, "app " + sha256("a") + " admin\n", 1);
      var keys = new ApiKeys(properties(List.of(), file));
      write(file, "app not-a-hash admin\n", 2);
      assertThat(keys.authenticate("a")).isPresent();
      Files.delete(file);
      assertThat(keys.authenticate("a")).isPresent();
    }

    @Test
    void a_malformed_file_at_start_names_its_line() throws IOException {
      Path file = dir.resolve("keys");
      write(file, "# header\napp " + sha256("a") + "\n", 1);
      assertThatThrownBy(() -> new ApiKeys(properties(List.of(), file)))
          .hasMessageContaining(file + " line 2")
          .hasMessageContaining("expected 'name sha256 scope,scope,...'");
    }

    @Test
    void a_missing_file_at_start_is_an_error_naming_the_property() {
      Path file = dir.resolve("absent");
      assertThatThrownBy(() -> new ApiKeys(properties(List.of(), file)))
          .hasMessageContaining("evidentsource.security.api-keys-file")
          .hasMessageContaining(file.toString());
    }
  }
}
