package soak

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// newInvoice is a random valid invoice of the worker and its model. Lines
// are priced in each way the API allows, half quantities included, so
// that the server's rounding to the cent is checked too.
func (w *worker) newInvoice() (asset.InvoiceCreate, *invoice) {
	num := w.number("I")
	m := &invoice{number: num, status: asset.InvoiceStatusOpen}
	in := asset.InvoiceCreate{Number: num, CustomerID: w.customer, DueAt: w.due, Description: "soak"}
	if w.rng.IntN(3) == 0 {
		m.credit = w.upTo(5000)
		in.CreditAmount = dec(m.credit)
	}
	for range 1 + w.rng.IntN(3) {
		line, amount := w.newLine()
		in.Lines = append(in.Lines, line)
		m.total += amount
		m.lines++
	}
	return in, m
}

func (w *worker) newLine() (asset.InvoiceLineCreate, int64) {
	price := w.upTo(20000)
	switch w.rng.IntN(4) {
	case 0:
		a := w.upTo(50000)
		return asset.InvoiceLineCreate{Amount: dec(a)}, a
	case 1:
		q := 1 + w.rng.Int64N(5)
		return asset.InvoiceLineCreate{UnitPrice: dec(price), Quantity: asset.DecimalFromInt(q)}, price * q
	case 2:
		q := 1 + w.rng.Int64N(5)
		gross := price * q
		disc, tax := w.rng.Int64N(gross/2+1), w.rng.Int64N(1000)
		return asset.InvoiceLineCreate{
			UnitPrice: dec(price), Quantity: asset.DecimalFromInt(q), DiscountAmount: dec(disc), TaxAmount: dec(tax),
		}, gross - disc + tax
	}
	// A half quantity: the amount is rounded half away from zero.
	halves := 1 + w.rng.Int64N(9)
	qty := asset.NewDecimal(decimal.New(halves*5, -1))
	return asset.InvoiceLineCreate{UnitPrice: dec(price), Quantity: qty}, (price*halves + 1) / 2
}

func (w *worker) createInvoices() {
	if len(w.invoices) >= maxInvoices {
		return
	}
	ins, models := w.newInvoices(1 + w.rng.IntN(3))
	_, userOpt := w.user()
	var created []asset.Invoice
	r, err := w.call("create", numbers(models), fmt.Sprintf("%d invoices", len(ins)), 0, []asset.Option{userOpt},
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			var err error
			created, err = c.Invoices.Create(ctx, w.biz, ins, opts...)
			return err
		})
	w.settleCreate(r, models, created, err)
}

func (w *worker) createMany() {
	if len(w.invoices) >= maxInvoices {
		return
	}
	n := 2 + w.rng.IntN(40)
	if w.rng.IntN(8) == 0 {
		n = 101 + w.rng.IntN(30) // more than one batch
	}
	ins, models := w.newInvoices(n)
	const drain = time.Second
	_, userOpt := w.user()
	opts := []asset.Option{userOpt, asset.WithConcurrency(1 + w.rng.IntN(4)), asset.WithDrainTimeout(drain)}
	var created []asset.Invoice
	r, err := w.call("create many", numbers(models), fmt.Sprintf("%d invoices", n), drain, opts,
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			var err error
			created, err = c.Invoices.CreateMany(ctx, w.biz, ins, opts...)
			return err
		})
	w.settleCreate(r, models, created, err)
}

func (w *worker) newInvoices(n int) ([]asset.InvoiceCreate, []*invoice) {
	ins, models := make([]asset.InvoiceCreate, n), make([]*invoice, n)
	for i := range ins {
		ins[i], models[i] = w.newInvoice()
	}
	return ins, models
}

func numbers(models []*invoice) string {
	out := make([]string, len(models))
	for i, m := range models {
		out[i] = m.number
	}
	return strings.Join(out, " ")
}

// settleCreate sorts the invoices of a create into created, refused and
// unknown as the SDK answered, checks that each is in exactly one, and
// looks the unknown ones up by number.
func (w *worker) settleCreate(r *record, models []*invoice, created []asset.Invoice, err error) {
	byNumber := map[string]*invoice{}
	for _, m := range models {
		byNumber[m.number] = m
	}
	state := map[string]outcome{}
	for _, inv := range created {
		m := byNumber[inv.Number]
		if _, twice := state[inv.Number]; m == nil || twice {
			w.s.violate("create returned invoice %s (%s), not asked for or returned twice: %s", inv.Number, inv.ID, r)
			continue
		}
		state[inv.Number] = answered
		m.id = inv.ID
		w.compare("create's answer", m, inv)
	}
	var batch *asset.BatchError
	switch {
	case errors.As(err, &batch):
		for _, f := range batch.Failures {
			if _, twice := state[f.Number]; byNumber[f.Number] == nil || twice {
				w.s.violate("create reported invoice %s failed, not asked for or reported twice: %s", f.Number, r)
				continue
			}
			if f.Err == nil {
				// The server refused this invoice itself: valid work is
				// refused only when it was sent twice.
				w.s.violate("valid invoice %s refused (%s): %s", f.Number, f.Message, r)
				state[f.Number] = refused
				continue
			}
			state[f.Number] = classify(f.Err)
		}
	case err != nil:
		for _, m := range models {
			if _, ok := state[m.number]; !ok {
				state[m.number] = classify(err)
			}
		}
	}
	var open []string
	for _, m := range models {
		switch st, ok := state[m.number]; {
		case !ok:
			w.s.violate("invoice %s neither created nor reported failed: %s", m.number, r)
		case st == unknown:
			open = append(open, m.number)
		}
	}
	found := map[string]asset.Invoice{}
	if len(open) > 0 {
		window := asset.WithDueWindow(w.due.AddDate(0, 0, -1), w.due.AddDate(0, 0, 1))
		w.lookup("invoices "+strings.Join(open, " "), func(ctx context.Context, c *asset.Client) error {
			var err error
			found, err = c.Invoices.FindByNumbers(ctx, w.biz, open, window)
			return err
		})
		switch len(found) {
		case len(open):
			r.resolved = foundApplied
		case 0:
			r.resolved = foundNotApplied
		default:
			r.resolved = foundPartly
		}
	}
	ids := []string{}
	for _, m := range models {
		if state[m.number] == unknown {
			inv, ok := found[m.number]
			if !ok {
				continue
			}
			m.id = inv.ID
			w.compare("invoice found after an unknown create", m, inv)
		}
		if m.id != "" {
			w.invoices = append(w.invoices, m)
			ids = append(ids, m.id)
		}
	}
	// The ids go into the record, so that a report on an invoice finds
	// the call that created it.
	r.target += " " + strings.Join(ids, " ")
}

// updateTag sets the tag to a value never used before, so that the
// update changes the invoice and the server counts it as applied.
func (w *worker) updateTag() {
	m := pick(w, w.invoices, func(*invoice) bool { return true })
	if m == nil {
		return
	}
	val := fmt.Sprintf("w%03d-%d", w.n, w.seq+1)
	_, userOpt := w.user()
	var got *asset.Invoice
	r, _ := w.call("update tag", m.id, val, 0, []asset.Option{userOpt},
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			var err error
			got, err = c.Invoices.Update(ctx, w.biz, m.id, asset.InvoiceUpdate{Tags: map[string]*string{tagField: asset.TagSet(val)}}, opts...)
			return err
		})
	if !w.settled(r, m, func(inv asset.Invoice) bool { return inv.Tags[tagField].String() == val }) {
		return
	}
	m.tag = val
	m.settle()
	w.applied[assettest.RouteUpdateInvoice]++
	w.checkAnswer(r, m, got)
}

func (w *worker) addLine() {
	m := pick(w, w.invoices, func(m *invoice) bool { return m.status != asset.InvoiceStatusVoided })
	if m == nil {
		return
	}
	a := w.upTo(30000)
	before := m.lines
	var got *asset.Invoice
	r, _ := w.call("add line", m.id, fmt.Sprintf("%d cents", a), 0, nil,
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			var err error
			got, err = c.Invoices.Update(ctx, w.biz, m.id, asset.InvoiceUpdate{LineChanges: &asset.InvoiceLineChanges{
				CreateLines: []asset.InvoiceLineUpdate{{Description: "soak", Amount: dec(a)}},
			}}, opts...)
			return err
		})
	if !w.settledCount(r, m, "lines", before, func(inv asset.Invoice) int { return len(inv.Lines) }) {
		return
	}
	m.total += a
	m.lines++
	m.settle()
	w.applied[assettest.RouteUpdateInvoice]++
	w.checkAnswer(r, m, got)
}

func (w *worker) voidInvoice() {
	m := pick(w, w.invoices, func(m *invoice) bool { return m.status != asset.InvoiceStatusVoided })
	if m == nil {
		return
	}
	var got *asset.Invoice
	r, _ := w.call("void invoice", m.id, "", 0, nil,
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			var err error
			got, err = c.Invoices.Update(ctx, w.biz, m.id, asset.InvoiceUpdate{Status: asset.InvoiceStatusVoided}, opts...)
			return err
		})
	if !w.settled(r, m, func(inv asset.Invoice) bool { return inv.Status == asset.InvoiceStatusVoided }) {
		return
	}
	m.status = asset.InvoiceStatusVoided
	w.applied[assettest.RouteUpdateInvoice]++
	w.checkAnswer(r, m, got)
}

// settled reports whether the change r made to m was applied: it was when
// the SDK answered, it was not when the SDK refused, and when the outcome
// is unknown the invoice is fetched and applied tells.
func (w *worker) settled(r *record, m *invoice, applied func(asset.Invoice) bool) bool {
	switch r.outcome {
	case answered:
		return true
	case refused:
		return false
	}
	got, ok := w.fetch(m)
	if !ok {
		return false
	}
	if applied(got) {
		r.resolved = foundApplied
		return true
	}
	r.resolved = foundNotApplied
	return false
}

// settledCount is settled for a change that adds one entry to what count
// counts on the invoice.
func (w *worker) settledCount(r *record, m *invoice, what string, before int, count func(asset.Invoice) int) bool {
	switch r.outcome {
	case answered:
		return true
	case refused:
		return false
	}
	got, ok := w.fetch(m)
	if !ok {
		return false
	}
	return w.settleCount(r, what, before, count(got))
}

// checkAnswer compares the invoice a successful change returned with the model.
func (w *worker) checkAnswer(r *record, m *invoice, got *asset.Invoice) {
	if r.outcome == answered && got != nil {
		w.compare(r.op+"'s answer", m, *got)
	}
}
