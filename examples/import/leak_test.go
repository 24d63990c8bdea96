package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the tests if a goroutine outlives them: the embedded
// server and its connections must be gone when the program returns.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
