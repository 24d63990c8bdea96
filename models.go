package asset

import (
	"time"
)

// InvoiceStatus is an invoice's state. Values the SDK does not know decode
// as themselves, never as an error; IsKnown tells them apart.
type InvoiceStatus string

// The documented invoice statuses.
const (
	InvoiceStatusOpen              InvoiceStatus = "open"
	InvoiceStatusPaid              InvoiceStatus = "paid"
	InvoiceStatusUncollectible     InvoiceStatus = "uncollectible"
	InvoiceStatusVoided            InvoiceStatus = "voided"
	InvoiceStatusRefunded          InvoiceStatus = "refunded"
	InvoiceStatusPartiallyRefunded InvoiceStatus = "partially_refunded"
)

// IsKnown reports whether s is one of the documented statuses.
func (s InvoiceStatus) IsKnown() bool {
	switch s {
	case InvoiceStatusOpen, InvoiceStatusPaid, InvoiceStatusUncollectible, InvoiceStatusVoided,
		InvoiceStatusRefunded, InvoiceStatusPartiallyRefunded:
		return true
	}
	return false
}

// InvoiceSource is where an invoice came from.
type InvoiceSource string

// The documented invoice sources.
const (
	InvoiceSourceManual InvoiceSource = "manual"
	InvoiceSourceStripe InvoiceSource = "stripe"
)

// IsKnown reports whether s is one of the documented sources.
func (s InvoiceSource) IsKnown() bool { return s == InvoiceSourceManual || s == InvoiceSourceStripe }

// Invoice is an invoice as the API returns it. Both documented versions of
// the model decode into it (metadata or metadata_, old and new line shapes).
//
//asset:wire
type Invoice struct {
	ID           string              `json:"id"`
	BusinessID   string              `json:"business_id"`
	Number       string              `json:"number"`
	Description  string              `json:"description,omitempty"`
	CustomerID   string              `json:"customer_id,omitempty"`
	TotalAmount  Decimal             `json:"total_amount,omitzero"`
	TotalPaid    Decimal             `json:"total_paid,omitzero"`
	CreditAmount Decimal             `json:"credit_amount,omitzero"`
	Source       InvoiceSource       `json:"source,omitempty"`
	Status       InvoiceStatus       `json:"status,omitempty"`
	DueAt        time.Time           `json:"due_at,omitzero"`
	SentAt       time.Time           `json:"sent_at,omitzero"`
	VoidedAt     time.Time           `json:"voided_at,omitzero"`
	Metadata     map[string]any      `json:"metadata,omitempty" alias:"metadata_"`
	Tags         map[string]TagValue `json:"tags,omitempty"`
	Lines        []InvoiceLine       `json:"lines,omitempty"`
	Payments     []InvoicePayment    `json:"payments,omitempty"`
}

// Balance is what remains to be paid: TotalAmount - TotalPaid.
func (inv *Invoice) Balance() Decimal { return inv.TotalAmount.Sub(inv.TotalPaid) }

// InvoiceLine is one line of an invoice. Older responses price a line with
// UnitPrice, Quantity, discounts and taxes; newer ones give its Amount.
//
//asset:wire
type InvoiceLine struct {
	ID             string         `json:"id"`
	InvoiceID      string         `json:"invoice_id,omitempty"`
	Description    string         `json:"description,omitempty"`
	LedgerID       string         `json:"ledger_id,omitempty"`
	UnitPrice      Decimal        `json:"unit_price,omitzero"`
	Quantity       Decimal        `json:"quantity,omitzero"`
	DiscountAmount Decimal        `json:"discount_amount,omitzero"`
	DiscountRate   Decimal        `json:"discount_rate,omitzero"`
	TaxAmount      Decimal        `json:"tax_amount,omitzero"`
	TaxRate        Decimal        `json:"tax_rate,omitzero"`
	Amount         Decimal        `json:"amount,omitzero"`
	IsPrepayment   bool           `json:"is_prepayment,omitempty"`
	Metadata       map[string]any `json:"metadata,omitempty" alias:"metadata_"`
}

// InvoicePayment is a payment applied to an invoice. The API's "invoice" back
// reference carries nothing (it is documented as {} and as "<unknown>") and
// is not kept.
//
//asset:wire
type InvoicePayment struct {
	ID                   string    `json:"id"`
	InvoiceID            string    `json:"invoice_id,omitempty"`
	TransactionID        string    `json:"transaction_id,omitempty"`
	PaymentID            string    `json:"payment_id,omitempty"`
	Datetime             time.Time `json:"datetime,omitzero"`
	PaymentAmount        Decimal   `json:"payment_amount,omitzero"`
	CreditJournalEntryID string    `json:"credit_journal_entry_id,omitempty"`
	CreditMemoID         string    `json:"credit_memo_id,omitempty"`
	IsWriteOff           bool      `json:"is_write_off,omitempty"`
}

// InvoiceCreate is one invoice to create. Number is required and must be
// unique within the business; amounts must not be negative.
type InvoiceCreate struct {
	Number             string              `json:"number"`
	Description        string              `json:"description,omitempty"`
	CustomerID         string              `json:"customer_id,omitempty"`
	CustomerExternalID string              `json:"customer_external_id,omitempty"`
	DueAt              time.Time           `json:"due_at,omitzero"`
	SentAt             time.Time           `json:"sent_at,omitzero"`
	CreditAmount       Decimal             `json:"credit_amount,omitzero"`
	Lines              []InvoiceLineCreate `json:"lines,omitempty"`
	Metadata           map[string]any      `json:"metadata,omitempty"`
	Tags               map[string]string   `json:"tags,omitempty"`
}

// InvoiceLineCreate is one line of a new invoice. Give either Amount, or
// UnitPrice and Quantity with optional discount and tax; the server
// computes the line's amount from them.
type InvoiceLineCreate struct {
	Description    string         `json:"description,omitempty"`
	LedgerID       string         `json:"ledger_id,omitempty"`
	UnitPrice      Decimal        `json:"unit_price,omitzero"`
	Quantity       Decimal        `json:"quantity,omitzero"`
	DiscountAmount Decimal        `json:"discount_amount,omitzero"`
	DiscountRate   Decimal        `json:"discount_rate,omitzero"`
	TaxAmount      Decimal        `json:"tax_amount,omitzero"`
	TaxRate        Decimal        `json:"tax_rate,omitzero"`
	Amount         Decimal        `json:"amount,omitzero"`
	IsPrepayment   bool           `json:"is_prepayment,omitempty"`
	Metadata       map[string]any `json:"metadata,omitempty"`
}

// InvoiceUpdate is a partial update: only what is set is sent.
type InvoiceUpdate struct {
	// Status moves the invoice, e.g. InvoiceStatusVoided to void it (the API
	// has no delete).
	Status InvoiceStatus `json:"status,omitempty"`
	// LineChanges adds and removes lines; the total is recomputed.
	LineChanges *InvoiceLineChanges `json:"line_changes,omitempty"`
	// Tags merges tag values: a non-nil value sets the tag, a nil value
	// removes it, and tags not named are left alone. Use TagSet and
	// TagRemove to build entries.
	Tags map[string]*string `json:"tags,omitempty"`
}

// TagSet is a Tags entry that sets a tag to value.
func TagSet(value string) *string { return &value }

// TagRemove is a Tags entry that removes a tag.
func TagRemove() *string { return nil }

// InvoiceLineChanges adds and deletes lines of an invoice.
type InvoiceLineChanges struct {
	CreateLines []InvoiceUpdateLine `json:"create_lines,omitempty"`
	DeleteLines []string            `json:"delete_lines,omitempty"`
	Metadata    map[string]any      `json:"metadata,omitempty"`
}

// InvoiceUpdateLine is a line added by an update. Unlike a new invoice's
// line it has no price, quantity, discount or tax: the API documents only
// these four fields for it, and would drop any other without an error.
type InvoiceUpdateLine struct {
	Description string `json:"description,omitempty"`
	LedgerID    string `json:"ledger_id,omitempty"`
	// Amount is the line's amount; it is required.
	Amount   Decimal        `json:"amount,omitzero"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// InvoiceWriteOff writes off part or all of an invoice's balance.
type InvoiceWriteOff struct {
	// Amount to write off; absent writes off the whole balance.
	Amount Decimal `json:"amount,omitzero"`
	// Description says why, for the ledger.
	Description string `json:"description,omitempty"`
}

// InvoicePaymentCreate applies money to an invoice. With a TransactionID the
// amount defaults to the transaction's; without one the payment is drawn
// from the customer's credit and PaymentAmount is required.
type InvoicePaymentCreate struct {
	InvoiceID     string  `json:"invoice_id"`
	TransactionID string  `json:"transaction_id,omitempty"`
	PaymentAmount Decimal `json:"payment_amount,omitzero"`
}

// InvoiceListParams filters and pages a list of invoices. Zero fields are
// left out of the query.
type InvoiceListParams struct {
	// Status keeps invoices in any of these statuses.
	Status []InvoiceStatus `url:"status,omitempty"`
	// DueAtStart and DueAtEnd keep invoices due in this range, inclusive.
	DueAtStart time.Time `url:"due_at_start,omitempty" layout:"2006-01-02T15:04:05.999999999Z07:00"`
	DueAtEnd   time.Time `url:"due_at_end,omitempty" layout:"2006-01-02T15:04:05.999999999Z07:00"`
	// PageSize is 1 to 100; zero lets the server choose.
	PageSize int `url:"page_size,omitempty"`
	// PageToken starts at a page a previous response named.
	PageToken string `url:"page_token,omitempty"`
}
