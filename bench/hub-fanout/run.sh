#!/usr/bin/env bash
# Fan-out of /hubs/health to many concurrent connections: see bench/README.md ("hub-fanout").
#
#   HUB_URL=http://127.0.0.1:5391 HUB_TOKEN=okd_… CONTROL_URL=http://127.0.0.1:8299/control/ bench/hub-fanout/run.sh
#
# Needs a running console (Development, sandbox on) with the sandbox OpenBao onboarded and active, and a display token.
# CONSOLE_PID defaults to the process listening on HUB_URL's port (for RSS). CONNECTIONS (500) and ROUNDS (5) optional.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
: "${HUB_URL:?HUB_URL is required}" "${HUB_TOKEN:?HUB_TOKEN is required}" "${CONTROL_URL:?CONTROL_URL is required}"
[ -d node_modules/@microsoft/signalr ] || npm ci --no-audit --no-fund
if [ -z "${CONSOLE_PID:-}" ]; then
  port=$(sed -E 's#^[a-z]+://[^:/]+:([0-9]+).*#\1#' <<<"$HUB_URL")
  CONSOLE_PID=$(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2 || true)
fi
export CONSOLE_PID
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), console pid ${CONSOLE_PID:-unknown}"
# 500 WebSockets in one node process: raise the open-file limit if the shell's is low.
ulimit -n 4096 2>/dev/null || true
exec node fanout.mjs
