#!/usr/bin/env bash
# Builds a libFuzzer target and runs it for a while, keeping what it finds.
#
#   Tests/Fuzz/run.sh wire 10       # the wire codec, 10 minutes
#   Tests/Fuzz/run.sh journal 10    # decide -> journal -> replay, 10 minutes
#
# The sources of LeadlineCore, LeadlineWire and LeadlineJournal are compiled into one
# module with the target, instrumented (-sanitize=fuzzer,address). Inputs that reach
# new code join Tests/Fuzz/corpus/<target>/, which is minimised at the end (the
# smallest set covering the same code) and kept in the repository; a crash leaves
# crash-* in .build/fuzz/<target>/ and the run stops.
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${1:?usage: Tests/Fuzz/run.sh wire|journal [minutes]}
minutes=${2:-5}
case "$target" in
  wire) harness=Tests/Fuzz/FuzzWireCodec.swift; modules="LeadlineCore LeadlineWire" ;;
  journal) harness=Tests/Fuzz/FuzzJournalRoundTrip.swift; modules="LeadlineCore LeadlineWire LeadlineJournal" ;;
  *) echo "unknown target $target (wire or journal)" >&2; exit 2 ;;
esac
out=.build/fuzz/$target
rm -rf "$out/src"; mkdir -p "$out/src" "Tests/Fuzz/corpus/$target"
for m in $modules; do
  for f in Sources/$m/*.swift; do
    # One module: the imports between our modules go away.
    grep -v -E '^import (LeadlineCore|LeadlineWire|LeadlineJournal)$' "$f" > "$out/src/$m-$(basename "$f")"
  done
done
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name LeadlineFuzz \
  -I Sources/CZlib -lz "$out"/src/*.swift "$harness" -o "$out/fuzz-$target"
corpus=$PWD/Tests/Fuzz/corpus/$target
cd "$out"
status=0
./fuzz-"$target" -max_total_time=$((minutes * 60)) -print_final_stats=1 -max_len=1024 "$corpus" \
  > run.log 2>&1 || status=$?
grep -E '^(#[0-9]+ +DONE|stat::|==[0-9]+==ERROR|SUMMARY)' run.log || true
ls crash-* 2>/dev/null && echo "a crash was found: see $out/run.log" >&2
rm -rf minimized && mkdir minimized
./fuzz-"$target" -merge=1 -max_len=1024 minimized "$corpus" > merge.log 2>&1
rm -f "$corpus"/* && cp minimized/* "$corpus"/
echo "corpus: $(ls "$corpus" | wc -l) inputs, $(du -sh "$corpus" | cut -f1)"
exit $status
