#!/bin/bash
# The image's HEALTHCHECK (and the ECS container health check): healthy when the server's
# readiness probe answers 200. Plain bash (/dev/tcp), so the image needs no curl or wget.
# Port: management.server.port if set, else server.port, else 8080, as the server chooses it.
set -euo pipefail

port="${MANAGEMENT_SERVER_PORT:-${SERVER_PORT:-8080}}"
path="/actuator/health/readiness"

exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "${path}" "${port}" >&3
status_line=""
IFS= read -r -t 5 status_line <&3 || true
exec 3<&-

case "${status_line}" in
  "HTTP/1.1 200"*) exit 0 ;;
  *)
    echo "not ready: ${path} on port ${port} answered '${status_line%$'\r'}'" >&2
    exit 1
    ;;
esac
