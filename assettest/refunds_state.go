package assettest

import (
	"time"

	"github.com/assetkit/asset-go"
)

// A refund's state: the refunds of a business, the form the API sends them
// in, and what a test reads of them.

// refundBook is a business's refunds. Its zero value is empty and ready.
type refundBook struct {
	list       []*refund // creation order, which is also the list order
	byID       map[string]*refund
	byExternal map[string]*refund // refund_external_id is unique per business
}

func (rb *refundBook) add(r *refund) {
	if rb.byID == nil {
		rb.byID, rb.byExternal = map[string]*refund{}, map[string]*refund{}
	}
	rb.list = append(rb.list, r)
	rb.byID[r.id] = r
	rb.byExternal[r.externalID] = r
}

// refundedOn is what the business's refunds gave back on an invoice so far.
func (rb *refundBook) refundedOn(invoiceID string) asset.Decimal {
	sum := asset.DecimalFromInt(0)
	for _, r := range rb.list {
		for _, ri := range r.invoices {
			if ri.invoiceID == invoiceID {
				sum = sum.Add(ri.amount)
			}
		}
	}
	return sum
}

// refund is a refund as stored.
type refund struct {
	seq                        uint64
	id, businessID, externalID string
	amount, paid               asset.Decimal
	memo, processor, method    string
	isReturn                   bool
	refundedAt                 time.Time
	status                     asset.RefundStatus
	payments                   []refundPayment
	invoices                   []refundedInvoice
}

type refundPayment struct {
	id, transactionID string
	amount            asset.Decimal
}

// refundedInvoice is the part of a refund that went to one invoice.
type refundedInvoice struct {
	id, externalID, invoiceID, lineID, memo string
	amount                                  asset.Decimal
}

func (r *refund) position() uint64 { return r.seq }

// covers reports whether r gave anything back on the invoice.
func (r *refund) covers(invoiceID string) bool {
	for _, ri := range r.invoices {
		if ri.invoiceID == invoiceID {
			return true
		}
	}
	return false
}

// wireRefund is a refund as the API sends it. Both documented versions'
// fields are sent (refund_credit from the older one, tags from the newer),
// so that clients are exercised on both.
type wireRefund struct {
	ID             string              `json:"id"`
	BusinessID     string              `json:"business_id"`
	ExternalID     string              `json:"external_id"`
	Amount         asset.Decimal       `json:"amount"`
	AmountPaid     asset.Decimal       `json:"amount_paid"`
	Memo           *string             `json:"memo"`
	Processor      *string             `json:"processor"`
	Method         string              `json:"method"`
	IsReturn       bool                `json:"is_return"`
	RefundCredit   bool                `json:"refund_credit"`
	RefundedAt     time.Time           `json:"refunded_at"`
	Status         string              `json:"status"`
	Payments       []wireRefundPayment `json:"payments"`
	RefundInvoices []wireRefundInvoice `json:"refund_invoices"`
	Tags           map[string]string   `json:"tags"`
}

type wireRefundPayment struct {
	ID            string        `json:"id"`
	Amount        asset.Decimal `json:"amount"`
	TransactionID string        `json:"transaction_id"`
}

type wireRefundInvoice struct {
	ID            string        `json:"id"`
	ExternalID    *string       `json:"external_id"`
	Amount        asset.Decimal `json:"amount"`
	Memo          *string       `json:"memo"`
	InvoiceID     string        `json:"invoice_id"`
	InvoiceLineID *string       `json:"invoice_line_id"`
}

func (r *refund) wire() wireRefund {
	w := wireRefund{
		ID:             r.id,
		BusinessID:     r.businessID,
		ExternalID:     r.externalID,
		Amount:         r.amount,
		AmountPaid:     r.paid,
		Memo:           nullable(r.memo),
		Processor:      nullable(r.processor),
		Method:         r.method,
		IsReturn:       r.isReturn,
		RefundedAt:     r.refundedAt,
		Status:         string(r.status),
		Payments:       make([]wireRefundPayment, len(r.payments)),
		RefundInvoices: make([]wireRefundInvoice, len(r.invoices)),
		Tags:           map[string]string{},
	}
	for i, p := range r.payments {
		w.Payments[i] = wireRefundPayment{ID: p.id, Amount: p.amount, TransactionID: p.transactionID}
	}
	for i, ri := range r.invoices {
		w.RefundInvoices[i] = wireRefundInvoice{
			ID: ri.id, ExternalID: nullable(ri.externalID), Amount: ri.amount, Memo: nullable(ri.memo),
			InvoiceID: ri.invoiceID, InvoiceLineID: nullable(ri.lineID),
		}
	}
	return w
}

// public is the refund as the SDK would decode it from a response.
func (r *refund) public() asset.Refund { return decodeAsSDK[asset.Refund]("a refund", r.wire()) }

// Refunds returns a business's refunds in creation order, straight from the
// server's state and exactly as the SDK would decode them: to check that a
// test refunded nothing twice.
func (s *Server) Refunds(businessID string) []asset.Refund {
	return publicAll(s, businessID, func(b *business) []*refund { return b.refunds.list }, (*refund).public)
}

// Refund returns one refund from the server's state; false if the business
// has no such refund.
func (s *Server) Refund(businessID, refundID string) (asset.Refund, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.businesses[businessID]; b != nil {
		if r := b.refunds.byID[refundID]; r != nil {
			return r.public(), true
		}
	}
	return asset.Refund{}, false
}
