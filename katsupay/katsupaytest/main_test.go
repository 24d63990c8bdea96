package katsupaytest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: a fake's handlers and connections must end with Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
