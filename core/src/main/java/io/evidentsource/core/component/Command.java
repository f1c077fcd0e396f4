package io.evidentsource.core.component;

import java.util.Map;
import java.util.Objects;

/**
 * A command sent to a state change; the guest sees it as {@code {content_type, headers, body}}.
 *
 * @param contentType the body's media type, e.g. {@code application/json}
 * @param headers request headers the server passes through (lower-case names)
 * @param body the body bytes (JSON bodies are passed inline, others as UTF-8 text)
 */
// a command is handed to one guest call as is, never compared or used as a key
@SuppressWarnings("ArrayRecordComponent")
public record Command(String contentType, Map<String, String> headers, byte[] body) {
  public Command {
    Objects.requireNonNull(contentType, "contentType");
    headers = Map.copyOf(headers);
    body = body.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }
}
