#!/usr/bin/env bash
# Load test of 'ganforge serve' on loopback with hey (Debian package 'hey'): 10,000 requests, their rate and latency,
# errors, and the server's RSS before and after.
#   bash bench/serve/load.sh RUN|CKPT|MODEL.onnx [QUERY] [CONCURRENCY]
# QUERY defaults to one PNG image per request (format=png); e.g. 'count=16&format=grid' for a 4×4 grid.
set -euo pipefail
model=${1:?usage: load.sh RUN|CKPT|MODEL.onnx [QUERY] [CONCURRENCY]}
query=${2:-format=png}
concurrency=${3:-8}
port=5181
command -v hey >/dev/null || { echo "error: hey is not installed (apt-get install hey)" >&2; exit 1; }
cd "$(dirname "$0")/../.."
dotnet build -c Release src/GanForge.Cli -v q -nologo >/dev/null
dotnet src/GanForge.Cli/bin/Release/net10.0/GanForge.Cli.dll serve -c "$model" --port $port --max-concurrent "$concurrency" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
rss() { awk '/VmRSS/ { print $2 / 1024 }' "/proc/$server/status"; }
curl -sf "http://127.0.0.1:$port/v1/generate?$query" -o /dev/null   # one warm-up request
before=$(rss)
report=$(hey -n 10000 -c "$concurrency" "http://127.0.0.1:$port/v1/generate?$query")
after=$(rss)
echo "$report" | grep -E "Requests/sec|Total:|50% in|99% in|responses|Error"
printf 'serve.rss_before %.0f MB\nserve.rss_after %.0f MB\n' "$before" "$after"
