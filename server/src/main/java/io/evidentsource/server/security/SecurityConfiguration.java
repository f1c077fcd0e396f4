package io.evidentsource.server.security;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.server.problem.ProblemResponses;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderNotFoundException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Spring Security filter chain: {@link ApiKeyFilter} authenticates, the {@link AccessRules}
 * authorize (by scope and the route's database), and refusals are problem details: 401 {@code
 * unauthenticated} with {@code WWW-Authenticate: Bearer}, 403 {@code forbidden} naming the scope
 * that was needed. With {@code evidentsource.security.enabled=false} every request passes as {@link
 * Caller#UNRESTRICTED}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SecurityProperties.class)
class SecurityConfiguration {

  /**
   * The known keys.
   *
   * @throws NoApiKeysException when security is on without a key
   */
  @Bean
  ApiKeys apiKeys(SecurityProperties properties) {
    var keys = new ApiKeys(properties);
    if (properties.enabled() && keys.size() == 0) {
      var file = properties.apiKeysFile();
      throw new NoApiKeysException(file == null ? null : file.toString());
    }
    return keys;
  }

  @Bean
  AuthFailures authFailures(ObjectProvider<MeterRegistry> registry) {
    return new AuthFailures(registry.getIfAvailable());
  }

  /** No user names and passwords: keys are the only credentials (and Boot makes no user). */
  @Bean
  AuthenticationManager noPasswordAuthentication() {
    return authentication -> {
      throw new ProviderNotFoundException("only API keys are accepted");
    };
  }

  /**
   * No Spring Security observations at all unless {@code
   * management.observations.enable.spring.security=true} (unset by default, docs/operations.md):
   * Boot's setting alone only makes each observation a no-op, and Spring Security still wraps every
   * filter of the chain in an observing decorator that looks that no-op up, per filter and request
   * (docs/benchmarks.md, observability overhead). With these settings the chain is not wrapped;
   * setting the property to true brings the observations back. The default is not written in
   * application.properties: any {@code management.observations.enable.*} entry makes Boot's
   * predicate look up every observation's name and each of its dotted prefixes per request.
   */
  @Bean
  @ConditionalOnBooleanProperty(
      name = "management.observations.enable.spring.security",
      havingValue = false,
      matchIfMissing = true)
  SecurityObservationSettings noSecurityObservations() {
    return SecurityObservationSettings.noObservations();
  }

  /**
   * Spring Security's firewall, letting any method through to Spring MVC: a method no route takes
   * (QUERY, TRACE, PROPFIND...) is then answered 405 {@code method_not_allowed} with the route's
   * {@code Allow} header, not a bare 400. An unknown method passes no access rule but {@code admin}
   * (see below), and the firewall's other checks (encoded slashes, control characters) stay on.
   */
  @Bean
  HttpFirewall httpFirewall() {
    var firewall = new StrictHttpFirewall();
    firewall.setUnsafeAllowAnyHttpMethod(true);
    return firewall;
  }

  @Bean
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  SecurityFilterChain apiSecurity(
      HttpSecurity http,
      SecurityProperties properties,
      ApiKeys keys,
      AuthFailures failures,
      JsonMapper json)
      throws Exception {
    // cross-site requests: OriginCheck (Origin / Sec-Fetch-Site) instead of CSRF tokens, so that
    // scripts and curl need none; the UI's cookie is SameSite=Strict besides
    http.csrf(c -> c.disable())
        .cors(c -> c.configurationSource(cors(properties)))
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .logout(l -> l.disable())
        .requestCache(r -> r.disable())
        // no sessions of Spring Security's own; the UI's sign-in opens a fresh one (Sessions), so
        // session ids need no changing per request
        .sessionManagement(
            s ->
                s.sessionCreationPolicy(SessionCreationPolicy.STATELESS)
                    .sessionFixation(f -> f.none()))
        // responses keep their own Cache-Control (the UI's assets are cached for a year)
        .headers(h -> h.cacheControl(c -> c.disable()))
        // before CORS, so that a refused origin gets a problem, not CORS's bare 403
        .addFilterBefore(new OriginCheck(properties, json), CorsFilter.class)
        .addFilterBefore(
            new ApiKeyFilter(properties.enabled(), keys, failures, json),
            AnonymousAuthenticationFilter.class)
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(unauthenticated(failures, json))
                    .accessDeniedHandler(forbidden(failures, json)))
        .authorizeHttpRequests(
            a -> {
              // the first dispatch was authorized; a live tail's async dispatch and error pages
              // follow it
              a.dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll();
              if (!properties.enabled()) {
                a.anyRequest().permitAll();
                return;
              }
              var paths = PathPatternRequestMatcher.withDefaults();
              for (AccessRules.RestRule rule : AccessRules.REST) {
                var decide = new ScopeAuthorization(rule.permission());
                a.requestMatchers(paths.matcher(rule.method(), rule.pattern())).access(decide);
                if (rule.method().equals(HttpMethod.GET)) {
                  a.requestMatchers(paths.matcher(HttpMethod.HEAD, rule.pattern())).access(decide);
                }
              }
              for (String open : AccessRules.OPEN_PATHS) {
                a.requestMatchers(paths.matcher(open)).permitAll();
              }
              if (properties.publicMetrics()) {
                a.requestMatchers(paths.matcher("/actuator/**")).permitAll();
              }
              // no rule: admin only (AccessMatrixTest keeps every route in the table)
              a.anyRequest().access(new ScopeAuthorization(Permission.ADMIN));
            });
    return http.build();
  }

  /**
   * CORS for the API: off (no {@code Access-Control-Allow-Origin}) unless {@code
   * evidentsource.security.allowed-origins} names origins; then those may call with a key
   * (credentials, i.e. cookies, are not shared across origins).
   */
  static CorsConfigurationSource cors(SecurityProperties properties) {
    var source = new UrlBasedCorsConfigurationSource();
    if (properties.allowedOrigins().isEmpty()) {
      return source;
    }
    var config = new CorsConfiguration();
    config.setAllowedOrigins(properties.allowedOrigins());
    config.setAllowedMethods(List.of("GET", "HEAD", "POST", "DELETE"));
    config.setAllowedHeaders(
        List.of(
            "Authorization",
            "X-API-Key",
            "Content-Type",
            "Accept",
            "Last-Event-ID",
            "X-Request-Id"));
    config.setExposedHeaders(
        List.of(
            "Location",
            "Retry-After",
            "WWW-Authenticate",
            "X-Request-Id",
            "EvidentSource-Revision",
            "EvidentSource-Last-Modified-Revision"));
    config.setAllowCredentials(false);
    config.setMaxAge(Duration.ofHours(1));
    source.registerCorsConfiguration("/api/**", config);
    return source;
  }

  private static AuthenticationEntryPoint unauthenticated(AuthFailures failures, JsonMapper json) {
    return (request, response, e) -> {
      String detail =
          "this request needs an API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'";
      failures.record(
          AuthFailures.Reason.MISSING_KEY,
          "http",
          target(request),
          request.getRemoteAddr(),
          null,
          detail);
      var headers = new HttpHeaders();
      headers.set(HttpHeaders.WWW_AUTHENTICATE, ApiKeyFilter.WWW_AUTHENTICATE);
      ProblemResponses.write(
          response,
          json,
          ErrorCode.UNAUTHENTICATED,
          detail,
          Map.of(),
          request.getRequestURI(),
          headers);
    };
  }

  private static AccessDeniedHandler forbidden(AuthFailures failures, JsonMapper json) {
    return (request, response, e) -> {
      Caller caller = CallerAuthentication.current();
      Object needed = request.getAttribute(ScopeAuthorization.NEEDED_SCOPE);
      String scope = needed instanceof String s ? s : "admin";
      String detail =
          "the API key '"
              + caller.name()
              + "' does not have the scope "
              + scope
              + (scope.equals("admin") ? "" : " (or admin)")
              + " that "
              + target(request)
              + " needs";
      failures.record(
          AuthFailures.Reason.FORBIDDEN,
          "http",
          target(request),
          request.getRemoteAddr(),
          caller.name(),
          detail);
      ProblemResponses.write(
          response,
          json,
          ErrorCode.FORBIDDEN,
          detail,
          Map.of("scope", scope),
          request.getRequestURI(),
          new HttpHeaders());
    };
  }

  private static String target(HttpServletRequest request) {
    return request.getMethod() + " " + request.getRequestURI();
  }
}
