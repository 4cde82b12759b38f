#!/usr/bin/env bash
# The example fleet has nothing to compile; this shows that `agentctl build` streams output,
# sees the merged env and honours the exit code.
set -euo pipefail
echo "building the example fleet in $(pwd)"
echo "GREETING from the merged env: ${GREETING:-unset}"
echo "done"
