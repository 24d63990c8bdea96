package soak

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/assetkit/asset-go"
)

// The model: what a worker's invoices, credit, refunds and transactions
// must be on the server, kept in cents from the calls the worker knows to
// have been applied. Each worker owns what it models and calls one thing
// at a time, so its model is exact whatever the other workers do.

type invoice struct {
	id, number string
	total      int64 // the sum of the lines
	paid       int64 // total_paid: payments and write-offs
	money      int64 // what payments brought in (write-offs are not money)
	refunded   int64
	credit     int64 // credit_amount, as created
	status     asset.InvoiceStatus
	lines      int
	tag        string
	payments   []payment
}

type payment struct {
	txn        string
	amount     int64
	writeOff   bool
	fromCredit bool
}

func (m *invoice) balance() int64 { return m.total - m.paid }

// settle moves the status as the API does once money or lines changed.
func (m *invoice) settle() {
	covered := m.total > 0 && m.paid >= m.total
	switch {
	case covered && m.status == asset.InvoiceStatusOpen:
		m.status = asset.InvoiceStatusPaid
	case !covered && m.status == asset.InvoiceStatusPaid:
		m.status = asset.InvoiceStatusOpen
	}
}

func (m *invoice) pay(p payment) {
	m.payments = append(m.payments, p)
	m.paid += p.amount
	if !p.writeOff {
		m.money += p.amount
	}
	m.settle()
}

type memo struct {
	id, number string
	amount     int64
	used       int64
	voided     bool
	createdBy  string // the x-user-id of the call that created it; "" for AddCredit
}

type refund struct {
	id, external string
	parts        []refundPart
	amount, paid int64
	payments     []payment
}

type refundPart struct {
	inv    *invoice
	amount int64
}

func (r *refund) status() asset.RefundStatus {
	if r.paid >= r.amount {
		return asset.RefundStatusCompleted
	}
	return asset.RefundStatusPending
}

type txn struct {
	id      string
	amount  int64
	applied int64
}

// dec is an amount in cents as a Decimal.
func dec(cents int64) asset.Decimal { return asset.NewDecimal(decimal.New(cents, -2)) }

// cents is d in cents; false when d has a fraction of a cent, which no
// amount the API computes may have.
func cents(d asset.Decimal) (int64, bool) {
	c := d.Decimal().Shift(2)
	return c.IntPart(), c.IsInteger()
}

// centsString is d in cents for a report, or d itself when it has a
// fraction of a cent.
func centsString(d asset.Decimal) string {
	if c, ok := cents(d); ok {
		return fmt.Sprint(c)
	}
	return d.String() + " (not whole cents)"
}

// diffInvoice lists where got differs from m, with its payments when
// full is set (a listed or fetched invoice during the run carries them
// too, but the final check is the one that reports them in detail).
func diffInvoice(m *invoice, got asset.Invoice, full bool) []string {
	var d []string
	money := func(name string, want int64, have asset.Decimal) {
		if c, ok := cents(have); !ok || c != want {
			d = append(d, fmt.Sprintf("%s %s, want %d cents", name, centsString(have), want))
		}
	}
	money("total_amount", m.total, got.TotalAmount)
	money("total_paid", m.paid, got.TotalPaid)
	if m.credit != 0 || got.CreditAmount.IsSet() {
		money("credit_amount", m.credit, got.CreditAmount)
	}
	if got.Status != m.status {
		d = append(d, fmt.Sprintf("status %s, want %s", got.Status, m.status))
	}
	if len(got.Lines) != m.lines {
		d = append(d, fmt.Sprintf("%d lines, want %d", len(got.Lines), m.lines))
	}
	if tag := got.Tags[tagField].String(); tag != m.tag {
		d = append(d, fmt.Sprintf("tag %q, want %q", tag, m.tag))
	}
	if len(got.Payments) != len(m.payments) {
		d = append(d, fmt.Sprintf("%d payments, want %d", len(got.Payments), len(m.payments)))
	} else if full {
		for i, p := range got.Payments {
			w := m.payments[i]
			c, ok := cents(p.PaymentAmount)
			if !ok || c != w.amount || p.TransactionID != w.txn || p.IsWriteOff != w.writeOff || (p.CreditMemoID != "") != w.fromCredit {
				d = append(d, fmt.Sprintf("payment %d is %s from %q (write-off %t, credit memo %q), want %d cents from %q (write-off %t, from credit %t)",
					i, centsString(p.PaymentAmount), p.TransactionID, p.IsWriteOff, p.CreditMemoID, w.amount, w.txn, w.writeOff, w.fromCredit))
			}
		}
	}
	return d
}

// joinDiffs is a report's list of differences.
func joinDiffs(d []string) string { return strings.Join(d, "; ") }
