package asset

import "fmt"

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

func (ri *RefundInvoice) validate(field string) error {
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
