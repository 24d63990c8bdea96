package asset

import (
	"fmt"
	"time"
	"unicode/utf8"
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

// InvoiceLineChanges adds and deletes lines of an invoice.
type InvoiceLineChanges struct {
	CreateLines []InvoiceLineUpdate `json:"create_lines,omitempty"`
	DeleteLines []string            `json:"delete_lines,omitempty"`
	Metadata    map[string]any      `json:"metadata,omitempty"`
}

// InvoiceLineUpdate is a line added by an update. Unlike a new invoice's
// line it has no price, quantity, discount or tax: the API documents only
// these four fields for it, and would drop any other without an error.
type InvoiceLineUpdate struct {
	Description string `json:"description,omitempty"`
	LedgerID    string `json:"ledger_id,omitempty"`
	// Amount is the line's amount; it is required.
	Amount   Decimal        `json:"amount,omitzero"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// InvoiceUpdateLine is the former name of InvoiceLineUpdate.
//
// Deprecated: use InvoiceLineUpdate, whose words come in the order of
// InvoiceLineCreate's.
type InvoiceUpdateLine = InvoiceLineUpdate

// InvoiceWriteOff writes off part or all of an invoice's balance.
type InvoiceWriteOff struct {
	// Amount to write off; absent writes off the whole balance.
	Amount Decimal `json:"amount,omitzero"`
	// Description says why, for the ledger.
	Description string `json:"description,omitempty"`
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

// checkDecoded tells an invoice the API sent from the zero value an empty
// object decodes to.
func (inv *Invoice) checkDecoded() error { return checkHasID("invoice", inv.ID) }

func (c *InvoiceCreate) number() string { return c.Number }

func (*InvoiceCreate) numberField() string { return "number" }

func (c *InvoiceCreate) validate(field string) error {
	if err := checkText(field+".number", c.Number, true, 255); err != nil {
		return err
	}
	if err := checkText(field+".description", c.Description, false, 512); err != nil {
		return err
	}
	if err := checkPositive(field+".credit_amount", c.CreditAmount, true); err != nil {
		return err
	}
	return validateLines(field+".lines", c.Lines)
}

func validateLines(field string, lines []InvoiceLineCreate) error {
	for i, l := range lines {
		if utf8.RuneCountInString(l.Description) > 512 {
			return &InputError{Field: fmt.Sprintf("%s[%d].description", field, i), Reason: "is longer than 512 characters"}
		}
		for _, m := range []struct {
			name  string
			value Decimal
		}{
			{"unit_price", l.UnitPrice}, {"quantity", l.Quantity}, {"discount_amount", l.DiscountAmount},
			{"discount_rate", l.DiscountRate}, {"tax_amount", l.TaxAmount}, {"tax_rate", l.TaxRate}, {"amount", l.Amount},
		} {
			// Only a negative amount fails here; naming the field only
			// then keeps a valid batch from allocating a name per amount.
			if m.value.Sign() < 0 {
				return checkPositive(fmt.Sprintf("%s[%d].%s", field, i, m.name), m.value, true)
			}
		}
	}
	return nil
}

func (p *InvoiceListParams) validate() error {
	if err := checkPageSize(p.PageSize); err != nil {
		return err
	}
	if !p.DueAtStart.IsZero() && !p.DueAtEnd.IsZero() && p.DueAtEnd.Before(p.DueAtStart) {
		return &InputError{Field: "params.DueAtEnd", Reason: "is before DueAtStart"}
	}
	return checkStatuses(p.Status, "an invoice status")
}

func (u *InvoiceUpdate) validate() error {
	if u.Status != "" && !u.Status.IsKnown() {
		return &InputError{Field: "update.Status", Reason: fmt.Sprintf("%q is not an invoice status", u.Status)}
	}
	if u.Status == "" && u.LineChanges.empty() && len(u.Tags) == 0 {
		return &InputError{Field: "update", Reason: "changes nothing: set Status, LineChanges or Tags"}
	}
	if lc := u.LineChanges; lc != nil {
		for i, l := range lc.CreateLines {
			if err := l.validate(fmt.Sprintf("update.LineChanges.CreateLines[%d]", i)); err != nil {
				return err
			}
		}
		for i, id := range lc.DeleteLines {
			if err := checkID(fmt.Sprintf("update.LineChanges.DeleteLines[%d]", i), id); err != nil {
				return err
			}
		}
	}
	for name := range u.Tags {
		if name == "" {
			return &InputError{Field: "update.Tags", Reason: "has an empty tag name"}
		}
	}
	return nil
}

func (l *InvoiceLineUpdate) validate(field string) error {
	if err := checkText(field+".description", l.Description, false, 512); err != nil {
		return err
	}
	if !l.Amount.IsSet() {
		return &InputError{Field: field + ".amount", Reason: "is required: a line added by an update has an amount, not a price and quantity"}
	}
	return checkPositive(field+".amount", l.Amount, true)
}

func (lc *InvoiceLineChanges) empty() bool {
	return lc == nil || len(lc.CreateLines) == 0 && len(lc.DeleteLines) == 0 && len(lc.Metadata) == 0
}
