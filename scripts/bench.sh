#!/usr/bin/env bash
# Runs the side-by-side benchmarks (bench_test.go), summarises them with
# benchstat, and checks each performance budget:
#
#   List and Create against a hand-written net/http + encoding/json client
#   into the same models: at most 1.10x the time and 1.3x the allocations;
#   List against a hand-written client into float64 fields, and a page
#   decoded with Decimal against float64 fields: at most 1.5x; walking 40 pages with prefetch against a
#   sequential List loop: at least 1.6x faster.
#
# Each ratio pairs the two sides of one round (they run back to back, so
# they share the machine's load at that moment) and reports the median pair
# with the lowest and highest. Exit status 1 if a budget fails.
#
#   scripts/bench.sh                 # 6 rounds
#   COUNT=10 BENCHTIME=2s scripts/bench.sh
#
# Needs only Go: benchstat is run from the module proxy when not installed.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-1s}
BENCHSTAT_VERSION=v0.0.0-20260908200009-22c9c6c9d4da # golang.org/x/perf

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
echo "== $(go env GOVERSION) $(go env GOOS)/$(go env GOARCH), $(getconf _NPROCESSORS_ONLN) cores${cpu:+, $cpu}"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

# One binary, run COUNT times rather than -count=COUNT: -count repeats each
# sub-benchmark before the next starts, while this runs sdk and raw back to
# back in every round, so that the two sides of a pair share the machine's
# load at that moment.
go test -c -o "$out/bench.test" .
echo "== $COUNT rounds of -bench -benchmem -benchtime=$BENCHTIME"
for round in $(seq "$COUNT"); do
	"$out/bench.test" -test.run '^$' -test.bench '^Benchmark(List|Create|DecodePage|Walk)$' \
		-test.benchmem -test.benchtime "$BENCHTIME" >"$out/round.txt"
	if [ "$round" = 1 ]; then
		grep -v '^Benchmark\|^PASS\|^ok' "$out/round.txt" || true
	fi
	grep '^Benchmark' "$out/round.txt"
	cat "$out/round.txt" >>"$out/results.txt"
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

echo
echo "== benchstat (median ± 95% confidence interval over the rounds)"
if command -v benchstat >/dev/null; then
	benchstat=(benchstat)
elif [ -x "$(go env GOPATH)/bin/benchstat" ]; then
	benchstat=("$(go env GOPATH)/bin/benchstat")
else
	benchstat=(go run "golang.org/x/perf/cmd/benchstat@$BENCHSTAT_VERSION")
fi
(cd "$out" && "${benchstat[@]}" results.txt)

echo
echo "== budgets (ratio of each round's pair: median [lowest .. highest])"
awk '
# Lines look like: BenchmarkList/sdk-2  1234  5678 ns/op  12 MB/s  345 B/op  67 allocs/op
/^Benchmark/ {
	name = $1
	sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "ns/op") ns[name, ++nns[name]] = $i
		if ($(i+1) == "allocs/op") al[name, ++nal[name]] = $i
	}
}

function sortv(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]
		a[j+1] = t
	}
}

# check prints one budget: the ratio num/den of metric m, paired run by run,
# against limit (at most when cmp is "<=", at least when ">=").
function check(label, num, den, m, cmp, limit,    n, i, r, med, ok, verdict) {
	n = (m == "ns" ? nns[num] : nal[num])
	if ((m == "ns" ? nns[den] : nal[den]) < n) n = (m == "ns" ? nns[den] : nal[den])
	if (n == 0) {
		printf "%-48s %26s   %s %-5s  %s\n", label, "no data", cmp, limit "x", "FAIL"
		failed = 1
		return
	}
	delete r
	for (i = 1; i <= n; i++) r[i] = (m == "ns" ? ns[num, i] / ns[den, i] : al[num, i] / al[den, i])
	sortv(r, n)
	med = (n % 2 ? r[(n+1)/2] : (r[n/2] + r[n/2+1]) / 2)
	if (cmp == "") {
		printf "%-48s %6.2fx [%5.2fx .. %5.2fx]   (no budget)\n", label, med, r[1], r[n]
		return
	}
	ok = (cmp == "<=" ? med <= limit : med >= limit)
	if (!ok) failed = 1
	printf "%-48s %6.2fx [%5.2fx .. %5.2fx]   %s %-5s  %s\n", label, med, r[1], r[n], cmp, limit "x", (ok ? "PASS" : "FAIL")
}

END {
	check("List 100 invoices, time (sdk / raw)", "BenchmarkList/sdk", "BenchmarkList/raw", "ns", "<=", 1.10)
	check("List 100 invoices, allocs (sdk / raw)", "BenchmarkList/sdk", "BenchmarkList/raw", "al", "<=", 1.3)
	check("  pipeline alone (raw with the same decoder)", "BenchmarkList/sdk", "BenchmarkList/raw_samedecoder", "ns", "", 0)
	check("List 100 invoices, time (sdk / naive float64)", "BenchmarkList/sdk", "BenchmarkList/naive", "ns", "<=", 1.5)
	check("Create 10 invoices, time (sdk / raw)", "BenchmarkCreate/sdk", "BenchmarkCreate/raw", "ns", "<=", 1.10)
	check("Create 10 invoices, allocs (sdk / raw)", "BenchmarkCreate/sdk", "BenchmarkCreate/raw", "al", "<=", 1.3)
	check("Decode a page, time (decimal / float64)", "BenchmarkDecodePage/decimal", "BenchmarkDecodePage/float64", "ns", "<=", 1.5)
	check("Walk 40 pages, speed-up (sequential / prefetch)", "BenchmarkWalk/sequential", "BenchmarkWalk/prefetch", "ns", ">=", 1.6)
	exit failed
}' "$out/results.txt"
