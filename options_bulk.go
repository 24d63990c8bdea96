package asset

import (
	"fmt"
	"time"
)

// Progress is how far a CreateMany call has come, given to the function
// set with WithProgress.
type Progress struct {
	// Done is the invoices whose batch has finished, created or not.
	Done int
	// Total is the invoices given to CreateMany.
	Total int
	// Created is the invoices created so far.
	Created int
	// Failed is the failures reported so far (see BatchError).
	Failed int
}

// WithConcurrency sets how many batches CreateMany sends at once (default
// 4). Every try of every batch still waits for the client's rate limit
// (WithRateLimit), so more batches at once hide the time answers take to
// travel, never exceed the limit. On NewClient it is the default of every
// CreateMany; other calls refuse it.
func WithConcurrency(n int) Option {
	return Option{func(s *settings) error {
		if n < 1 {
			return &InputError{Field: "WithConcurrency", Reason: fmt.Sprintf("%d is below 1", n)}
		}
		s.concurrency = n
		return nil
	}}
}

// WithProgress makes CreateMany call fn each time a batch finishes and,
// when the context ended the call early, once more for the invoices it
// never sent, so that the last call's Done is Total. Calls come one at a
// time, never concurrently, from the goroutines sending the batches: a
// slow fn slows the sending. It is an option of one call, refused on
// NewClient; other calls refuse it.
func WithProgress(fn func(Progress)) Option {
	return Option{func(s *settings) error {
		if !s.perCall {
			return &InputError{Field: "WithProgress", Reason: "belongs to one call; give it to CreateMany, not to NewClient"}
		}
		if fn == nil {
			return &InputError{Field: "WithProgress", Reason: "nil function"}
		}
		s.progress = fn
		return nil
	}}
}

// WithDrainTimeout bounds how long CreateMany, once its context has ended,
// still waits for the batches it had sent: for their answers and for the
// lookups that settle what an answer left unknown (default: the attempt
// timeout, see WithAttemptTimeout). Waiting is what keeps an invoice the
// server created from being reported as unknown. On NewClient it is the
// default of every CreateMany; other calls refuse it.
func WithDrainTimeout(d time.Duration) Option {
	return Option{func(s *settings) error {
		if d <= 0 {
			return &InputError{Field: "WithDrainTimeout", Reason: fmt.Sprintf("%s is not positive", d)}
		}
		s.drainTimeout = d
		if s.perCall {
			s.scoped |= scopedDrain
		}
		return nil
	}}
}
