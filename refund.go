package asset

import (
	"fmt"
	"time"
)

// RefundMethod is how a refund reached the customer. Values the SDK does
// not know decode as themselves, never as an error; IsKnown tells them
// apart. Create refuses an unknown one before sending.
type RefundMethod string

// The documented refund methods.
const (
	RefundMethodCash          RefundMethod = "cash"
	RefundMethodCheck         RefundMethod = "check"
	RefundMethodCreditCard    RefundMethod = "credit_card"
	RefundMethodACH           RefundMethod = "ach"
	RefundMethodCreditBalance RefundMethod = "credit_balance"
	RefundMethodOther         RefundMethod = "other"
)

// IsKnown reports whether m is one of the documented methods.
func (m RefundMethod) IsKnown() bool {
	switch m {
	case RefundMethodCash, RefundMethodCheck, RefundMethodCreditCard, RefundMethodACH,
		RefundMethodCreditBalance, RefundMethodOther:
		return true
	}
	return false
}

// RefundStatus is a refund's state: pending until refund payments cover its
// amount, then completed. Unknown values decode as themselves.
type RefundStatus string

// The documented refund statuses.
const (
	RefundStatusPending   RefundStatus = "pending"
	RefundStatusCompleted RefundStatus = "completed"
	RefundStatusVoided    RefundStatus = "voided"
)

// IsKnown reports whether s is one of the documented statuses.
func (s RefundStatus) IsKnown() bool {
	return s == RefundStatusPending || s == RefundStatusCompleted || s == RefundStatusVoided
}

// Refund is money given back to a customer against one or more invoices,
// as the API returns it. Both documented versions decode into it: the
// older one has RefundCredit, the newer one Tags.
//
//asset:wire
type Refund struct {
	ID         string `json:"id"`
	BusinessID string `json:"business_id"`
	// ExternalID is the caller's own id for the refund, sent as
	// refund_external_id: the key to find a refund again.
	ExternalID string  `json:"external_id"`
	Amount     Decimal `json:"amount,omitzero"`
	// AmountPaid is what refund payments have covered so far.
	AmountPaid     Decimal             `json:"amount_paid,omitzero"`
	Memo           string              `json:"memo,omitempty"`
	Processor      string              `json:"processor,omitempty"`
	Method         RefundMethod        `json:"method,omitempty"`
	IsReturn       bool                `json:"is_return,omitempty"`
	RefundCredit   bool                `json:"refund_credit,omitempty"`
	RefundedAt     time.Time           `json:"refunded_at,omitzero"`
	Status         RefundStatus        `json:"status,omitempty"`
	Payments       []RefundPayment     `json:"payments,omitempty"`
	RefundInvoices []RefundedInvoice   `json:"refund_invoices,omitempty"`
	Tags           map[string]TagValue `json:"tags,omitempty"`
}

// Outstanding is what refund payments have yet to cover: Amount - AmountPaid.
func (r *Refund) Outstanding() Decimal { return r.Amount.Sub(r.AmountPaid) }

// RefundPayment is a transaction applied to a refund (ids rfp_).
type RefundPayment struct {
	ID            string  `json:"id"`
	Amount        Decimal `json:"amount,omitzero"`
	TransactionID string  `json:"transaction_id,omitempty"`
}

// RefundedInvoice is the part of a refund that went to one invoice (ids
// rfi_).
type RefundedInvoice struct {
	ID            string  `json:"id"`
	ExternalID    string  `json:"external_id,omitempty"`
	Amount        Decimal `json:"amount,omitzero"`
	Memo          string  `json:"memo,omitempty"`
	InvoiceID     string  `json:"invoice_id,omitempty"`
	InvoiceLineID string  `json:"invoice_line_id,omitempty"`
}

// RefundCreate is a refund to record. Amount, ExternalID, RefundedAt,
// Method and 1 to 100 InvoicesToRefund are required.
type RefundCreate struct {
	Amount Decimal `json:"amount"`
	// ExternalID is your own id for the refund, at most 255 characters and
	// unique within the business: it is how a refund whose outcome is
	// unknown is found again (see RefundService.ListForInvoice).
	ExternalID       string                `json:"refund_external_id"`
	RefundedAt       time.Time             `json:"refunded_at"`
	Method           RefundMethod          `json:"method"`
	InvoicesToRefund []RefundInvoiceCreate `json:"invoices_to_refund"`
	Memo             string                `json:"memo,omitempty"`
	// Processor is who processed the refund.
	Processor string `json:"processor,omitempty"`
	IsReturn  bool   `json:"is_return,omitempty"`
}

// RefundInvoiceCreate is the part of a new refund that goes to one invoice, named
// by InvoiceID or InvoiceExternalID.
type RefundInvoiceCreate struct {
	Amount            Decimal `json:"amount"`
	InvoiceID         string  `json:"invoice_id,omitempty"`
	InvoiceExternalID string  `json:"invoice_external_id,omitempty"`
	// InvoiceLineID narrows the refund to one line of the invoice.
	InvoiceLineID string `json:"invoice_line_id,omitempty"`
	Memo          string `json:"memo,omitempty"`
}

// RefundInvoice is the former name of RefundInvoiceCreate.
//
// Deprecated: use RefundInvoiceCreate: the old name was one letter away
// from RefundedInvoice, what a refund returns.
type RefundInvoice = RefundInvoiceCreate

// RefundPaymentCreate applies a transaction to a refund. PaymentAmount
// unset means the transaction's amount; it may be zero but not negative.
type RefundPaymentCreate struct {
	RefundID      string  `json:"refund_id"`
	TransactionID string  `json:"transaction_id"`
	PaymentAmount Decimal `json:"payment_amount,omitzero"`
}

// RefundListParams filters and pages a business's refunds. Zero fields are
// left out of the query.
type RefundListParams struct {
	// Status keeps refunds in this status; empty keeps all. The API takes
	// one status here, unlike the invoice list: to see two, list each.
	Status RefundStatus `url:"status,omitempty"`
	// PageSize is 1 to 100; zero lets the server choose.
	PageSize int `url:"page_size,omitempty"`
	// PageToken starts at a page a previous response named.
	PageToken string `url:"page_token,omitempty"`
}

// maxRefundInvoices is the API's limit on invoices per refund.
const maxRefundInvoices = 100

func (r *RefundCreate) validate() error {
	if !r.Amount.IsSet() {
		return &InputError{Field: "refund.Amount", Reason: "is required"}
	}
	if err := checkPositive("refund.Amount", r.Amount, false); err != nil {
		return err
	}
	if err := checkText("refund.ExternalID", r.ExternalID, true, 255); err != nil {
		return err
	}
	if r.RefundedAt.IsZero() {
		return &InputError{Field: "refund.RefundedAt", Reason: "is required"}
	}
	if !r.Method.IsKnown() {
		return &InputError{Field: "refund.Method", Reason: fmt.Sprintf("%q is not a refund method (use a RefundMethod constant)", r.Method)}
	}
	if err := checkText("refund.Memo", r.Memo, false, 255); err != nil {
		return err
	}
	if err := checkText("refund.Processor", r.Processor, false, 255); err != nil {
		return err
	}
	switch n := len(r.InvoicesToRefund); {
	case n == 0:
		return &InputError{Field: "refund.InvoicesToRefund", Reason: "is empty: name at least one invoice"}
	case n > maxRefundInvoices:
		return &InputError{Field: "refund.InvoicesToRefund", Reason: fmt.Sprintf("has %d invoices; the API takes at most %d per refund", n, maxRefundInvoices)}
	}
	for i := range r.InvoicesToRefund {
		if err := r.InvoicesToRefund[i].validate(fmt.Sprintf("refund.InvoicesToRefund[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

func (ri *RefundInvoiceCreate) validate(field string) error {
	if ri.InvoiceID == "" && ri.InvoiceExternalID == "" {
		return &InputError{Field: field + ".InvoiceID", Reason: "is required, or InvoiceExternalID"}
	}
	if ri.InvoiceID != "" {
		if err := checkID(field+".InvoiceID", ri.InvoiceID); err != nil {
			return err
		}
	}
	if err := checkText(field+".InvoiceExternalID", ri.InvoiceExternalID, false, 255); err != nil {
		return err
	}
	if ri.InvoiceLineID != "" {
		if err := checkID(field+".InvoiceLineID", ri.InvoiceLineID); err != nil {
			return err
		}
	}
	if !ri.Amount.IsSet() {
		return &InputError{Field: field + ".Amount", Reason: "is required"}
	}
	return checkPositive(field+".Amount", ri.Amount, false)
}

func (p *RefundPaymentCreate) validate() error {
	if err := checkID("payment.RefundID", p.RefundID); err != nil {
		return err
	}
	if err := checkID("payment.TransactionID", p.TransactionID); err != nil {
		return err
	}
	// Zero is allowed (the API's bound is >= 0); unset means the
	// transaction's amount.
	return checkPositive("payment.PaymentAmount", p.PaymentAmount, true)
}

func (p *RefundListParams) validate() error {
	if err := checkPageSize(p.PageSize); err != nil {
		return err
	}
	if p.Status != "" && !p.Status.IsKnown() {
		return &InputError{Field: "params.Status", Reason: fmt.Sprintf("%q is not a refund status", p.Status)}
	}
	return nil
}

// checkDecoded tells a refund the API sent from the zero value an empty
// object decodes to.
func (r *Refund) checkDecoded() error { return checkHasID("refund", r.ID) }
