#!/usr/bin/env bash
# The long kill -9 soak: the real leadlined, killed with SIGKILL in the middle of a
# stream of tagged writes from many clients, round after round; after each restart it
# checks that nothing acknowledged was lost, nothing was applied twice, and SINCE 0 is
# contiguous. `swift test` runs 6 rounds of 20 writers; this runs more. A snapshot is written every 37
# events, so kills also land while snapshots are being written.
#
#   Tests/Soak/kill-nine.sh            # 100 rounds, 50 writers
#   ROUNDS=300 WRITERS=20 Tests/Soak/kill-nine.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export LEADLINE_KILL_ROUNDS=${ROUNDS:-100}
export LEADLINE_KILL_WRITERS=${WRITERS:-50}
swift build --build-tests >/dev/null
swift test --skip-build --filter CrashRecoveryTests 2>&1 | grep -E "kill -9 soak|✘|passed after|failed after"
