package asset

import "encoding/json"

// creditMemoWire is a CreditMemo as it travels: times that accept the naive
// form, tags in either documented shape.
type creditMemoWire struct {
	ID                 string              `json:"id"`
	BusinessID         string              `json:"business_id"`
	CustomerID         string              `json:"customer_id"`
	Number             string              `json:"number"`
	Amount             Decimal             `json:"amount"`
	IssuedAt           flexTime            `json:"issued_at"`
	Memo               string              `json:"memo"`
	JournalEntryID     string              `json:"journal_entry_id"`
	Voided             bool                `json:"voided"`
	VoidedAt           flexTime            `json:"voided_at"`
	VoidJournalEntryID string              `json:"void_journal_entry_id"`
	CreatedBy          string              `json:"created_by"`
	Tags               map[string]TagValue `json:"tags"`
}

// UnmarshalJSON decodes a credit memo in any documented version. Like
// encoding/json's own decoding, fields absent from b keep their value.
func (m *CreditMemo) UnmarshalJSON(b []byte) error { return unmarshalWire(b, m, creditMemoToWire) }

func creditMemoToWire(m *CreditMemo) creditMemoWire {
	return creditMemoWire{
		ID: m.ID, BusinessID: m.BusinessID, CustomerID: m.CustomerID, Number: m.Number,
		Amount: m.Amount, IssuedAt: flexTime{m.IssuedAt}, Memo: m.Memo, JournalEntryID: m.JournalEntryID,
		Voided: m.Voided, VoidedAt: flexTime{m.VoidedAt}, VoidJournalEntryID: m.VoidJournalEntryID,
		CreatedBy: m.CreatedBy, Tags: m.Tags,
	}
}

func (w *creditMemoWire) into(m *CreditMemo) {
	*m = CreditMemo{
		ID: w.ID, BusinessID: w.BusinessID, CustomerID: w.CustomerID, Number: w.Number,
		Amount: w.Amount, IssuedAt: w.IssuedAt.t, Memo: w.Memo, JournalEntryID: w.JournalEntryID,
		Voided: w.Voided, VoidedAt: w.VoidedAt.t, VoidJournalEntryID: w.VoidJournalEntryID,
		CreatedBy: w.CreatedBy, Tags: w.Tags,
	}
}

func (*CreditMemo) codec() envelopeCodec[CreditMemo] {
	return wireCodec[CreditMemo, creditMemoWire, *creditMemoWire]{}
}

// checkDecoded tells a credit memo the API sent from the zero value an
// empty object decodes to.
func (m *CreditMemo) checkDecoded() error { return checkHasID("credit memo", m.ID) }

// MarshalJSON writes the memo with Tags and TagAllocations together in
// "tags", allocation amounts as strings, as the docs show them.
func (c CreditMemoCreate) MarshalJSON() ([]byte, error) {
	type fields CreditMemoCreate // the same fields, without this method
	if len(c.TagAllocations) == 0 {
		return json.Marshal(fields(c))
	}
	tags := make(map[string]any, len(c.Tags)+len(c.TagAllocations))
	for k, v := range c.Tags {
		tags[k] = v
	}
	for k, list := range c.TagAllocations {
		wire := make([]tagAllocationWire, len(list))
		for i, a := range list {
			wire[i] = tagAllocationWire{Amount: a.Amount.String(), Value: a.Value}
		}
		tags[k] = wire
	}
	return json.Marshal(struct {
		fields
		Tags map[string]any `json:"tags"`
	}{fields(c), tags})
}

// tagAllocationWire is a TagAllocation as a create call sends it.
type tagAllocationWire struct {
	Amount string `json:"amount"`
	Value  string `json:"value"`
}
