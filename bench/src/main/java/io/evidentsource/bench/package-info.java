/**
 * JMH benchmarks of the core on the in-memory adapter (append throughput, query latency) and a
 * heap-per-event probe. Built as {@code bench/target/benchmarks.jar} and run by {@code
 * bench/run.sh}, never by the normal build; see {@code docs/benchmarks.md}.
 */
@NullMarked
package io.evidentsource.bench;

import org.jspecify.annotations.NullMarked;
