package io.evidentsource.server.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.json.JsonSupport;
import io.evidentsource.server.config.Backups;
import io.evidentsource.server.config.EvidentSourceProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/admin/backups}: an online, consistent backup of every database of the {@code
 * local} profile into a new directory under {@code evidentsource.local.backup-dir}
 * (docs/local-storage.md#backup-and-restore). Body: optional {@code {"name":"nightly-1"}}; without
 * a name the backup is named after the time, {@code backup-20260501T101500Z}.
 */
@RestController
class BackupController {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("'backup-'yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final ObjectProvider<Backups> backups;
  private final EvidentSourceProperties properties;
  private final java.time.Clock clock;

  BackupController(
      ObjectProvider<Backups> backups, EvidentSourceProperties properties, java.time.Clock clock) {
    this.backups = backups;
    this.properties = properties;
    this.clock = clock;
  }

  @PostMapping("/api/v1/admin/backups")
  ResponseEntity<BackupCreated> backup(HttpServletRequest request) {
    Backups target = backups.getIfAvailable();
    if (target == null) {
      throw new EvidentSourceException(
          ErrorCode.NOT_FOUND,
          "online backups are made by the local profile; this server runs another storage"
              + " profile (GET /api/v1/server lists it)",
          Map.of());
    }
    byte[] raw =
        RequestBodies.read(
            request, properties.maxRequestBytes().toBytes(), "evidentsource.max-request-bytes");
    String name = STAMP.format(clock.instant());
    if (raw.length > 0) {
      RequestBodies.requireJson(request);
      JsonNode body = JsonSupport.parse(raw);
      if (!body.isObject()) {
        throw malformed("the body must be a JSON object such as {\"name\":\"nightly-1\"}");
      }
      for (String member : body.propertyNames()) {
        if (!member.equals("name")) {
          throw malformed("unexpected member '" + member + "'; the body is {\"name\":\"...\"}");
        }
      }
      JsonNode n = body.get("name");
      if (n != null) {
        if (!n.isString()) {
          throw malformed("'name' must be a string such as \"nightly-1\"");
        }
        name = n.stringValue();
      }
    }
    var backup = target.backup(name);
    return ResponseEntity.created(URI.create("/api/v1/admin/backups/" + backup.name()))
        .body(
            new BackupCreated(
                backup.name(), backup.directory().toString(), backup.createdAt().toString()));
  }

  private static EvidentSourceException malformed(String detail) {
    return new EvidentSourceException(ErrorCode.MALFORMED_REQUEST, detail, Map.of());
  }

  /**
   * @param name the backup's name
   * @param directory its absolute path on the server's machine
   * @param createdAt when it was taken (RFC 3339, UTC)
   */
  record BackupCreated(
      @JsonProperty("name") String name,
      @JsonProperty("directory") String directory,
      @JsonProperty("created_at") String createdAt) {}
}
