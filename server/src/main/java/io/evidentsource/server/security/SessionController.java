package io.evidentsource.server.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The web UI's sign-in with an API key ({@link Sessions}): {@code POST /api/v1/session} {@code
 * {"api_key":"..."}} answers the caller and sets the session cookie, {@code GET} answers who is
 * signed in, {@code DELETE} signs out (204).
 */
@RestController
@RequestMapping("/api/v1/session")
class SessionController {
  private final SecurityProperties properties;
  private final ApiKeys keys;
  private final AuthFailures failures;

  SessionController(SecurityProperties properties, ApiKeys keys, AuthFailures failures) {
    this.properties = properties;
    this.keys = keys;
    this.failures = failures;
  }

  /**
   * The signed-in caller.
   *
   * @param principal the key's name ({@code anonymous} while security is off)
   * @param scopes the key's scopes
   * @param securityEnabled whether the server checks keys
   */
  record SessionInfo(
      @JsonProperty("principal") String principal,
      @JsonProperty("scopes") List<String> scopes,
      @JsonProperty("security_enabled") boolean securityEnabled) {
    static SessionInfo of(Caller caller, boolean enabled) {
      return new SessionInfo(
          caller.name(), caller.scopes().stream().map(Scope::text).toList(), enabled);
    }
  }

  @PostMapping
  SessionInfo signIn(@RequestBody JsonNode body, HttpServletRequest request) {
    JsonNode key = body.get("api_key");
    if (!body.isObject() || key == null || !key.isString() || key.stringValue().isBlank()) {
      throw new EvidentSourceException(
          ErrorCode.MALFORMED_REQUEST,
          "the body is {\"api_key\":\"...\"}",
          Map.of("parameter", "api_key"));
    }
    if (!properties.enabled()) {
      return SessionInfo.of(Caller.UNRESTRICTED, false);
    }
    var caller = keys.authenticate(key.stringValue());
    if (caller.isEmpty()) {
      String detail = "the API key is not known to this server";
      failures.record(
          AuthFailures.Reason.UNKNOWN_KEY,
          "http",
          "POST /api/v1/session",
          request.getRemoteAddr(),
          null,
          detail);
      throw new EvidentSourceException(ErrorCode.UNAUTHENTICATED, detail, Map.of());
    }
    Sessions.open(request, caller.get(), key.stringValue());
    return SessionInfo.of(caller.get(), true);
  }

  @GetMapping
  SessionInfo current() {
    return SessionInfo.of(Callers.current(), properties.enabled());
  }

  @DeleteMapping
  ResponseEntity<Void> signOut(HttpServletRequest request) {
    Sessions.close(request);
    return ResponseEntity.noContent().build();
  }
}
