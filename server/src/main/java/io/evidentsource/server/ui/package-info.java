/**
 * Hosting of the web UI (module {@code web-ui}, docs/ui.md): its built files from the classpath
 * under {@code /ui/} on the REST port, {@code /} redirecting there, every screen's address answered
 * with the single-page app's shell, and the browser security headers of its pages. The UI itself
 * talks only to the public REST API.
 */
@NullMarked
package io.evidentsource.server.ui;

import org.jspecify.annotations.NullMarked;
