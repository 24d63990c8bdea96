package assettest

import (
	"maps"
	"slices"
	"time"

	"github.com/assetkit/asset-go"
)

// An invoice's state: the model the handlers change, the form the API
// sends it in, and what a test reads of it.

// add stores a new invoice; s.mu must be held.
func (b *business) add(inv *invoice) {
	b.invoices = append(b.invoices, inv)
	b.byID[inv.id] = inv
	b.byNumber[inv.number] = inv
}

// invoice is an invoice as stored; wire is its form on the wire.
type invoice struct {
	seq                     uint64 // creation order across the server, for page cursors
	id, businessID, number  string
	description, customerID string
	total, paid, credit     asset.Decimal
	status                  asset.InvoiceStatus
	dueAt, sentAt, voidedAt time.Time
	metadata                map[string]any
	tags                    map[string]string
	lines                   []line
	payments                []payment
}

// line is an invoice line: its id and what the request said of it.
type line struct {
	id string
	lineInput
}

// payment is money applied to an invoice: from a transaction, from the
// customer's credit, or written off.
type payment struct {
	id, transactionID string
	// creditMemoID and creditJournalEntryID are set on a payment drawn
	// from the customer's credit: the oldest memo it drew on, and the
	// journal entry that applied the credit.
	creditMemoID, creditJournalEntryID string
	datetime                           time.Time
	amount                             asset.Decimal
	isWriteOff                         bool
}

func (inv *invoice) balance() asset.Decimal { return inv.total.Sub(inv.paid) }

// hasLine reports whether the invoice has a line of that id.
func (inv *invoice) hasLine(id string) bool {
	return slices.ContainsFunc(inv.lines, func(l line) bool { return l.id == id })
}

// position places the invoice in the order lists page through.
func (inv *invoice) position() uint64 { return inv.seq }

// recompute sets the total from the lines.
func (inv *invoice) recompute() {
	total := asset.DecimalFromInt(0)
	for i := range inv.lines {
		total = total.Add(inv.lines[i].total())
	}
	inv.total = total
}

// settle moves the status after money or lines changed: an invoice whose
// balance reaches zero is paid, and a paid one whose total grew is open
// again. Statuses set by hand (voided, refunded ...) are left alone.
func (inv *invoice) settle() {
	covered := inv.total.Sign() > 0 && inv.paid.Cmp(inv.total) >= 0
	switch {
	case covered && (inv.status == asset.InvoiceStatusOpen || inv.status == asset.InvoiceStatusUncollectible):
		inv.status = asset.InvoiceStatusPaid
	case !covered && inv.status == asset.InvoiceStatusPaid:
		inv.status = asset.InvoiceStatusOpen
	}
}

func (s *Server) newLine(in lineInput) line { return line{id: s.newID("inv_line_"), lineInput: in} }

// The wire types are what the API sends: snake_case, bare JSON numbers for
// money, and every documented field present, null when it has no value, as
// pydantic writes them. They are kept apart from the SDK's models so that
// the fake checks the SDK rather than mirroring it.

type wireInvoice struct {
	ID           string            `json:"id"`
	BusinessID   string            `json:"business_id"`
	Number       string            `json:"number"`
	Description  *string           `json:"description"`
	CustomerID   *string           `json:"customer_id"`
	TotalAmount  asset.Decimal     `json:"total_amount"`
	TotalPaid    asset.Decimal     `json:"total_paid"`
	CreditAmount asset.Decimal     `json:"credit_amount"`
	Source       string            `json:"source"`
	Status       string            `json:"status"`
	DueAt        *time.Time        `json:"due_at"`
	SentAt       *time.Time        `json:"sent_at"`
	VoidedAt     *time.Time        `json:"voided_at"`
	Metadata     map[string]any    `json:"metadata"`
	Tags         map[string]string `json:"tags"`
	Lines        []wireLine        `json:"lines"`
	Payments     []wirePayment     `json:"payments"`
}

type wireLine struct {
	ID             string         `json:"id"`
	InvoiceID      string         `json:"invoice_id"`
	Description    *string        `json:"description"`
	LedgerID       *string        `json:"ledger_id"`
	UnitPrice      asset.Decimal  `json:"unit_price"`
	Quantity       asset.Decimal  `json:"quantity"`
	DiscountAmount asset.Decimal  `json:"discount_amount"`
	DiscountRate   asset.Decimal  `json:"discount_rate"`
	TaxAmount      asset.Decimal  `json:"tax_amount"`
	TaxRate        asset.Decimal  `json:"tax_rate"`
	Amount         asset.Decimal  `json:"amount"`
	IsPrepayment   bool           `json:"is_prepayment"`
	Metadata       map[string]any `json:"metadata"`
}

type wirePayment struct {
	ID                   string        `json:"id"`
	InvoiceID            string        `json:"invoice_id"`
	TransactionID        *string       `json:"transaction_id"`
	PaymentID            *string       `json:"payment_id"`
	Datetime             time.Time     `json:"datetime"`
	PaymentAmount        asset.Decimal `json:"payment_amount"`
	CreditJournalEntryID *string       `json:"credit_journal_entry_id"`
	CreditMemoID         *string       `json:"credit_memo_id"`
	IsWriteOff           bool          `json:"is_write_off"`
	// Invoice is the back reference the API documents as {}; it is sent so
	// that clients are exercised on it.
	Invoice struct{} `json:"invoice"`
}

// wire is the invoice as sent. It is marshalled while the state lock is
// held, so the maps it shares with the state are never read concurrently
// with a change.
func (inv *invoice) wire() wireInvoice {
	w := wireInvoice{
		ID:           inv.id,
		BusinessID:   inv.businessID,
		Number:       inv.number,
		Description:  nullable(inv.description),
		CustomerID:   nullable(inv.customerID),
		TotalAmount:  inv.total,
		TotalPaid:    inv.paid,
		CreditAmount: inv.credit,
		Source:       string(asset.InvoiceSourceManual),
		Status:       string(inv.status),
		DueAt:        nullableTime(inv.dueAt),
		SentAt:       nullableTime(inv.sentAt),
		VoidedAt:     nullableTime(inv.voidedAt),
		Metadata:     orEmpty(inv.metadata),
		Tags:         inv.tags,
		Lines:        make([]wireLine, len(inv.lines)),
		Payments:     make([]wirePayment, len(inv.payments)),
	}
	if w.Tags == nil {
		w.Tags = map[string]string{}
	}
	for i, l := range inv.lines {
		w.Lines[i] = wireLine{
			ID:             l.id,
			InvoiceID:      inv.id,
			Description:    nullable(l.description),
			LedgerID:       nullable(l.ledgerID),
			UnitPrice:      l.unitPrice,
			Quantity:       l.quantity,
			DiscountAmount: l.discountAmount,
			DiscountRate:   l.discountRate,
			TaxAmount:      l.taxAmount,
			TaxRate:        l.taxRate,
			Amount:         l.total(),
			IsPrepayment:   l.isPrepayment,
			Metadata:       orEmpty(l.metadata),
		}
	}
	for i, p := range inv.payments {
		w.Payments[i] = wirePayment{
			ID:                   p.id,
			InvoiceID:            inv.id,
			TransactionID:        nullable(p.transactionID),
			Datetime:             p.datetime,
			PaymentAmount:        p.amount,
			CreditJournalEntryID: nullable(p.creditJournalEntryID),
			CreditMemoID:         nullable(p.creditMemoID),
			IsWriteOff:           p.isWriteOff,
		}
	}
	return w
}

// public is the invoice as the SDK would decode it from a response, so that
// what a test reads from the server's state compares equal to what its
// client received.
func (inv *invoice) public() asset.Invoice {
	return decodeAsSDK[asset.Invoice]("an invoice", inv.wire())
}

// Invoices returns a business's invoices in creation order, straight from
// the server's state and exactly as the SDK would decode them: to check
// that a test created nothing twice, or what a failed call left behind.
func (s *Server) Invoices(businessID string) []asset.Invoice {
	return publicAll(s, businessID, func(b *business) []*invoice { return b.invoices }, (*invoice).public)
}

// Invoice returns one invoice from the server's state; false if the
// business has no such invoice.
func (s *Server) Invoice(businessID, invoiceID string) (asset.Invoice, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.businesses[businessID]; b != nil {
		if inv := b.byID[invoiceID]; inv != nil {
			return inv.public(), true
		}
	}
	return asset.Invoice{}, false
}

// cloneTags copies a tag map so that a PATCH that is refused half way leaves
// the stored one untouched.
func cloneTags(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}

// withoutLines returns lines minus those whose ids are in drop.
func withoutLines(lines []line, drop map[string]bool) []line {
	return slices.DeleteFunc(slices.Clone(lines), func(l line) bool { return drop[l.id] })
}
