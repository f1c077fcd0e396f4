package io.evidentsource.server.rest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Serves the OpenAPI 3.1 description of this API (a hand-written resource, checked by tests). */
@RestController
class OpenApiController {
  static final String RESOURCE = "openapi/evidentsource-v1.json";
  private final byte[] document;

  OpenApiController() {
    try (InputStream in = new ClassPathResource(RESOURCE).getInputStream()) {
      this.document = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  @GetMapping("/api/v1/openapi.json")
  ResponseEntity<byte[]> openApi() {
    return ResponseEntity.ok()
        .contentType(MediaType.APPLICATION_JSON)
        .cacheControl(CacheControl.noCache())
        .body(document);
  }
}
