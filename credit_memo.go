package asset

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// CreditMemo is credit issued to a customer, as the API returns it. Its
// amount goes into the customer's credit pool, which invoice payments
// without a transaction draw on; voiding it takes back what is left of it.
//
//asset:wire
type CreditMemo struct {
	ID         string  `json:"id"`
	BusinessID string  `json:"business_id"`
	CustomerID string  `json:"customer_id"`
	Number     string  `json:"number"`
	Amount     Decimal `json:"amount,omitzero"`
	// IssuedAt is when the credit was issued (the server's time of creation
	// unless the create call set it).
	IssuedAt time.Time `json:"issued_at,omitzero"`
	Memo     string    `json:"memo,omitempty"`
	// JournalEntryID is the journal entry that issued the credit.
	JournalEntryID string `json:"journal_entry_id,omitempty"`
	// Voided, VoidedAt and VoidJournalEntryID are set once the memo is
	// voided; the journal entry is the one that reversed the credit.
	Voided             bool      `json:"voided"`
	VoidedAt           time.Time `json:"voided_at,omitzero"`
	VoidJournalEntryID string    `json:"void_journal_entry_id,omitempty"`
	// CreatedBy is the entity that created the memo, when the API says.
	CreatedBy string `json:"created_by,omitempty"`
	// Tags come in either documented shape: {"Location": "NYC"} or
	// {"Job": [{"amount": "60.00", "value": "..."}]}.
	Tags map[string]TagValue `json:"tags,omitempty"`
}

// CreditMemoCreate is one credit memo to create. CustomerID, Number (unique
// within the business, at most 255 characters) and a positive Amount are
// required.
type CreditMemoCreate struct {
	CustomerID string  `json:"customer_id"`
	Number     string  `json:"number"`
	Amount     Decimal `json:"amount,omitzero"`
	// Memo describes the credit, at most 255 characters.
	Memo string `json:"memo,omitempty"`
	// IssuedAt defaults to the time the server creates the memo.
	IssuedAt time.Time `json:"issued_at,omitzero"`
	// Tags sets tag fields of the business by name to one value each:
	// {"Location": "NYC"}.
	Tags map[string]string `json:"tags,omitempty"`
	// TagAllocations sets tag fields by name to the list shape the docs
	// also allow, parts of the amount each assigned a value:
	// {"Job": [{"amount": "60.00", "value": "Maple Street Remodel"}]}.
	// They go in "tags" beside Tags; a name may be in only one of the two.
	// Each allocation needs a Value and an Amount that is not negative.
	TagAllocations map[string][]TagAllocation `json:"-"`
}

// CreditMemoListParams filters and pages a list of credit memos. Zero fields
// are left out of the query.
type CreditMemoListParams struct {
	// CustomerID keeps the memos of one customer.
	CustomerID string `url:"customer_id,omitempty"`
	// Voided, when not nil, keeps voided memos (true) or active ones
	// (false); nil keeps both.
	Voided *bool `url:"voided,omitempty"`
	// PageSize is 1 to 100; zero lets the server choose.
	PageSize int `url:"page_size,omitempty"`
	// PageToken starts at a page a previous response named.
	PageToken string `url:"page_token,omitempty"`
}

func (c *CreditMemoCreate) number() string { return c.Number }

func (*CreditMemoCreate) numberField() string { return "number" }

func (c *CreditMemoCreate) validate(field string) error {
	if c.CustomerID == "" {
		return &InputError{Field: field + ".customer_id", Reason: "is required: the customer whose credit pool the memo adds to"}
	}
	if err := checkText(field+".number", c.Number, true, 255); err != nil {
		return err
	}
	if err := checkText(field+".memo", c.Memo, false, 255); err != nil {
		return err
	}
	switch {
	case !c.Amount.IsSet():
		return &InputError{Field: field + ".amount", Reason: "is required"}
	case c.Amount.Sign() <= 0:
		return &InputError{Field: field + ".amount", Reason: c.Amount.String() + " is not greater than zero"}
	}
	return checkTagAllocations(field+".tags", c.Tags, c.TagAllocations)
}

// checkTagAllocations refuses list-shaped tags the API could not read: a
// name also set to a plain value, an empty list, an allocation without a
// value or an amount, or with a negative one. Names are checked in order,
// so that the error is the same from run to run.
func checkTagAllocations(field string, plain map[string]string, allocs map[string][]TagAllocation) error {
	for _, name := range slices.Sorted(maps.Keys(allocs)) {
		list, f := allocs[name], field+"."+name
		if _, ok := plain[name]; ok {
			return &InputError{Field: f, Reason: "is in both Tags and TagAllocations; give it one shape"}
		}
		if len(list) == 0 {
			return &InputError{Field: f, Reason: "has no allocations; leave the name out instead"}
		}
		for i, a := range list {
			af := fmt.Sprintf("%s[%d]", f, i)
			if a.Value == "" {
				return &InputError{Field: af + ".value", Reason: "is required"}
			}
			if !a.Amount.IsSet() {
				return &InputError{Field: af + ".amount", Reason: "is required"}
			}
			if err := checkPositive(af+".amount", a.Amount, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *CreditMemoListParams) validate() error {
	if err := checkPageSize(p.PageSize); err != nil {
		return err
	}
	if p.CustomerID != "" {
		return checkID("params.CustomerID", p.CustomerID)
	}
	return nil
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
