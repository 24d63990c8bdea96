package asset

import (
	"fmt"
	"unicode/utf8"
)

// maxRefundInvoices is the API's limit on invoices per refund.
const maxRefundInvoices = 100

func (r *RefundCreate) validate() error {
	if !r.Amount.IsSet() {
		return &InputError{Field: "refund.Amount", Reason: "is required"}
	}
	if err := checkPositive("refund.Amount", r.Amount, false); err != nil {
		return err
	}
	if err := checkRefundText("refund.ExternalID", r.ExternalID, true); err != nil {
		return err
	}
	if r.RefundedAt.IsZero() {
		return &InputError{Field: "refund.RefundedAt", Reason: "is required"}
	}
	if !r.Method.IsKnown() {
		return &InputError{Field: "refund.Method", Reason: fmt.Sprintf("%q is not a refund method (use a RefundMethod constant)", r.Method)}
	}
	if err := checkRefundText("refund.Memo", r.Memo, false); err != nil {
		return err
	}
	if err := checkRefundText("refund.Processor", r.Processor, false); err != nil {
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

func (ri *RefundInvoice) validate(field string) error {
	if ri.InvoiceID == "" && ri.InvoiceExternalID == "" {
		return &InputError{Field: field + ".InvoiceID", Reason: "is required, or InvoiceExternalID"}
	}
	if ri.InvoiceID != "" {
		if err := checkID(field+".InvoiceID", ri.InvoiceID); err != nil {
			return err
		}
	}
	if err := checkRefundText(field+".InvoiceExternalID", ri.InvoiceExternalID, false); err != nil {
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
	if p.PageSize != 0 && (p.PageSize < 1 || p.PageSize > 100) {
		return &InputError{Field: "params.PageSize", Reason: fmt.Sprintf("%d is outside 1..100", p.PageSize)}
	}
	for i, st := range p.Status {
		if !st.IsKnown() {
			return &InputError{Field: fmt.Sprintf("params.Status[%d]", i), Reason: fmt.Sprintf("%q is not a refund status", st)}
		}
	}
	return nil
}

// checkRefundText refuses a required text that is empty, and any text longer than
// the API's 255 characters.
func checkRefundText(field, s string, required bool) error {
	switch {
	case required && s == "":
		return &InputError{Field: field, Reason: "is required"}
	case utf8.RuneCountInString(s) > 255:
		return &InputError{Field: field, Reason: "is longer than 255 characters"}
	}
	return nil
}
