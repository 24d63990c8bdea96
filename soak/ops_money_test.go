package soak

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

func (w *worker) payable(m *invoice) bool {
	return m.status != asset.InvoiceStatusVoided && m.balance() > 0
}

func (w *worker) writeOff() {
	m := pick(w, w.invoices, w.payable)
	if m == nil {
		return
	}
	a, body := m.balance(), asset.InvoiceWriteOff{Description: "soak"}
	if w.rng.IntN(2) == 0 {
		a = w.upTo(a)
		body.Amount = dec(a)
	}
	before := len(m.payments)
	var got *asset.Invoice
	r, _ := w.call("write off", m.id, fmt.Sprintf("%d cents", a), 0, nil,
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			var err error
			got, err = c.Invoices.WriteOff(ctx, w.biz, m.id, body, opts...)
			return err
		})
	if !w.settledCount(r, m, "payments", before, func(inv asset.Invoice) int { return len(inv.Payments) }) {
		return
	}
	m.pay(payment{amount: a, writeOff: true})
	w.applied[assettest.RouteWriteOff]++
	w.checkAnswer(r, m, got)
}

// payFromTransaction pays an invoice from a new transaction, most often
// larger than the payment so that a payment sent twice would be accepted
// twice and show; or from what is left of an earlier one.
func (w *worker) payFromTransaction() {
	m := pick(w, w.invoices, w.payable)
	if m == nil {
		return
	}
	t := pick(w, w.txns, func(t *txn) bool { return t.amount > t.applied })
	var a int64
	body := asset.InvoicePaymentCreate{InvoiceID: m.id}
	switch {
	case t != nil && w.rng.IntN(3) == 0:
		a = w.upTo(min(m.balance(), t.amount-t.applied))
		body.PaymentAmount = dec(a)
	case w.rng.IntN(5) == 0:
		// No amount: the payment takes all that is left of the transaction.
		a = w.upTo(m.balance())
		t = w.newTxn(a)
	default:
		a = w.upTo(m.balance())
		t = w.newTxn(a + w.rng.Int64N(a+1))
		body.PaymentAmount = dec(a)
	}
	body.TransactionID = t.id
	w.applyPayment(m, body, payment{txn: t.id, amount: a}, t)
}

// payFromCredit pays an invoice from the customer's credit pool.
func (w *worker) payFromCredit() {
	pool := w.pool()
	if pool <= 0 {
		return
	}
	m := pick(w, w.invoices, w.payable)
	if m == nil {
		return
	}
	a := w.upTo(min(m.balance(), pool))
	w.applyPayment(m, asset.InvoicePaymentCreate{InvoiceID: m.id, PaymentAmount: dec(a)}, payment{amount: a, fromCredit: true}, nil)
}

func (w *worker) applyPayment(m *invoice, body asset.InvoicePaymentCreate, p payment, t *txn) {
	before := len(m.payments)
	_, userOpt := w.user()
	var got *asset.Invoice
	r, _ := w.call("pay", m.id+" "+p.txn, fmt.Sprintf("%d cents, credit %t", p.amount, p.fromCredit), 0, []asset.Option{userOpt},
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			var err error
			got, err = c.Payments.Apply(ctx, w.biz, body, opts...)
			return err
		})
	if !w.settledCount(r, m, "payments", before, func(inv asset.Invoice) int { return len(inv.Payments) }) {
		return
	}
	if t != nil {
		t.applied += p.amount
	} else {
		w.draw(p.amount)
	}
	m.pay(p)
	w.applied[assettest.RouteApplyPayment]++
	w.checkAnswer(r, m, got)
}

func (w *worker) newTxn(amount int64) *txn {
	t := &txn{id: w.s.srv.AddTransaction(w.biz, dec(amount)), amount: amount}
	w.txns = append(w.txns, t)
	return t
}

// pool is what is left of the customer's credit.
func (w *worker) pool() int64 {
	var left int64
	for _, m := range w.memos {
		if !m.voided {
			left += m.amount - m.used
		}
	}
	return left
}

// draw takes a payment from the customer's memos, oldest first, as the
// API does.
func (w *worker) draw(amount int64) {
	for _, m := range w.memos {
		if amount <= 0 {
			return
		}
		if m.voided || m.used >= m.amount {
			continue
		}
		take := min(amount, m.amount-m.used)
		m.used += take
		amount -= take
	}
}

func (w *worker) createMemo() {
	a := w.upTo(30000)
	num := w.number("M")
	user, userOpt := w.user()
	var created []asset.CreditMemo
	r, err := w.call("create memo", num, fmt.Sprintf("%d cents", a), 0, []asset.Option{userOpt},
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			var err error
			created, err = c.CreditMemos.Create(ctx, w.biz, []asset.CreditMemoCreate{{
				CustomerID: w.customer, Number: num, Amount: dec(a), Memo: "soak",
			}}, opts...)
			return err
		})
	var batch *asset.BatchError
	if errors.As(err, &batch) && len(batch.Failures) == 1 && batch.Failures[0].Err == nil {
		w.s.violate("valid credit memo %s refused (%s): %s", num, batch.Failures[0].Message, r)
	}
	var got *asset.CreditMemo
	switch {
	case r.outcome == answered && len(created) == 1 && created[0].Number == num:
		got = &created[0]
	case r.outcome == answered:
		w.s.violate("credit memo create answered with %d memos: %s", len(created), r)
		return
	case r.outcome == unknown:
		var found map[string]asset.CreditMemo
		if !w.lookup("credit memo "+num, func(ctx context.Context, c *asset.Client) error {
			var err error
			found, err = c.CreditMemos.FindByNumbers(ctx, w.biz, w.customer, []string{num})
			return err
		}) {
			return
		}
		r.resolved = foundNotApplied
		if cm, ok := found[num]; ok {
			r.resolved = foundApplied
			got = &cm
		}
	}
	if got == nil {
		return
	}
	if c, ok := cents(got.Amount); !ok || c != a || got.CreatedBy != user {
		w.s.violate("credit memo %s is %s cents by %q, want %d by %q: %s", num, centsString(got.Amount), got.CreatedBy, a, user, r)
	}
	r.target += " " + got.ID
	w.memos = append(w.memos, &memo{id: got.ID, number: num, amount: a, createdBy: user})
	w.applied[assettest.RouteCreateCreditMemos]++
}

// addCredit issues credit without the API, as a memo created elsewhere
// would be, and finds the memo's id in the server's state.
func (w *worker) addCredit() {
	a := w.upTo(20000)
	w.s.srv.AddCredit(w.biz, w.customer, dec(a))
	known := map[string]bool{}
	for _, m := range w.memos {
		known[m.id] = true
	}
	var fresh []asset.CreditMemo
	for _, cm := range w.s.srv.CreditMemos(w.biz) {
		if cm.CustomerID == w.customer && !known[cm.ID] {
			fresh = append(fresh, cm)
		}
	}
	if len(fresh) != 1 {
		w.s.violate("w%03d: %d memos of %s the model does not know after AddCredit, want 1", w.n, len(fresh), w.customer)
		return
	}
	w.seq++
	now := time.Now()
	w.s.hist.add(&record{worker: w.n, seq: w.seq, op: "AddCredit", target: fresh[0].ID, asked: fmt.Sprintf("%d cents", a), start: now, end: now})
	w.memos = append(w.memos, &memo{id: fresh[0].ID, number: fresh[0].Number, amount: a})
}

func (w *worker) voidMemo() {
	m := pick(w, w.memos, func(m *memo) bool { return !m.voided })
	if m == nil {
		return
	}
	r, _ := w.call("void memo", m.id, "", 0, nil,
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			_, err := c.CreditMemos.Void(ctx, w.biz, m.id, opts...)
			return err
		})
	switch r.outcome {
	case refused:
		return
	case unknown:
		var got *asset.CreditMemo
		if !w.lookup("credit memo "+m.id, func(ctx context.Context, c *asset.Client) error {
			var err error
			got, err = c.CreditMemos.Get(ctx, w.biz, m.id)
			return err
		}) {
			return
		}
		if !got.Voided {
			r.resolved = foundNotApplied
			return
		}
		r.resolved = foundApplied
	}
	m.voided = true
	w.applied[assettest.RouteVoidCreditMemo]++
}

var refundMethods = []asset.RefundMethod{
	asset.RefundMethodCash, asset.RefundMethodCheck, asset.RefundMethodCreditCard,
	asset.RefundMethodACH, asset.RefundMethodCreditBalance, asset.RefundMethodOther,
}

func (w *worker) refundable(m *invoice) bool {
	return m.status != asset.InvoiceStatusVoided && m.money > m.refunded
}

// createRefund refunds one invoice, or two at once, part or all of what
// was paid on each.
func (w *worker) createRefund() {
	first := pick(w, w.invoices, w.refundable)
	if first == nil {
		return
	}
	parts := []refundPart{{first, w.upTo(first.money - first.refunded)}}
	if w.rng.IntN(4) == 0 {
		if second := pick(w, w.invoices, w.refundable); second != nil && second != first {
			parts = append(parts, refundPart{second, w.upTo(second.money - second.refunded)})
		}
	}
	ext := w.number("R")
	body := asset.RefundCreate{
		ExternalID: ext, RefundedAt: time.Now().UTC().Truncate(time.Second),
		Method: refundMethods[w.rng.IntN(len(refundMethods))], Memo: "soak",
	}
	var total int64
	target := ext
	for _, p := range parts {
		total += p.amount
		body.InvoicesToRefund = append(body.InvoicesToRefund, asset.RefundInvoiceCreate{Amount: dec(p.amount), InvoiceID: p.inv.id})
		target += " " + p.inv.id
	}
	body.Amount = dec(total)
	var got *asset.Refund
	r, _ := w.call("refund", target, fmt.Sprintf("%d cents", total), 0, nil,
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			var err error
			got, err = c.Refunds.Create(ctx, w.biz, body, opts...)
			return err
		})
	switch r.outcome {
	case refused:
		return
	case unknown:
		var found *asset.Refund
		if !w.lookup("refund "+ext, func(ctx context.Context, c *asset.Client) error {
			var err error
			found, err = c.Refunds.FindByExternalID(ctx, w.biz, first.id, ext)
			if errors.Is(err, asset.ErrNotFound) {
				return nil
			}
			return err
		}) {
			return
		}
		if found == nil {
			r.resolved = foundNotApplied
			return
		}
		r.resolved = foundApplied
		got = found
	}
	rf := &refund{id: got.ID, external: ext, parts: parts, amount: total}
	r.target += " " + rf.id
	for _, p := range parts {
		left := p.inv.money - p.inv.refunded
		p.inv.refunded += p.amount
		p.inv.status = asset.InvoiceStatusPartiallyRefunded
		if p.amount == left {
			p.inv.status = asset.InvoiceStatusRefunded
		}
	}
	w.refunds = append(w.refunds, rf)
	w.applied[assettest.RouteCreateRefund]++
	w.compareRefund("refund's answer", rf, *got)
}

func (w *worker) payRefund() {
	rf := pick(w, w.refunds, func(rf *refund) bool { return rf.paid < rf.amount })
	if rf == nil {
		return
	}
	a := w.upTo(rf.amount - rf.paid)
	t := w.newTxn(a + w.rng.Int64N(a+1))
	before := len(rf.payments)
	var got *asset.Refund
	r, _ := w.call("pay refund", rf.id+" "+rf.external+" "+t.id, fmt.Sprintf("%d cents", a), 0, nil,
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			var err error
			got, err = c.Refunds.ApplyPayment(ctx, w.biz, asset.RefundPaymentCreate{
				RefundID: rf.id, TransactionID: t.id, PaymentAmount: dec(a),
			}, opts...)
			return err
		})
	switch r.outcome {
	case refused:
		return
	case unknown:
		var found *asset.Refund
		if !w.lookup("refund "+rf.external, func(ctx context.Context, c *asset.Client) error {
			var err error
			found, err = c.Refunds.FindByExternalID(ctx, w.biz, rf.parts[0].inv.id, rf.external)
			return err
		}) {
			return
		}
		if !w.settleCount(r, "refund payments", before, len(found.Payments)) {
			return
		}
		got = found
	}
	rf.paid += a
	rf.payments = append(rf.payments, payment{txn: t.id, amount: a})
	t.applied += a
	w.applied[assettest.RouteApplyRefundPayment]++
	w.compareRefund("refund payment's answer", rf, *got)
}

// diffRefund lists where got differs from rf.
func diffRefund(rf *refund, got asset.Refund) []string {
	var d []string
	if c, ok := cents(got.Amount); !ok || c != rf.amount {
		d = append(d, fmt.Sprintf("amount %s, want %d cents", centsString(got.Amount), rf.amount))
	}
	if c, ok := cents(got.AmountPaid); !ok || c != rf.paid {
		d = append(d, fmt.Sprintf("amount_paid %s, want %d cents", centsString(got.AmountPaid), rf.paid))
	}
	if got.Status != rf.status() {
		d = append(d, fmt.Sprintf("status %s, want %s", got.Status, rf.status()))
	}
	if len(got.Payments) != len(rf.payments) {
		d = append(d, fmt.Sprintf("%d payments, want %d", len(got.Payments), len(rf.payments)))
	} else {
		for i, p := range got.Payments {
			if c, ok := cents(p.Amount); !ok || c != rf.payments[i].amount || p.TransactionID != rf.payments[i].txn {
				d = append(d, fmt.Sprintf("payment %d is %s from %s, want %d from %s", i, centsString(p.Amount), p.TransactionID, rf.payments[i].amount, rf.payments[i].txn))
			}
		}
	}
	if len(got.RefundInvoices) != len(rf.parts) {
		d = append(d, fmt.Sprintf("%d invoices, want %d", len(got.RefundInvoices), len(rf.parts)))
	} else {
		for i, ri := range got.RefundInvoices {
			if c, ok := cents(ri.Amount); !ok || c != rf.parts[i].amount || ri.InvoiceID != rf.parts[i].inv.id {
				d = append(d, fmt.Sprintf("invoice %d is %s on %s, want %d on %s", i, centsString(ri.Amount), ri.InvoiceID, rf.parts[i].amount, rf.parts[i].inv.id))
			}
		}
	}
	return d
}

func (w *worker) compareRefund(where string, rf *refund, got asset.Refund) {
	if d := diffRefund(rf, got); len(d) > 0 {
		w.s.violate("%s: refund %s (%s) differs from its history: %s\n%s", where, rf.external, rf.id, joinDiffs(d), w.story(rf.id))
	}
}
