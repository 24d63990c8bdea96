package wiretest

import (
	"context"
	"testing"
	"time"
)

// Bound is how long a test lets a call run that must not wait: far more
// than any such call takes under the race detector on a loaded machine,
// far less than go test's timeout. It is a bound on a hang, not a claim
// about speed.
const Bound = 5 * time.Second

// Within runs call on a context of its own, with no deadline, and returns
// call's error. A call still running after bound has broken promise: its
// context is cancelled and the test fails at once with promise in the
// message, instead of hanging until go test's timeout. call runs on a
// goroutine of its own, so it must not call t.FailNow.
func Within(t testing.TB, bound time.Duration, promise string, call func(ctx context.Context) error) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- call(ctx) }()
	timer := time.NewTimer(bound)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
	}
	cancel()
	// A call that honours its context ends now; its error says where it
	// was waiting. One that does not is left behind.
	select {
	case err := <-done:
		t.Fatalf("%s: the call was still running after %v (cancelled then, it returned: %v)", promise, bound, err)
	case <-time.After(time.Second):
		t.Fatalf("%s: the call was still running after %v, and a second after its context was cancelled", promise, bound)
	}
	return nil
}
