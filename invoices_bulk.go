package asset

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
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
// A failure's Err says what kept it from being created when the server did
// not refuse the invoice alone (see BatchFailure), and the *BatchError
// matches, with errors.Is, whatever one of them matches:
//
//   - A batch whose outcome is unknown (ErrOutcomeUnknown: its connection
//     broke after it was sent, or the server answered 5xx) is sent once
//     more, as it was. Numbers are unique per business, so the invoices the
//     lost attempt created come back refused as already existing rather
//     than created twice: they are failures whose Err is the lost
//     attempt's error, matching ErrOutcomeUnknown. They were most likely
//     created; look them up by number. When the second send's outcome is
//     unknown too, or it cannot be made, every invoice of the batch is such
//     a failure.
//   - A batch the API refuses as a whole (a 4xx, or 429 after the retries)
//     is not sent again: each of its invoices is a failure with that error.
//   - Cancelling ctx stops the sending of batches; CreateMany waits for
//     those in flight and returns what is known. The invoices it never sent
//     are failures whose Err is ctx's error: surely not created, they do not
//     match ErrOutcomeUnknown.
//
// WithResponseInto is refused: CreateMany makes many requests.
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
	workers := cs.concurrency
	if workers == 0 {
		workers = defaultConcurrency
	}
	b := &bulkCreate{
		svc:      s,
		path:     path,
		input:    invoices,
		opts:     opts,
		progress: cs.progress,
		created:  make([][]Invoice, (len(invoices)+maxBatch-1)/maxBatch),
		tally:    Progress{Total: len(invoices)},
	}
	return b.run(ctx, workers)
}

// bulkCreate is one CreateMany call in progress.
type bulkCreate struct {
	svc      *InvoiceService
	path     string // of the business's invoices
	input    []InvoiceCreate
	opts     []Option
	progress func(Progress)

	nextMu sync.Mutex
	next   int // the next batch to send

	created [][]Invoice // by batch

	mu       sync.Mutex // guards what follows, and serializes progress
	failures []BatchFailure
	tally    Progress
}

func (b *bulkCreate) run(ctx context.Context, workers int) ([]Invoice, error) {
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
				created, failures := b.send(ctx, start, batch)
				b.created[k] = created // each goroutine its own batches: no lock
				b.record(len(batch), len(created), failures)
			}
		}()
	}
	wg.Wait()
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

// take hands out the next batch to send, or none once they are all taken
// or ctx has ended.
func (b *bulkCreate) take(ctx context.Context) (int, bool) {
	b.nextMu.Lock()
	defer b.nextMu.Unlock()
	if ctx.Err() != nil || b.next == len(b.created) {
		return 0, false
	}
	b.next++
	return b.next - 1, true
}

// send creates one batch, whose first invoice is input[start], and sends it
// once more if its outcome is unknown. The batch is not checked again:
// CreateMany checked the whole input. It returns the invoices created and
// the failures, indexed into the whole input.
func (b *bulkCreate) send(ctx context.Context, start int, batch []InvoiceCreate) ([]Invoice, []BatchFailure) {
	created, err := b.svc.create(ctx, b.path, batch, b.opts)
	var lost error // the first attempt's error, when its outcome is unknown
	if wholeBatch(err) && errors.Is(err, ErrOutcomeUnknown) {
		lost = err
		if ctx.Err() != nil {
			return nil, everyInvoice(start, batch, lost, lost.Error()+"; not sent again, the context ended")
		}
		created, err = b.svc.create(ctx, b.path, batch, b.opts)
		if wholeBatch(err) {
			return nil, everyInvoice(start, batch, lost, fmt.Sprintf("%v; sent again: %v", lost, err))
		}
	}
	if err == nil {
		return inInputOrder(batch, created), nil
	}
	var batchErr *BatchError
	if !errors.As(err, &batchErr) {
		return nil, everyInvoice(start, batch, err, err.Error())
	}
	failures := batchErr.Failures
	for i := range failures {
		f := &failures[i]
		if f.Index >= 0 {
			f.Index += start
		}
		if lost != nil && f.Err == nil && alreadyExists(f.Message) {
			f.Err = lost
			f.Message += " (sent again after the first answer was lost: most likely created then; look it up by number)"
		}
	}
	return inInputOrder(batch, created), failures
}

// wholeBatch reports whether err is about the whole batch, rather than the
// *BatchError of a batch the server answered invoice by invoice.
func wholeBatch(err error) bool {
	var batchErr *BatchError
	return err != nil && !errors.As(err, &batchErr)
}

// alreadyExists reports whether the server refused an invoice because its
// number is taken, which after a lost answer means the lost attempt most
// likely created it.
func alreadyExists(message string) bool {
	return strings.Contains(strings.ToLower(message), "already exist")
}

// everyInvoice is one failure per invoice of a batch that failed as a whole.
func everyInvoice(start int, batch []InvoiceCreate, err error, message string) []BatchFailure {
	failures := make([]BatchFailure, len(batch))
	for i, inv := range batch {
		failures[i] = BatchFailure{Number: inv.Number, Index: start + i, Message: message, Err: err}
	}
	return failures
}

// inInputOrder sorts the invoices created from batch as batch has them,
// whatever order the server answered in.
func inInputOrder(batch []InvoiceCreate, created []Invoice) []Invoice {
	pos := make(map[string]int, len(batch))
	for i, inv := range batch {
		pos[inv.Number] = i
	}
	slices.SortStableFunc(created, func(x, y Invoice) int { return cmp.Compare(pos[x.Number], pos[y.Number]) })
	return created
}

// record counts one finished batch, of n invoices, and reports progress.
func (b *bulkCreate) record(n, created int, failures []BatchFailure) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = append(b.failures, failures...)
	b.tally.Done += n
	b.tally.Created += created
	b.tally.Failed += len(failures)
	if b.progress != nil {
		b.progress(b.tally)
	}
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
	b.record(len(b.input)-start, 0, everyInvoice(start, b.input[start:], err, msg))
}
