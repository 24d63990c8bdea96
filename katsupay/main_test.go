package katsupay_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: a retry wait or a connection must end with its call.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
