package asset

import "encoding/json"

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
