package wiretest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// Bound is how long a test lets a call run that must not wait: far more
// than any such call takes under the race detector on a loaded machine,
// far less than go test's timeout. It is a bound on a hang, not a claim
// about speed.
const Bound = 5 * time.Second

// A Promise is what a test of a wait holds the SDK to ("a wait past the
// cap is not started"), in words a failure names. Once a test has found
// it broken, every later test of it fails at once instead of waiting out
// its own bound: with a wait gone wrong, the suite fails in seconds, not
// in minutes.
type Promise string

// brokenBy maps each Promise found broken to the test that found it.
var brokenBy sync.Map

// Check fails the test at once if p was found broken already.
func (p Promise) Check(t testing.TB) {
	t.Helper()
	if by, ok := brokenBy.Load(p); ok {
		t.Fatalf("%s: broken already in %s; not waiting for it again", p, by)
	}
}

// Break records that p is broken and fails the test, saying how.
func (p Promise) Break(t testing.TB, format string, args ...any) {
	t.Helper()
	brokenBy.LoadOrStore(p, t.Name())
	t.Fatalf("%s: %s", p, fmt.Sprintf(format, args...))
}

// Within runs call on a context of its own, with no deadline, and returns
// call's error. A call still running after bound has broken p: its context
// is cancelled and the test fails at once, instead of hanging until go
// test's timeout. call runs on a goroutine of its own, so it must not
// call t.FailNow.
func (p Promise) Within(t testing.TB, bound time.Duration, call func(ctx context.Context) error) error {
	t.Helper()
	p.Check(t)
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
		p.Break(t, "the call was still running after %v (cancelled then, it returned: %v)", bound, err)
	case <-time.After(time.Second):
		p.Break(t, "the call was still running after %v, and a second after its context was cancelled", bound)
	}
	return nil
}
