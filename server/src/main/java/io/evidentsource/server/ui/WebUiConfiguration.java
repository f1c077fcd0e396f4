package io.evidentsource.server.ui;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.resource.PathResourceResolver;

/**
 * Serves the web UI that the {@code web-ui} module packs under {@code evidentsource-ui/} on the
 * classpath (docs/adr/0009-web-ui-stack.md):
 *
 * <ul>
 *   <li>{@code /} and {@code /ui} redirect to {@code /ui/};
 *   <li>{@code /ui/assets/**}: the bundled scripts and styles, named by content hash, cached for a
 *       year;
 *   <li>{@code /ui/**}: other files as they are, and any address without a file extension (a screen
 *       such as {@code /ui/databases/orders/events?type=...}, bookmarked or reloaded) answers with
 *       the app's {@code index.html}, never cached, whose router shows that screen;
 *   <li>every {@code /ui} response carries a Content-Security-Policy that allows only this origin
 *       (no CDN, no inline script) and forbids framing.
 * </ul>
 *
 * <p>None of these are API routes: the OpenAPI document lists only {@code /api/v1}.
 */
@Configuration(proxyBeanMethods = false)
class WebUiConfiguration implements WebMvcConfigurer {
  /** Where the web-ui module's build puts the files in its jar. */
  static final String LOCATION = "classpath:/evidentsource-ui/";

  /** Scripts and styles from this origin only; data: images for inline SVG icons. */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'"
          + " data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self';"
          + " frame-ancestors 'none'";

  @Override
  public void addViewControllers(ViewControllerRegistry registry) {
    registry.addRedirectViewController("/", "/ui/");
    registry.addRedirectViewController("/ui", "/ui/");
    // the resource handler serves files, not the empty path of the folder itself
    registry.addViewController("/ui/").setViewName("forward:/ui/index.html");
  }

  @Override
  public void addResourceHandlers(ResourceHandlerRegistry registry) {
    registry
        .addResourceHandler("/ui/assets/**")
        .addResourceLocations(LOCATION + "assets/")
        .setCacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable());
    registry
        .addResourceHandler("/ui/**")
        .addResourceLocations(LOCATION)
        .setCacheControl(CacheControl.noCache())
        .resourceChain(false)
        .addResolver(new SinglePageResolver());
  }

  @Bean
  FilterRegistrationBean<OncePerRequestFilter> webUiSecurityHeaders() {
    var registration = new FilterRegistrationBean<OncePerRequestFilter>(new SecurityHeaders());
    registration.addUrlPatterns("/ui", "/ui/*");
    return registration;
  }

  /** Files as they are; a screen's address (no file extension) gets the app's shell. */
  static final class SinglePageResolver extends PathResourceResolver {
    @Override
    protected @Nullable Resource getResource(String resourcePath, Resource location)
        throws IOException {
      if (!resourcePath.endsWith("/")) {
        Resource file = super.getResource(resourcePath, location);
        if (file != null) {
          return file;
        }
        String name = resourcePath.substring(resourcePath.lastIndexOf('/') + 1);
        if (name.contains(".")) {
          return null; // a missing file: 404
        }
      }
      return super.getResource("index.html", location);
    }
  }

  /** Browser security headers of the UI's responses. */
  static final class SecurityHeaders extends OncePerRequestFilter {
    @Override
    protected void doFilterInternal(
        HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
      response.setHeader("X-Content-Type-Options", "nosniff");
      response.setHeader("Referrer-Policy", "same-origin");
      chain.doFilter(request, response);
    }
  }
}
