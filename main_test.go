package asset_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: a
// prefetching walk, a retry wait or a pacer must end with its call.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
