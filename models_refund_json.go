package asset

// refundWire is a Refund as it travels: refunded_at accepts the naive form
// the API may write. Payments and refunded invoices have no times and
// decode as they are.
type refundWire struct {
	ID             string              `json:"id"`
	BusinessID     string              `json:"business_id"`
	ExternalID     string              `json:"external_id"`
	Amount         Decimal             `json:"amount"`
	AmountPaid     Decimal             `json:"amount_paid"`
	Memo           string              `json:"memo"`
	Processor      string              `json:"processor"`
	Method         RefundMethod        `json:"method"`
	IsReturn       bool                `json:"is_return"`
	RefundCredit   bool                `json:"refund_credit"`
	RefundedAt     flexTime            `json:"refunded_at"`
	Status         RefundStatus        `json:"status"`
	Payments       []RefundPayment     `json:"payments"`
	RefundInvoices []RefundedInvoice   `json:"refund_invoices"`
	Tags           map[string]TagValue `json:"tags"`
}

// UnmarshalJSON decodes either documented version of a refund. Fields
// absent from b keep their value, as with encoding/json.
func (r *Refund) UnmarshalJSON(b []byte) error { return unmarshalWire(b, r, refundToWire) }

func refundToWire(r *Refund) refundWire {
	return refundWire{
		ID: r.ID, BusinessID: r.BusinessID, ExternalID: r.ExternalID, Amount: r.Amount,
		AmountPaid: r.AmountPaid, Memo: r.Memo, Processor: r.Processor, Method: r.Method,
		IsReturn: r.IsReturn, RefundCredit: r.RefundCredit, RefundedAt: flexTime{r.RefundedAt},
		Status: r.Status, Payments: r.Payments, RefundInvoices: r.RefundInvoices, Tags: r.Tags,
	}
}

func (*Refund) codec() envelopeCodec[Refund] {
	return wireCodec[Refund, refundWire, *refundWire]{}
}

// checkDecoded tells a refund the API sent from the zero value an empty
// object decodes to.
func (r *Refund) checkDecoded() error { return checkHasID("refund", r.ID) }

func (w *refundWire) into(r *Refund) {
	*r = Refund{
		ID: w.ID, BusinessID: w.BusinessID, ExternalID: w.ExternalID, Amount: w.Amount,
		AmountPaid: w.AmountPaid, Memo: w.Memo, Processor: w.Processor, Method: w.Method,
		IsReturn: w.IsReturn, RefundCredit: w.RefundCredit, RefundedAt: w.RefundedAt.t,
		Status: w.Status, Payments: w.Payments, RefundInvoices: w.RefundInvoices, Tags: w.Tags,
	}
}
