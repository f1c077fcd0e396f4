package io.evidentsource.server.security;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Says why the server did not start without keys, and what to configure. */
final class NoApiKeysFailureAnalyzer extends AbstractFailureAnalyzer<NoApiKeysException> {
  @Override
  protected FailureAnalysis analyze(Throwable root, NoApiKeysException cause) {
    return new FailureAnalysis(
        cause.getMessage(),
        "Configure at least one API key: evidentsource.security.api-keys[0].name,"
            + " evidentsource.security.api-keys[0].sha256 (lower-case hex SHA-256 of the key) and"
            + " evidentsource.security.api-keys[0].scopes, or a file of 'name sha256 scope,...'"
            + " lines in evidentsource.security.api-keys-file (docs/security.md#configuration)."
            + " To run without keys on this machine only, leave the prod profile out.",
        cause);
  }
}
