"""Which stack frames are observability's, for observation-share.py and cpu-share.py.

A frame counts when its class belongs to Micrometer (observations, meters, tracing), OpenTelemetry,
the server's observe package or Logback's MDC, or its class and method name an observation, other
than the filters that wrap the whole request (Spring's ServerHttpObservationFilter.doFilterInternal,
RequestIdFilter).
"""

PACKAGES = ("micrometer", "opentelemetry", "evidentsource/server/observe", "LogbackMDCAdapter")
WRAPPERS = ("ServerHttpObservationFilter.doFilterInternal", "RequestIdFilter.doFilterInternal")


def is_observability(type_name, method):
    """type_name: the class with its package, slash-separated; method: Class.method."""
    return (any(p in type_name for p in PACKAGES) or "bservation" in method) and not any(
        w in method for w in WRAPPERS)
