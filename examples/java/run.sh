#!/usr/bin/env bash
# Run the Java client against a fresh `randcheck serve`, all in a temporary folder:
# a config and a store, a synthetic registry, tokens (an operator, an auditor, every
# inspector), the service on a free loopback port, then javac and java. Exits with the
# client's status; skips (exit 0) where there is no JDK.
#
#   examples/java/run.sh
#
# RANDCHECK   the randcheck command (default: randcheck on PATH)
# PYTHON      a Python for the small helpers (default: python3)
# RANDCHECK_JAVA_WORKDIR   use (and keep) this folder instead of a temporary one
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
randcheck=${RANDCHECK:-randcheck}
python=${PYTHON:-python3}
jurisdiction=410724

if ! command -v javac >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
    echo "skipped: no JDK (javac and java are needed; install JDK 17 or later)"
    exit 0
fi

if [[ -n "${RANDCHECK_JAVA_WORKDIR:-}" ]]; then
    work=$RANDCHECK_JAVA_WORKDIR
    mkdir -p "$work"
    keep=1
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/randcheck-java.XXXXXX")
    keep=0
fi
server=""

cleanup() {
    if [[ -n "$server" ]] && kill -0 "$server" 2>/dev/null; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    if [[ $keep == 0 ]]; then
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$work"

# the service's settings: SQLite ledgers, its files and its tokens, here
cat >service.toml <<EOF
store = "ledgers"
data_dir = "files"
tokens = "tokens.json"
jurisdictions = ["$jurisdiction"]
EOF

# a synthetic county: 100 entities, 8 inspectors (I410724-0001 …)
"$randcheck" registry synth --out registry.json --entities 100 --inspectors 8 --seed java-example >/dev/null

# tokens: printed once, on the last line of `randcheck service token create`
token() {
    "$randcheck" service token create --config service.toml --jurisdiction "$jurisdiction" \
        --name "$1" --role "$2" | tail -n 1
}
RANDCHECK_OPERATOR_TOKEN=$(token 王敏 operator)
RANDCHECK_AUDITOR_TOKEN=$(token 李审计 auditor)
: >inspectors.tokens
chmod 600 inspectors.tokens
inspectors=$("$python" -c 'import json, sys
for i in json.load(open(sys.argv[1]))["inspectors"]: print(i["inspector_id"])' registry.json)
mkdir -p -m 700 tokens.d
pids=()
for id in $inspectors; do  # one token per inspector, made side by side
    token "$id" inspector >"tokens.d/$id" &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
for id in $inspectors; do echo "$id=$(cat "tokens.d/$id")" >>inspectors.tokens; done
export RANDCHECK_OPERATOR_TOKEN RANDCHECK_AUDITOR_TOKEN
export RANDCHECK_INSPECTOR_TOKENS=$work/inspectors.tokens

# the service, on a free loopback port
port=$("$python" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$randcheck" serve --config service.toml --host 127.0.0.1 --port "$port" >server.log 2>&1 &
server=$!
export RANDCHECK_URL=http://127.0.0.1:$port
if ! "$python" - "$RANDCHECK_URL/health" <<'EOF'; then
import sys, time, urllib.request
for _ in range(300):
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=1) as answer:
            sys.exit(0 if answer.status == 200 else 1)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
    echo "the service did not start; its log:"
    cat server.log
    exit 1
fi
echo "randcheck serve on $RANDCHECK_URL (pid $server), work folder $work"

# the client
javac -d classes "$here/RandcheckClient.java"
status=0
java -cp classes RandcheckClient --jurisdiction "$jurisdiction" --registry registry.json || status=$?
exit "$status"
