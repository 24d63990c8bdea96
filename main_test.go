package asset_test

import (
	"flag"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: a
// prefetching walk, a retry wait or a pacer must end with its call.
func TestMain(m *testing.M) {
	parallelBeyondCores()
	goleak.VerifyTestMain(m)
}

// parallelBeyondCores lets 8 parallel tests run at once unless -parallel
// says otherwise: most of them wait on loopback servers and timers, not on
// the CPU, so the default of one per core leaves a 2-core machine idle.
func parallelBeyondCores() {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "8")
	}
}
