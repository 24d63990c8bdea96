package soak

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// worker does random, valid work in one business on invoices, a customer
// and credit of its own, one call at a time, and keeps the model of it.
type worker struct {
	s        *soak
	n        int
	rng      *rand.Rand
	biz      string
	customer string
	prefix   string    // of its invoice numbers, memo numbers and refund ids
	due      time.Time // every invoice of the worker is due then
	seq      int
	next     int // the next number to give an invoice, memo or refund

	invoices []*invoice
	memos    []*memo
	refunds  []*refund
	txns     []*txn
	// applied counts the changes the model holds as applied, by route,
	// to be matched with the server's own count of what it applied.
	applied map[assettest.Route]int
}

func (s *soak) newWorker(n int) *worker {
	return &worker{
		s: s, n: n, rng: s.rngFor(uint64(n)),
		biz:      businesses[n%len(businesses)],
		customer: fmt.Sprintf("cus_soakWorker%03d", n),
		prefix:   fmt.Sprintf("W%03d-", n),
		due:      time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 3*n),
		applied:  map[assettest.Route]int{},
	}
}

// maxInvoices keeps a long run's walks and lookups from growing without
// end: past it, a worker stops creating invoices.
const maxInvoices = 600

func (w *worker) run() {
	w.addCredit()
	for time.Now().Before(w.s.stopAt) {
		w.step()
	}
}

// step does one random piece of work. An operation whose precondition no
// invoice, memo or refund meets does nothing.
func (w *worker) step() {
	type op struct {
		weight int
		do     func()
	}
	ops := []op{
		{10, w.createInvoices}, {2, w.createMany},
		{5, w.updateTag}, {4, w.addLine}, {1, w.voidInvoice},
		{3, w.writeOff}, {10, w.payFromTransaction}, {6, w.payFromCredit},
		{4, w.createMemo}, {1, w.addCredit}, {1, w.voidMemo},
		{5, w.createRefund}, {5, w.payRefund},
		{2, w.walkInvoices}, {1, w.pageBack}, {1, w.walkMemos}, {1, w.walkRefunds}, {3, w.getInvoice},
	}
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	n := w.rng.IntN(total)
	for _, o := range ops {
		if n < o.weight {
			o.do()
			return
		}
		n -= o.weight
	}
}

// call makes one call with random per-call options (a deadline or none, an
// attempt timeout, retries, WithResponseInto) on top of opts, and records
// it. slack
// is how much longer than its deadline the call may take (CreateMany's
// drain).
func (w *worker) call(op, target, asked string, slack time.Duration, opts []asset.Option,
	f func(ctx context.Context, c *asset.Client, opts []asset.Option) error) (*record, error) {
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	var deadline time.Time
	switch n := w.rng.IntN(20); {
	case n < 4:
		ctx, cancel = context.WithTimeout(ctx, time.Duration(100+w.rng.IntN(300))*time.Millisecond)
	case n < 19:
		ctx, cancel = context.WithTimeout(ctx, time.Duration(1000+w.rng.IntN(4000))*time.Millisecond)
	}
	defer cancel()
	deadline, _ = ctx.Deadline()
	opts = append(opts, asset.WithMaxRetries(w.rng.IntN(5)))
	if w.rng.IntN(4) == 0 {
		opts = append(opts, asset.WithAttemptTimeout(time.Duration(200+w.rng.IntN(1000))*time.Millisecond))
	}
	var resp *asset.Response
	// CreateMany makes many requests, and refuses WithResponseInto.
	if w.rng.IntN(4) == 0 && op != "create many" {
		resp = new(asset.Response)
		opts = append(opts, asset.WithResponseInto(resp))
	}
	c := w.s.clients[w.rng.IntN(len(w.s.clients))]
	w.s.injectFaults(w.rng)
	w.seq++
	r := &record{worker: w.n, seq: w.seq, op: op, target: target, asked: asked, start: time.Now(), deadline: deadline}
	err := f(ctx, c, opts)
	r.end = time.Now()
	r.outcome = classify(err)
	if err != nil {
		r.err, r.reason = err.Error(), reason(err)
	}
	w.s.hist.add(r)
	w.s.checkDeadline(r, slack)
	w.checkRefusal(r, err)
	if resp != nil && err == nil && (resp.StatusCode < 200 || resp.StatusCode > 299 || !strings.HasPrefix(resp.RequestID, "req_")) {
		w.s.violate("a success's response says status %d, request id %q: %s", resp.StatusCode, resp.RequestID, r)
	}
	return r, err
}

// user is a random x-user-id for one call.
func (w *worker) user() (string, asset.Option) {
	u := fmt.Sprintf("usr_w%03d_%d", w.n, w.rng.IntN(4))
	return u, asset.WithUserID(u)
}

// checkRefusal flags a change refused for a reason no fault explains: the
// work is valid, so a 404, 409 or 422 means the server saw something the
// caller did not ask for (a change sent twice, or applied in part).
func (w *worker) checkRefusal(r *record, err error) {
	var apiErr *asset.APIError
	if !errors.As(err, &apiErr) {
		return
	}
	switch apiErr.StatusCode {
	case http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity:
		w.s.violate("valid work refused: %s", r)
	}
}

// lookup settles an unknown outcome with the SDK's own reads, asking until
// one answers: the faults strike lookups too. It waits a moment first, so
// that a request the server was still handling when the client gave up
// has ended. false when no lookup answered.
func (w *worker) lookup(what string, f func(ctx context.Context, c *asset.Client) error) bool {
	time.Sleep(200 * time.Millisecond)
	var err error
	for i := 0; i < 200; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = f(ctx, w.s.clients[w.rng.IntN(len(w.s.clients))])
		cancel()
		if err == nil {
			return true
		}
		time.Sleep(time.Duration(10+w.rng.IntN(40)) * time.Millisecond)
	}
	w.s.violate("w%03d: no lookup of %s answered: %v", w.n, what, err)
	return false
}

// fetch gets one of the worker's invoices for a lookup.
func (w *worker) fetch(m *invoice) (asset.Invoice, bool) {
	var got asset.Invoice
	ok := w.lookup("invoice "+m.id, func(ctx context.Context, c *asset.Client) error {
		inv, err := c.Invoices.Get(ctx, w.biz, m.id)
		if err == nil {
			got = *inv
		}
		return err
	})
	return got, ok
}

// settleCount settles an unknown change that adds one entry (a payment, a
// line) to what count counted before it: the entry is there once or not
// at all. Anything else is a change applied twice.
func (w *worker) settleCount(r *record, what string, before, after int) bool {
	switch after {
	case before + 1:
		r.resolved = foundApplied
		return true
	case before:
		r.resolved = foundNotApplied
		return false
	}
	w.s.violate("%s: %d %s after one unknown change, from %d: applied %d times: %s", r.target, after, what, before, after-before, r)
	r.resolved = foundApplied
	return true
}

// pick returns a random item that ok accepts, trying a few; nil when none
// is found.
func pick[T any](w *worker, items []*T, ok func(*T) bool) *T {
	if len(items) == 0 {
		return nil
	}
	for range 8 {
		if it := items[w.rng.IntN(len(items))]; ok(it) {
			return it
		}
	}
	return nil
}

// upTo is a random amount from 1 to max cents.
func (w *worker) upTo(max int64) int64 { return 1 + w.rng.Int64N(max) }

func (w *worker) number(kind string) string {
	w.next++
	return fmt.Sprintf("%s%s%06d", w.prefix, kind, w.next)
}

func (w *worker) compare(where string, m *invoice, got asset.Invoice) {
	if d := diffInvoice(m, got, false); len(d) > 0 {
		w.s.violate("%s: invoice %s (%s) differs from its history: %s\n%s", where, m.number, m.id, joinDiffs(d), w.story(m.id, m.number))
	}
}

// story is the history of an entity, for a report.
func (w *worker) story(keys ...string) string {
	out := ""
	for _, k := range keys {
		if k == "" {
			continue
		}
		for _, line := range w.s.hist.about(k) {
			out += "    " + line + "\n"
		}
	}
	return out
}
