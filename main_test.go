package asset_test

import (
	"flag"
	"testing"

	"github.com/assetkit/asset-go/internal/wiretest"
	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: a
// prefetching walk, a retry wait or a pacer must end with its call.
func TestMain(m *testing.M) {
	parallelBeyondCores()
	goleak.VerifyTestMain(m)
}

// parallelBeyondCores lets 32 parallel tests run at once unless -parallel
// says otherwise: most of them wait on loopback servers and timers, not on
// the CPU, so the default of one per core leaves a 2-core machine idle.
// Parallel subtests count against the same limit, and the fault matrices
// alone have dozens that each wait out a timeout: with 8 the package took
// about 16 s on 2 cores, with 16 to 64 about 11 to 12 s, 32 at the low
// end. More at once only starts more of the CPU-bound tests (10 MiB
// bodies, 10,000-invoice runs) together, slowing the answers that tests
// bounding a wait are waiting for.
//
// Under the race detector the tests are CPU-bound already (125% of 2
// cores with 8 at once), so 8 stay the default there: 32 saved a tenth of
// the time and stretched answers past what such tests allow.
func parallelBeyondCores() {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if set {
		return
	}
	n := "32"
	if wiretest.Race() {
		n = "8"
	}
	_ = flag.Set("test.parallel", n)
}
