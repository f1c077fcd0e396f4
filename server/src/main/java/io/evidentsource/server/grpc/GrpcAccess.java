package io.evidentsource.server.grpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.evidentsource.core.command.TransactionOrigin;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.server.security.AccessRules;
import io.evidentsource.server.security.ApiKeys;
import io.evidentsource.server.security.AuthFailures;
import io.evidentsource.server.security.Caller;
import io.evidentsource.server.security.Permission;
import io.evidentsource.server.security.PresentedKeys;
import io.evidentsource.server.security.RequestOrigins;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Authenticates and authorizes every gRPC call like the REST filter chain: the key comes from the
 * {@code authorization} metadata ({@code Bearer <key>}) or {@code x-api-key}; a missing or unknown
 * key closes the call with UNAUTHENTICATED, a scope the key lacks with PERMISSION_DENIED (both with
 * the {@code ErrorInfo} reason {@code unauthenticated} / {@code forbidden}). A method scoped to a
 * database is decided when its request message arrives, from the field {@link
 * AccessRules.GrpcRule#databaseField()} names. The caller is in {@link #CALLER} for the service.
 */
final class GrpcAccess implements ServerInterceptor {
  /** The caller of the current call. */
  static final Context.Key<Caller> CALLER =
      Context.keyWithDefault("evidentsource-caller", Caller.NOBODY);

  /** Where the current call came from, for the audit record of the transactions it makes. */
  static final Context.Key<TransactionOrigin> ORIGIN =
      Context.keyWithDefault("evidentsource-origin", TransactionOrigin.UNKNOWN);

  static final Metadata.Key<String> USER_AGENT =
      Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private final boolean enabled;
  private final ApiKeys keys;
  private final AuthFailures failures;

  GrpcAccess(boolean enabled, ApiKeys keys, AuthFailures failures) {
    this.enabled = enabled;
    this.keys = keys;
    this.failures = failures;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> sent, Metadata headers, ServerCallHandler<Q, R> next) {
    // the call's request id (the client's x-request-id, or a new one) goes back in the headers
    String requestId = RequestOrigins.requestId(headers.get(REQUEST_ID));
    ServerCall<Q, R> call =
        new ForwardingServerCall.SimpleForwardingServerCall<>(sent) {
          @Override
          public void sendHeaders(Metadata responseHeaders) {
            responseHeaders.put(REQUEST_ID, requestId);
            super.sendHeaders(responseHeaders);
          }
        };
    if (!enabled) {
      return Contexts.interceptCall(
          context(call, headers, Caller.UNRESTRICTED, requestId), call, headers, next);
    }
    var method = call.getMethodDescriptor();
    if (AccessRules.OPEN_GRPC_SERVICES.contains(method.getServiceName())) {
      return next.startCall(call, headers);
    }
    Caller caller;
    try {
      String key = PresentedKeys.of(headers.get(AUTHORIZATION), headers.get(API_KEY));
      if (key == null) {
        caller = Caller.NOBODY;
      } else {
        Optional<Caller> known = keys.authenticate(key);
        if (known.isEmpty()) {
          return refuse(
              call,
              AuthFailures.Reason.UNKNOWN_KEY,
              null,
              ErrorCode.UNAUTHENTICATED,
              "the API key is not known to this server",
              Map.of());
        }
        caller = known.get();
      }
    } catch (IllegalArgumentException e) {
      return refuse(
          call,
          AuthFailures.Reason.UNKNOWN_KEY,
          null,
          ErrorCode.UNAUTHENTICATED,
          Objects.requireNonNullElse(e.getMessage(), "the API key is malformed"),
          Map.of());
    }
    var rule =
        AccessRules.GRPC.getOrDefault(
            method.getFullMethodName(), new AccessRules.GrpcRule(Permission.ADMIN, null));
    if (caller.anonymous() && rule.permission() != Permission.OPEN) {
      return refuse(
          call,
          AuthFailures.Reason.MISSING_KEY,
          null,
          ErrorCode.UNAUTHENTICATED,
          "this call needs an API key: send the metadata 'authorization: Bearer <key>'",
          Map.of());
    }
    Context context = context(call, headers, caller, requestId);
    String field = rule.databaseField();
    if (field == null) {
      String missing = caller.missingScope(rule.permission(), null);
      if (missing != null) {
        return forbidden(call, caller, missing);
      }
      return Contexts.interceptCall(context, call, headers, next);
    }
    ServerCall.Listener<Q> delegate = Contexts.interceptCall(context, call, headers, next);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        String missing = caller.missingScope(rule.permission(), database(message, field));
        if (missing != null) {
          refused = true;
          forbidden(call, caller, missing);
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }

      @Override
      public void onReady() {
        if (!refused) {
          super.onReady();
        }
      }
    };
  }

  private static Context context(
      ServerCall<?, ?> call, Metadata headers, Caller caller, String requestId) {
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    String address =
        remote instanceof InetSocketAddress inet && inet.getAddress() != null
            ? inet.getAddress().getHostAddress()
            : remote == null ? null : remote.toString();
    var origin =
        new TransactionOrigin(caller.name(), "grpc", requestId, address, headers.get(USER_AGENT));
    return Context.current().withValue(CALLER, caller).withValue(ORIGIN, origin);
  }

  private <Q, R> ServerCall.Listener<Q> forbidden(
      ServerCall<Q, R> call, Caller caller, String missing) {
    String detail =
        "the API key '"
            + caller.name()
            + "' does not have the scope "
            + missing
            + (missing.equals("admin") ? "" : " (or admin)")
            + " that "
            + call.getMethodDescriptor().getFullMethodName()
            + " needs";
    return refuse(
        call,
        AuthFailures.Reason.FORBIDDEN,
        caller.name(),
        ErrorCode.FORBIDDEN,
        detail,
        Map.of("scope", missing));
  }

  private <Q, R> ServerCall.Listener<Q> refuse(
      ServerCall<Q, R> call,
      AuthFailures.Reason reason,
      @Nullable String principal,
      ErrorCode code,
      String detail,
      Map<String, Object> fields) {
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    failures.record(
        reason,
        "grpc",
        call.getMethodDescriptor().getFullMethodName(),
        remote == null ? null : remote.toString(),
        principal,
        detail);
    var status = GrpcErrors.toStatus(new EvidentSourceException(code, detail, fields));
    call.close(
        status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
    return new ServerCall.Listener<>() {};
  }

  private static @Nullable String database(Object message, String field) {
    if (message instanceof Message m) {
      FieldDescriptor descriptor = m.getDescriptorForType().findFieldByName(field);
      if (descriptor != null && m.getField(descriptor) instanceof String s) {
        return s;
      }
    }
    return null;
  }
}
