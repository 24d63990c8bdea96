package asset

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxSends bounds how often CreateMany sends one invoice: it is sent again
// while its outcome is unknown, and after a 422 that named others of its
// batch.
const maxSends = 4

// settled is what became of one batch of CreateMany: every invoice of it is
// in exactly one of created and failures.
type settled struct {
	created  []Invoice
	failures []BatchFailure
}

// batchSettler takes one batch of CreateMany to known outcomes. An invoice
// whose outcome is unknown is sent again at once: numbers are unique per
// business, so the server refuses it if the lost send created it, and
// creates it if not. Once nothing more is to be sent, the invoices in doubt
// (refused after an outcome was unknown, or unknown still) are looked up by
// number. Sending first costs nothing when the lost send applied nothing
// (a 503), and the lookup looks only for invoices that exist, so it stops
// early. Positions are within the batch; start is the index of the batch's
// first invoice in the whole input.
type batchSettler struct {
	to      batchTarget
	sendCtx context.Context // for what was sent: ends a drain timeout after the caller's
	start   int
	batch   []InvoiceCreate
	pending []int // to send

	// An invoice becomes a suspect once an outcome of it is unknown: a
	// later refusal of it may be the lost send's doing.
	suspect []bool
	unknown []bool   // its last outcome is unknown
	cause   []error  // why its outcome was unknown
	doubt   []int    // suspects the server refused since: to look up
	refused []error  // the refusal of each in doubt
	message []string // and its words

	created  map[int]Invoice // by position
	extras   []Invoice       // created under numbers that were not sent
	failures []BatchFailure
}

// batchTarget is where CreateMany sends its batches, and with which options.
type batchTarget struct {
	svc        *InvoiceService
	businessID string
	path       apiPath // of the business's invoices
	opts       []Option
}

// settleBatch sends batch to to, its first invoice input[start], and settles
// each of its invoices (see CreateMany). The batch is not checked again:
// CreateMany checked the whole input. Once ctx ends, nothing more is sent.
func settleBatch(ctx, sendCtx context.Context, to batchTarget, start int, batch []InvoiceCreate) settled {
	n := len(batch)
	s := &batchSettler{
		to: to, sendCtx: sendCtx, start: start, batch: batch,
		suspect: make([]bool, n), unknown: make([]bool, n), cause: make([]error, n),
		refused: make([]error, n), message: make([]string, n),
		created: make(map[int]Invoice, n),
	}
	for i := range batch {
		s.pending = append(s.pending, i)
	}
	for sends := 0; len(s.pending) > 0 && sends < maxSends && (sends == 0 || ctx.Err() == nil); sends++ {
		s.send()
	}
	s.lookUp(ctx.Err())
	return s.result()
}

// send sends the pending invoices once and sorts them by what the answer
// says of each.
func (s *batchSettler) send() {
	sent := s.pending
	s.pending = nil
	items := make([]InvoiceCreate, len(sent))
	for j, i := range sent {
		items[j] = s.batch[i]
		s.unknown[i] = false
	}
	created, err := s.to.svc.create(s.sendCtx, s.to.path, items, s.to.opts)
	var batchErr *BatchError
	switch {
	case err == nil || errors.As(err, &batchErr):
		s.answered(sent, created, batchErr)
	case errors.Is(err, ErrOutcomeUnknown):
		for _, i := range sent {
			s.lost(i, err)
		}
	default:
		named, ok := refusedItems(err, len(sent))
		for j, i := range sent {
			msg, bad := named[j]
			switch {
			case !ok:
				s.refuse(i, err, err.Error())
			case bad:
				s.refuse(i, nil, msg)
			default:
				s.pending = append(s.pending, i) // a 422 applied nothing
			}
		}
	}
}

// answered sorts the invoices sent at positions sent by a batch answer: the
// invoices created, and the failures, indexed into sent. An invoice neither
// created under its number nor failed was created under another number
// (see batchFailures): it is among the extras.
func (s *batchSettler) answered(sent []int, created []Invoice, batchErr *BatchError) {
	at := make(map[string]int, len(sent))
	for _, i := range sent {
		at[s.batch[i].Number] = i
	}
	for _, inv := range created {
		if i, ok := at[inv.Number]; ok {
			s.created[i] = inv
		} else {
			s.extras = append(s.extras, inv)
		}
	}
	if batchErr == nil {
		return
	}
	for _, f := range batchErr.Failures {
		switch {
		case f.Index < 0:
			s.failures = append(s.failures, f) // a number that was not sent
		case errors.Is(f.Err, ErrOutcomeUnknown):
			s.lost(sent[f.Index], f.Err)
		default:
			s.refuse(sent[f.Index], f.Err, f.Message)
		}
	}
}

// lost marks the invoice at i as of unknown outcome, to be sent again.
func (s *batchSettler) lost(i int, cause error) {
	s.suspect[i], s.unknown[i], s.cause[i] = true, true, cause
	s.pending = append(s.pending, i)
}

// refuse records the server's refusal of the invoice at i: final, unless
// an earlier send of it may have created it.
func (s *batchSettler) refuse(i int, err error, msg string) {
	if !s.suspect[i] {
		s.fail(i, err, msg)
		return
	}
	s.refused[i], s.message[i] = err, msg
	s.doubt = append(s.doubt, i)
}

// lookUp settles what sending left in doubt, by number: an invoice found
// was created; one not found was not, and is a failure saying why it was
// not sent again, or what the server said of it. ended is the caller's
// context's error, if it stopped the sending.
func (s *batchSettler) lookUp(ended error) {
	var look []int // in doubt, or unknown still
	for _, i := range s.pending {
		if s.unknown[i] {
			look = append(look, i)
		} else {
			s.fail(i, ended, fmt.Sprintf("not sent again, %v: it was not created; send it again", ended))
		}
	}
	look = append(look, s.doubt...)
	if len(look) == 0 {
		return
	}
	numbers := make([]string, len(look))
	for j, i := range look {
		numbers[j] = s.batch[i].Number
	}
	opts := append(slices.Clip(s.to.opts), WithDueWindow(dueWindow(s.batch, look)))
	found, err := s.to.svc.findByNumbers(s.sendCtx, s.to.businessID, numbers, bulkOptions|scopedDueWindow, opts)
	for _, i := range look {
		inv, ok := found[s.batch[i].Number]
		switch {
		case ok:
			s.created[i] = inv
		case err != nil:
			s.fail(i, s.doubtCause(i), fmt.Sprintf("%s; looking it up failed: %v; it may exist: look it up with FindByNumbers before creating it again", s.whatHappened(i), err))
		case !s.unknown[i]:
			s.fail(i, s.refused[i], s.message[i])
		case ended != nil:
			s.fail(i, ended, fmt.Sprintf("not sent again, %v: it was not created (a lookup did not find it); send it again", ended))
		default:
			s.fail(i, errNotCreated, fmt.Sprintf("sent %d times, each answer lost, and a lookup did not find it: it was not created; send it again", maxSends))
		}
	}
}

// doubtCause is the Err of the invoice at i when its lookup failed: it may
// exist, so it matches ErrOutcomeUnknown.
func (s *batchSettler) doubtCause(i int) error {
	if s.unknown[i] {
		return s.cause[i]
	}
	return fmt.Errorf("refused when sent again after %w", s.cause[i])
}

// whatHappened says why the invoice at i was in doubt.
func (s *batchSettler) whatHappened(i int) string {
	if s.unknown[i] {
		return s.cause[i].Error()
	}
	return fmt.Sprintf("refused (%s) when sent again after %v", s.message[i], s.cause[i])
}

// errNotCreated is the cause of the failure of an invoice CreateMany sent
// as often as it may, and then found absent.
var errNotCreated = errors.New("asset: not created")

// dueWindow is the range of the due dates of the invoices at positions,
// widened by a day on each side should the server keep dates alone; open
// when one of them has none.
func dueWindow(batch []InvoiceCreate, positions []int) (start, end time.Time) {
	for _, i := range positions {
		due := batch[i].DueAt
		if due.IsZero() {
			return time.Time{}, time.Time{}
		}
		if start.IsZero() || due.Before(start) {
			start = due
		}
		if end.IsZero() || due.After(end) {
			end = due
		}
	}
	return start.Add(-24 * time.Hour), end.Add(24 * time.Hour)
}

func (s *batchSettler) fail(i int, err error, msg string) {
	s.failures = append(s.failures, BatchFailure{Number: s.batch[i].Number, Index: s.start + i, Message: msg, Err: err})
}

// result is the batch's created invoices in its order, those created under
// other numbers last, and its failures.
func (s *batchSettler) result() settled {
	positions := make([]int, 0, len(s.created))
	for i := range s.created {
		positions = append(positions, i)
	}
	slices.Sort(positions)
	out := make([]Invoice, 0, len(positions)+len(s.extras))
	for _, i := range positions {
		out = append(out, s.created[i])
	}
	return settled{created: append(out, s.extras...), failures: s.failures}
}

// refusedItems reads a 422 refusing a batch of n items whose every detail
// points into it (["body", "2", "lines", "0", "amount"]): it returns the
// server's words for each item named, by position. ok is false when some
// detail points elsewhere: then the whole batch is refused.
func refusedItems(err error, n int) (named map[int]string, ok bool) {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 422 || len(apiErr.Details) == 0 {
		return nil, false
	}
	named = map[int]string{}
	for _, d := range apiErr.Details {
		if len(d.Location) < 2 || d.Location[0] != "body" {
			return nil, false
		}
		j, err := strconv.Atoi(d.Location[1])
		if err != nil || j < 0 || j >= n {
			return nil, false
		}
		msg := d.Message
		if rest := d.Location[2:]; len(rest) > 0 {
			msg = strings.Join(rest, ".") + ": " + msg
		}
		if prev, dup := named[j]; dup {
			msg = prev + "; " + msg
		}
		named[j] = msg
	}
	return named, true
}
