package asset

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// defaultConcurrency is how many batches CreateMany sends at once without
// WithConcurrency: enough to hide the time answers take to travel, few
// enough to leave the rate limit's slots to the client's other calls.
const defaultConcurrency = 4

// CreateMany creates any number of invoices: it sends them in batches of
// at most 100 (each a POST /v0/business/{business_id}/invoice), up to
// WithConcurrency(n) batches at once (default 4), each try waiting for the
// client's rate limit (WithRateLimit). It returns the invoices created, in
// the order of the input, and, when some were not, one *BatchError whose
// failures give each one's Index in invoices: every invoice is in exactly
// one of the two. WithProgress reports how far it has come.
//
// The whole input is checked before anything is sent, each invoice as
// Create checks it and numbers unique across all of them: bad input is an
// *InputError naming the invoice's index. An empty input sends nothing.
//
// CreateMany settles what a single Create would leave unknown, reading only
// what the API documents, never the wording of its messages:
//
//   - Invoices whose outcome is unknown (a batch whose answer was lost, a
//     5xx, an unreadable success, an invoice the answer leaves out) are
//     looked up by number (FindByNumbers, within the due dates they were
//     sent with): those found are returned as created, with their ids;
//     those not found are sent again. An invoice refused when sent again is
//     looked up once more, in case the first send created it after all.
//     Only what a failed lookup leaves open is a failure matching
//     ErrOutcomeUnknown. Each lookup walks the business's invoices due in
//     the window, 100 a page, until all are found.
//   - A batch refused with 422 whose details point into it (body.2.lines...)
//     applied nothing: the invoices named are failures with the server's
//     words for them, and the others are sent again.
//   - A batch refused as a whole otherwise (a 4xx, or 429 after the
//     retries) is not sent again: each invoice is a failure with that error
//     as Err.
//   - Cancelling ctx stops the sending of batches. Batches already sent are
//     waited for, to their answer and the lookups they need, for at most
//     WithDrainTimeout (default the attempt timeout, WithAttemptTimeout),
//     so that no invoice the server answered for is left unknown; none is
//     sent again. The invoices never sent are failures whose Err is ctx's
//     error: surely not created, they do not match ErrOutcomeUnknown.
//   - A WithProgress function that panics stops the sending as a cancel
//     does, and the panic is raised again in the caller's goroutine once
//     the batches in flight are done.
//
// A failure's Err says what kept it from being created when the server did
// not refuse the invoice alone (see BatchFailure), and the *BatchError
// matches, with errors.Is, whatever one of them matches. WithResponseInto is
// refused: CreateMany makes many requests.
func (s *InvoiceService) CreateMany(ctx context.Context, businessID string, invoices []InvoiceCreate, opts ...Option) ([]Invoice, error) {
	if ctx == nil {
		return nil, &InputError{Field: "ctx", Reason: "is nil; pass context.Background() or the request's context"}
	}
	path, err := pathf("/v0/business/%s/invoice", idArg{"businessID", businessID})
	if err != nil {
		return nil, err
	}
	cs, err := s.client.callSettings(opts)
	if err != nil {
		return nil, err
	}
	if cs.responseInto != nil {
		return nil, &InputError{Field: "WithResponseInto", Reason: "describes one request; CreateMany makes many"}
	}
	if err := validateNumbered("invoices", invoices); err != nil {
		return nil, err
	}
	if len(invoices) == 0 {
		return nil, nil
	}
	ctx, event, end := cs.hooks.operation(ctx, Operation{Name: "CreateMany", Method: http.MethodPost, Route: path.template, BusinessID: businessID})
	ended := false
	defer func() {
		if !ended { // a WithProgress function panicked
			end(errProgressPanicked)
		}
	}()
	b := &bulkCreate{
		to:       batchTarget{svc: s, businessID: businessID, path: path, opts: opts},
		input:    invoices,
		progress: cs.progress,
		drain:    cmp.Or(cs.drainTimeout, cs.Policy.AttemptTimeout, time.Minute),
		created:  make([][]Invoice, (len(invoices)+maxBatch-1)/maxBatch),
		tally:    Progress{Total: len(invoices)},
		event:    event,
	}
	created, err := b.run(ctx, cmp.Or(cs.concurrency, defaultConcurrency))
	ended = true
	end(err)
	return created, err
}

// errProgressPanicked ends the hooks' operation of a CreateMany whose
// WithProgress function panicked.
var errProgressPanicked = errors.New("asset: CreateMany: the WithProgress function panicked")

// bulkCreate is one CreateMany call in progress.
type bulkCreate struct {
	to       batchTarget
	input    []InvoiceCreate
	progress func(Progress)
	event    func(string, ...slog.Attr) // the hooks' progress events
	drain    time.Duration

	nextMu sync.Mutex
	next   int         // the next batch to send
	halted atomic.Bool // a progress function panicked: send no more

	created [][]Invoice // by batch

	mu       sync.Mutex // guards what follows, and serializes progress
	failures []BatchFailure
	tally    Progress
	panicked *progressPanic
}

// progressPanic is what a WithProgress function panicked with.
type progressPanic struct{ value any }

func (b *bulkCreate) run(ctx context.Context, workers int) ([]Invoice, error) {
	// The batches sent go on past a cancel, for a while: their answers are
	// what tells which invoices exist.
	sendCtx, stop := drainContext(ctx, b.drain)
	defer stop()
	var wg sync.WaitGroup
	for range min(workers, len(b.created)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k, ok := b.take(ctx)
				if !ok {
					return
				}
				start := k * maxBatch
				batch := b.input[start:min(start+maxBatch, len(b.input))]
				s := settleBatch(ctx, sendCtx, b.to, start, batch)
				b.created[k] = s.created // each goroutine its own batches: no lock
				b.record(len(batch), len(s.created), s.failures)
			}
		}()
	}
	wg.Wait()
	if b.panicked != nil {
		panic(b.panicked.value)
	}
	b.unsent(ctx)

	var all []Invoice
	for _, c := range b.created {
		all = append(all, c...)
	}
	if len(b.failures) == 0 {
		return all, nil
	}
	// In input order. As uint, the -1 of a number the server named but
	// was never sent is the largest: those come last.
	slices.SortStableFunc(b.failures, func(x, y BatchFailure) int {
		return cmp.Compare(uint(x.Index), uint(y.Index))
	})
	return all, &BatchError{Failures: b.failures}
}

// take hands out the next batch to send, or none once they are all taken,
// ctx has ended or a progress function panicked.
func (b *bulkCreate) take(ctx context.Context) (int, bool) {
	b.nextMu.Lock()
	defer b.nextMu.Unlock()
	if ctx.Err() != nil || b.halted.Load() || b.next == len(b.created) {
		return 0, false
	}
	b.next++
	return b.next - 1, true
}

// record counts one finished batch, of n invoices, and reports progress.
func (b *bulkCreate) record(n, created int, failures []BatchFailure) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = append(b.failures, failures...)
	b.tally.Done += n
	b.tally.Created += created
	b.tally.Failed += len(failures)
	b.event("batch", slog.Int("done", b.tally.Done), slog.Int("total", b.tally.Total),
		slog.Int("created", b.tally.Created), slog.Int("failed", b.tally.Failed))
	b.report()
}

// report calls the progress function, b.mu held. A panic in it is kept for
// the caller's goroutine, where it can be recovered, and halts the sending.
func (b *bulkCreate) report() {
	if b.progress == nil || b.panicked != nil {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			b.panicked = &progressPanic{p}
			b.halted.Store(true)
		}
	}()
	b.progress(b.tally)
}

// unsent reports the invoices of the batches never taken, once every
// sending goroutine has returned: ctx ended before their turn.
func (b *bulkCreate) unsent(ctx context.Context) {
	start := b.next * maxBatch
	if start >= len(b.input) {
		return
	}
	err := ctx.Err()
	msg := fmt.Sprintf("not sent: %v; it was not created, send it again", err)
	failures := make([]BatchFailure, 0, len(b.input)-start)
	for i := start; i < len(b.input); i++ {
		failures = append(failures, BatchFailure{Number: b.input[i].Number, Index: i, Message: msg, Err: err})
	}
	b.record(len(failures), 0, failures)
}

// drainContext is a context for the requests of batches already sent: it
// keeps ctx's values and ends drain after ctx does, or when stop is called.
func drainContext(ctx context.Context, drain time.Duration) (context.Context, func()) {
	dctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stopped := make(chan struct{})
	go func() {
		select {
		case <-stopped:
			return
		case <-ctx.Done():
		}
		t := time.NewTimer(drain)
		defer t.Stop()
		select {
		case <-stopped:
		case <-t.C:
			cancel(fmt.Errorf("%w, and the batches in flight were waited for %s (WithDrainTimeout)", context.Cause(ctx), drain))
		}
	}()
	return dctx, func() {
		close(stopped)
		cancel(context.Canceled)
	}
}
