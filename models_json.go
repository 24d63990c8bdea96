package asset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// The model decoders accept both documented versions of the API: metadata is
// read from "metadata" or the older "metadata_", and times from RFC 3339 or
// the naive form pydantic writes for dates without a zone.
//
// encoding/json decodes into the wire types below, which stand for the
// models without methods of their own, and each wire type's into method is
// the one place where it becomes a model. The wire types nest wire types,
// not models: encoding/json scans the bytes of every value that has an
// UnmarshalJSON again before decoding it, so an invoice is scanned once
// for itself and not once more for each line and payment.

// invoiceWire is an Invoice as it travels: the same fields and names, with
// times that accept the naive form and both metadata keys.
type invoiceWire struct {
	ID             string              `json:"id"`
	BusinessID     string              `json:"business_id"`
	Number         string              `json:"number"`
	Description    string              `json:"description"`
	CustomerID     string              `json:"customer_id"`
	TotalAmount    Decimal             `json:"total_amount"`
	TotalPaid      Decimal             `json:"total_paid"`
	CreditAmount   Decimal             `json:"credit_amount"`
	Source         InvoiceSource       `json:"source"`
	Status         InvoiceStatus       `json:"status"`
	DueAt          flexTime            `json:"due_at"`
	SentAt         flexTime            `json:"sent_at"`
	VoidedAt       flexTime            `json:"voided_at"`
	Metadata       map[string]any      `json:"metadata"`
	LegacyMetadata map[string]any      `json:"metadata_"`
	Tags           map[string]TagValue `json:"tags"`
	Lines          []lineWire          `json:"lines"`
	Payments       []paymentWire       `json:"payments"`
}

type lineWire struct {
	ID             string         `json:"id"`
	InvoiceID      string         `json:"invoice_id"`
	Description    string         `json:"description"`
	LedgerID       string         `json:"ledger_id"`
	UnitPrice      Decimal        `json:"unit_price"`
	Quantity       Decimal        `json:"quantity"`
	DiscountAmount Decimal        `json:"discount_amount"`
	DiscountRate   Decimal        `json:"discount_rate"`
	TaxAmount      Decimal        `json:"tax_amount"`
	TaxRate        Decimal        `json:"tax_rate"`
	Amount         Decimal        `json:"amount"`
	IsPrepayment   bool           `json:"is_prepayment"`
	Metadata       map[string]any `json:"metadata"`
	LegacyMetadata map[string]any `json:"metadata_"`
}

type paymentWire struct {
	ID                   string   `json:"id"`
	InvoiceID            string   `json:"invoice_id"`
	TransactionID        string   `json:"transaction_id"`
	PaymentID            string   `json:"payment_id"`
	Datetime             flexTime `json:"datetime"`
	PaymentAmount        Decimal  `json:"payment_amount"`
	CreditJournalEntryID string   `json:"credit_journal_entry_id"`
	CreditMemoID         string   `json:"credit_memo_id"`
	IsWriteOff           bool     `json:"is_write_off"`
}

// UnmarshalJSON decodes either documented version of an invoice. Like
// encoding/json's own decoding, fields absent from b keep their value.
func (inv *Invoice) UnmarshalJSON(b []byte) error {
	return unmarshalWire(b, inv, invoiceToWire)
}

func (*Invoice) codec() envelopeCodec[Invoice] {
	return wireCodec[Invoice, invoiceWire, *invoiceWire]{}
}

// checkDecoded tells an invoice the API sent from the zero value an empty
// object decodes to.
func (inv *Invoice) checkDecoded() error { return checkHasID("invoice", inv.ID) }

// UnmarshalJSON decodes either documented version of a line.
func (l *InvoiceLine) UnmarshalJSON(b []byte) error {
	return unmarshalWire(b, l, lineToWire)
}

// UnmarshalJSON decodes a payment, whatever its "invoice" back reference holds.
func (p *InvoicePayment) UnmarshalJSON(b []byte) error {
	return unmarshalWire(b, p, paymentToWire)
}

// invoiceToWire starts a decode from inv's current values, so that decoding
// into a used Invoice behaves as encoding/json does for plain structs.
func invoiceToWire(inv *Invoice) invoiceWire {
	return invoiceWire{
		ID: inv.ID, BusinessID: inv.BusinessID, Number: inv.Number, Description: inv.Description,
		CustomerID: inv.CustomerID, TotalAmount: inv.TotalAmount, TotalPaid: inv.TotalPaid,
		CreditAmount: inv.CreditAmount, Source: inv.Source, Status: inv.Status,
		DueAt: flexTime{inv.DueAt}, SentAt: flexTime{inv.SentAt}, VoidedAt: flexTime{inv.VoidedAt},
		Metadata: inv.Metadata, Tags: inv.Tags,
		Lines: toWire(inv.Lines, lineToWire), Payments: toWire(inv.Payments, paymentToWire),
	}
}

// unmarshalWire decodes b into m through its wire form, which toWire starts
// from m's current values: like encoding/json's own decoding, fields absent
// from b keep their value.
func unmarshalWire[M, W any, PW interface {
	*W
	into(*M)
}](b []byte, m *M, toWire func(*M) W) error {
	w := toWire(m)
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	PW(&w).into(m)
	return nil
}

// toWire and fromWire convert slices, keeping nil apart from empty as
// encoding/json does.
func toWire[M, W any](ms []M, conv func(*M) W) []W {
	if ms == nil {
		return nil
	}
	ws := make([]W, len(ms))
	for i := range ms {
		ws[i] = conv(&ms[i])
	}
	return ws
}

func fromWire[W any, M any, PW interface {
	*W
	into(*M)
}](ws []W) []M {
	if ws == nil {
		return nil
	}
	ms := make([]M, len(ws))
	for i := range ws {
		PW(&ws[i]).into(&ms[i])
	}
	return ms
}

func (w *invoiceWire) into(inv *Invoice) {
	inv.ID, inv.BusinessID, inv.Number, inv.Description = w.ID, w.BusinessID, w.Number, w.Description
	inv.CustomerID, inv.TotalAmount, inv.TotalPaid, inv.CreditAmount = w.CustomerID, w.TotalAmount, w.TotalPaid, w.CreditAmount
	inv.Source, inv.Status = w.Source, w.Status
	inv.DueAt, inv.SentAt, inv.VoidedAt = w.DueAt.t, w.SentAt.t, w.VoidedAt.t
	inv.Metadata = w.Metadata
	if inv.Metadata == nil {
		inv.Metadata = w.LegacyMetadata
	}
	inv.Tags = w.Tags
	inv.Lines = fromWire[lineWire, InvoiceLine](w.Lines)
	inv.Payments = fromWire[paymentWire, InvoicePayment](w.Payments)
}

func lineToWire(l *InvoiceLine) lineWire {
	return lineWire{
		ID: l.ID, InvoiceID: l.InvoiceID, Description: l.Description, LedgerID: l.LedgerID,
		UnitPrice: l.UnitPrice, Quantity: l.Quantity, DiscountAmount: l.DiscountAmount,
		DiscountRate: l.DiscountRate, TaxAmount: l.TaxAmount, TaxRate: l.TaxRate, Amount: l.Amount,
		IsPrepayment: l.IsPrepayment, Metadata: l.Metadata,
	}
}

func (w *lineWire) into(l *InvoiceLine) {
	*l = InvoiceLine{
		ID: w.ID, InvoiceID: w.InvoiceID, Description: w.Description, LedgerID: w.LedgerID,
		UnitPrice: w.UnitPrice, Quantity: w.Quantity, DiscountAmount: w.DiscountAmount,
		DiscountRate: w.DiscountRate, TaxAmount: w.TaxAmount, TaxRate: w.TaxRate, Amount: w.Amount,
		IsPrepayment: w.IsPrepayment, Metadata: w.Metadata,
	}
	if l.Metadata == nil {
		l.Metadata = w.LegacyMetadata
	}
}

func paymentToWire(p *InvoicePayment) paymentWire {
	return paymentWire{
		ID: p.ID, InvoiceID: p.InvoiceID, TransactionID: p.TransactionID, PaymentID: p.PaymentID,
		Datetime: flexTime{p.Datetime}, PaymentAmount: p.PaymentAmount,
		CreditJournalEntryID: p.CreditJournalEntryID, CreditMemoID: p.CreditMemoID, IsWriteOff: p.IsWriteOff,
	}
}

func (w *paymentWire) into(p *InvoicePayment) {
	*p = InvoicePayment{
		ID: w.ID, InvoiceID: w.InvoiceID, TransactionID: w.TransactionID, PaymentID: w.PaymentID,
		Datetime: w.Datetime.t, PaymentAmount: w.PaymentAmount,
		CreditJournalEntryID: w.CreditJournalEntryID, CreditMemoID: w.CreditMemoID, IsWriteOff: w.IsWriteOff,
	}
}

// flexTime decodes RFC 3339, a date-time without a zone (read as UTC), or a
// bare date. null and "" leave it as it was.
type flexTime struct{ t time.Time }

var flexLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"}

func (f *flexTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	// Most times are RFC 3339 strings without escapes: parse them in place,
	// which time.Time does without allocating. Anything else takes the
	// general path.
	if s, ok := plainString(b); ok {
		if len(s) == 0 {
			return nil
		}
		var t time.Time
		if t.UnmarshalText(s) == nil {
			f.t = t
			return nil
		}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("asset: time %s is not a string", b)
	}
	if s == "" {
		return nil
	}
	for _, layout := range flexLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			f.t = t
			return nil
		}
	}
	return fmt.Errorf("asset: %q is not an ISO 8601 time", s)
}

// plainString returns the contents of a JSON string that encoding/json
// would decode to exactly those bytes: no escapes, no control characters,
// valid UTF-8.
func plainString(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil, false
	}
	s := b[1 : len(b)-1]
	ascii := true
	for _, c := range s {
		if c < 0x20 || c == '"' || c == '\\' {
			return nil, false
		}
		ascii = ascii && c < utf8.RuneSelf
	}
	return s, ascii || utf8.Valid(s)
}

// TagValue is one tag field's value on an invoice. The API documents two
// shapes: a plain string ({"Location": "NYC"}) and a list of allocations
// ({"Job": [{"amount": "3000.00", "value": "Roof"}]}). Any other shape is
// kept verbatim in Raw.
type TagValue struct {
	// Value is the tag's value when the API sent a string.
	Value string
	// Allocations is the tag's value when the API sent a list.
	Allocations []TagAllocation
	// Raw holds a shape neither of the above, as received.
	Raw json.RawMessage
}

// TagAllocation is one entry of a list-shaped tag: part of the invoice's
// amount assigned to a tag value.
type TagAllocation struct {
	Amount Decimal `json:"amount,omitzero"`
	Value  string  `json:"value"`
}

// UnmarshalJSON accepts a string, a list of allocations, null, or anything
// else (kept in Raw).
func (v *TagValue) UnmarshalJSON(b []byte) error {
	*v = TagValue{}
	trimmed := bytes.TrimSpace(b)
	switch {
	case string(trimmed) == "null":
		return nil
	case len(trimmed) > 0 && trimmed[0] == '"':
		if plain, ok := plainString(trimmed); ok {
			v.Value = string(plain)
			return nil
		}
		return json.Unmarshal(trimmed, &v.Value)
	case len(trimmed) > 0 && trimmed[0] == '[':
		if json.Unmarshal(trimmed, &v.Allocations) == nil {
			return nil
		}
		v.Allocations = nil
	}
	v.Raw = append(json.RawMessage(nil), trimmed...)
	return nil
}

// MarshalJSON writes the value back in the shape it came in.
func (v TagValue) MarshalJSON() ([]byte, error) {
	switch {
	case v.Raw != nil:
		return v.Raw, nil
	case v.Allocations != nil:
		return json.Marshal(v.Allocations)
	}
	return json.Marshal(v.Value)
}

// String is the plain value, or the allocations' values joined by commas.
func (v TagValue) String() string {
	if v.Allocations == nil {
		if v.Raw != nil {
			return string(v.Raw)
		}
		return v.Value
	}
	var b bytes.Buffer
	for i, a := range v.Allocations {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(a.Value)
	}
	return b.String()
}
