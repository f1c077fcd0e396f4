package io.evidentsource.server.grpc;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.component.ComponentCatalog;
import io.evidentsource.core.component.StateChanges;
import io.evidentsource.core.component.StateViews;
import io.evidentsource.core.selector.SelectorLimits;
import io.evidentsource.core.subscription.SubscriptionEngine;
import io.evidentsource.server.config.EvidentSourceProperties;
import io.evidentsource.server.config.QueryBudgets;
import io.evidentsource.server.config.WasmProperties;
import io.evidentsource.server.live.LiveTails;
import io.evidentsource.server.request.RequestAdmission;
import io.evidentsource.server.security.ApiKeys;
import io.evidentsource.server.security.AuthFailures;
import io.evidentsource.server.security.SecurityProperties;
import io.grpc.BindableService;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.ServerBuilderCustomizer;

/**
 * The gRPC service (Spring gRPC serves every {@link BindableService} bean on {@code
 * spring.grpc.server.port}, 9090 by default, with health and reflection) over the core services and
 * the live subscription engine it shares with the SSE endpoint, and the inbound message size
 * derived from the limits.
 */
@Configuration(proxyBeanMethods = false)
class GrpcConfiguration {
  /** Slack per event for protobuf framing and attribute names beyond the counted event size. */
  static final int FRAMING_PER_EVENT = 8 * 1024;

  /** Slack per message for conditions and the other request fields. */
  static final int FRAMING_PER_MESSAGE = 64 * 1024;

  @Bean
  BindableService evidentSourceGrpcService(
      EventStore store,
      SubscriptionEngine subscriptionEngine,
      LiveTails liveTails,
      ComponentCatalog componentCatalog,
      StateViews stateViews,
      StateChanges stateChanges,
      WasmProperties wasm,
      QueryBudgets queryBudgets,
      SelectorLimits selectorLimits,
      RequestAdmission requestAdmission) {
    return new EvidentSourceGrpcService(
        store,
        subscriptionEngine,
        liveTails,
        componentCatalog,
        stateViews,
        stateChanges,
        wasm,
        queryBudgets,
        selectorLimits,
        requestAdmission);
  }

  /**
   * Largest inbound message: the larger of a full batch of events at the size limit plus framing
   * and a WebAssembly module at {@code evidentsource.wasm.max-module-bytes} (PublishStateView /
   * PublishStateChange) or a command body at {@code max-output-bytes} (ExecuteCommand) plus framing
   * for the other fields. Up to that the core reports {@code event_too_large} / {@code
   * batch_too_large} / {@code component_too_large} / {@code body_too_large} with their stable
   * codes; beyond it gRPC answers {@code RESOURCE_EXHAUSTED} itself.
   */
  static int maxInboundMessageBytes(EvidentSourceProperties properties, WasmProperties wasm) {
    long events =
        (long) properties.maxBatchEvents() * (properties.maxEventBytes() + FRAMING_PER_EVENT)
            + FRAMING_PER_MESSAGE;
    long components =
        Math.max(wasm.maxModuleBytes().toBytes(), wasm.maxOutputBytes().toBytes())
            + FRAMING_PER_MESSAGE;
    return (int) Math.min(Math.max(events, components), Integer.MAX_VALUE);
  }

  /** API keys and scopes on every call (health and reflection stay open). */
  @Bean
  @GlobalServerInterceptor
  ServerInterceptor grpcAccess(SecurityProperties security, ApiKeys keys, AuthFailures failures) {
    return new GrpcAccess(security.enabled(), keys, failures);
  }

  @Bean
  <T extends ServerBuilder<T>> ServerBuilderCustomizer<T> messageSizeLimit(
      EvidentSourceProperties properties, WasmProperties wasm) {
    int limit = maxInboundMessageBytes(properties, wasm);
    return builder -> builder.maxInboundMessageSize(limit);
  }
}
