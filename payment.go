package asset

// InvoicePaymentCreate applies money to an invoice. With a TransactionID the
// amount defaults to the transaction's; without one the payment is drawn
// from the customer's credit and PaymentAmount is required.
type InvoicePaymentCreate struct {
	InvoiceID     string  `json:"invoice_id"`
	TransactionID string  `json:"transaction_id,omitempty"`
	PaymentAmount Decimal `json:"payment_amount,omitzero"`
}

func (p *InvoicePaymentCreate) validate() error {
	if err := checkID("payment.InvoiceID", p.InvoiceID); err != nil {
		return err
	}
	if p.TransactionID != "" {
		if err := checkID("payment.TransactionID", p.TransactionID); err != nil {
			return err
		}
	} else if !p.PaymentAmount.IsSet() {
		return &InputError{Field: "payment.PaymentAmount", Reason: "is required when there is no TransactionID (the payment is drawn from the customer's credit)"}
	}
	return checkPositive("payment.PaymentAmount", p.PaymentAmount, false)
}
