package io.evidentsource.server.rest;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.component.ComponentCatalog;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.json.JsonSupport;
import io.evidentsource.server.config.EvidentSourceProperties;
import io.evidentsource.server.config.NotificationHealth;
import io.evidentsource.server.security.Callers;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** The database catalog: create, list, read and delete databases. */
@RestController
@RequestMapping("/api/v1/databases")
class DatabaseController {
  private final EventStore store;
  private final EvidentSourceProperties properties;
  private final ComponentCatalog components;
  private final NotificationHealth notifications;

  DatabaseController(
      EventStore store,
      EvidentSourceProperties properties,
      ComponentCatalog components,
      NotificationHealth notifications) {
    this.store = store;
    this.properties = properties;
    this.components = components;
    this.notifications = notifications;
  }

  /** The databases the caller's key may read (all of them for {@code admin} or security off). */
  @GetMapping
  WireJson.DatabaseList list() {
    var caller = Callers.current();
    return new WireJson.DatabaseList(
        store.listDatabases().stream()
            .filter(info -> caller.canRead(info.name().value()))
            .map(WireJson.Database::of)
            .toList());
  }

  @PostMapping
  ResponseEntity<WireJson.DatabaseCreated> create(HttpServletRequest request) {
    RequestBodies.requireJson(request);
    JsonNode body =
        JsonSupport.parse(
            RequestBodies.read(
                request,
                properties.maxRequestBytes().toBytes(),
                "evidentsource.max-request-bytes"));
    if (!body.isObject()) {
      throw malformed("the body must be a JSON object such as {\"name\":\"orders\"}");
    }
    for (String member : body.propertyNames()) {
      if (!member.equals("name")) {
        throw malformed("unexpected member '" + member + "'; the body is {\"name\":\"...\"}");
      }
    }
    JsonNode name = body.get("name");
    if (name == null || !name.isString()) {
      throw malformed("the body needs a string member 'name', e.g. {\"name\":\"orders\"}");
    }
    DatabaseInfo created = store.createDatabase(DatabaseName.of(name.stringValue()));
    return ResponseEntity.created(URI.create("/api/v1/databases/" + created.name().value()))
        .body(WireJson.DatabaseCreated.of(created));
  }

  /**
   * The database; with {@code notifications} while the relay of a DynamoDB profile cannot publish
   * its transactions (docs/dynamodb.md#notifications).
   */
  @GetMapping("/{db}")
  WireJson.Database get(@PathVariable("db") String db) {
    var name = DatabaseName.of(db);
    return WireJson.Database.of(store.database(name), notifications.of(name).orElse(null));
  }

  /**
   * Deletes the database. With an {@code Idempotency-Key} header, the same delete sent again (its
   * answer was lost) answers 204 again and deletes nothing more, also not a database created under
   * the name since (docs/rest.md#deleting-a-database).
   */
  @DeleteMapping("/{db}")
  ResponseEntity<Void> delete(
      @PathVariable("db") String db,
      @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey) {
    var name = DatabaseName.of(db);
    if (store.deleteDatabase(name, idempotencyKey)) {
      components.forget(name);
    }
    return ResponseEntity.noContent().build();
  }

  private static EvidentSourceException malformed(String detail) {
    return new EvidentSourceException(ErrorCode.MALFORMED_REQUEST, detail, Map.of());
  }
}
