package io.evidentsource.server.problem;

import org.apache.catalina.Container;
import org.apache.catalina.Context;
import org.apache.catalina.Pipeline;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import tools.jackson.databind.json.JsonMapper;

/**
 * Puts {@link ProblemErrorReportValve} in place of Tomcat's HTML error page on the host. Spring
 * Boot's own Tomcat customizer adds a plain {@link ErrorReportValve} there; this one runs after it
 * and replaces it.
 */
@Configuration(proxyBeanMethods = false)
class ErrorPageConfiguration {

  @Bean
  ProblemErrorPage problemErrorPage(JsonMapper json) {
    return new ProblemErrorPage(json);
  }

  static final class ProblemErrorPage
      implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
    private final JsonMapper json;

    ProblemErrorPage(JsonMapper json) {
      this.json = json;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
      factory.addContextCustomizers(this::replaceErrorValve);
    }

    private void replaceErrorValve(Context context) {
      Container host = context.getParent();
      if (host == null) {
        return;
      }
      Pipeline pipeline = host.getPipeline();
      for (var valve : pipeline.getValves()) {
        if (valve instanceof ErrorReportValve) {
          pipeline.removeValve(valve);
        }
      }
      pipeline.addValve(new ProblemErrorReportValve(json));
      if (host instanceof StandardHost standardHost) {
        // else the host adds Tomcat's own error valve at start, which would answer first
        standardHost.setErrorReportValveClass("");
      }
    }

    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }
}
