package asset

import "time"

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
