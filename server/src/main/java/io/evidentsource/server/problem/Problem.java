package io.evidentsource.server.problem;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.evidentsource.core.condition.AppendCondition;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An RFC 9457 problem details body: the standard members, the stable {@code code}, then the error's
 * own members ({@code limit}, {@code attribute}, {@code index}, ..., and for failed conditions
 * {@code failed_conditions}).
 *
 * @param type {@code urn:evidentsource:problem:<code>}
 * @param title the code's fixed summary
 * @param status the HTTP status
 * @param detail what went wrong in this request
 * @param code the stable error code
 * @param instance the request path, or null (then omitted)
 * @param members the error's own members, written after the standard ones
 */
record Problem(
    @JsonProperty("type") String type,
    @JsonProperty("title") String title,
    @JsonProperty("status") int status,
    @JsonProperty("detail") String detail,
    @JsonProperty("code") String code,
    @JsonProperty("instance") @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String instance,
    @JsonIgnore Map<String, Object> members) {

  @JsonAnyGetter
  Map<String, Object> extensionMembers() {
    return members;
  }

  /** One entry of {@code failed_conditions}: the condition and the revision it found. */
  record FailedCondition(
      @JsonProperty("condition") AppendCondition condition,
      @JsonProperty("actual_revision") long actualRevision) {}
}
