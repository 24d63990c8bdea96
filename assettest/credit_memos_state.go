package assettest

import (
	"time"

	"github.com/assetkit/asset-go"
)

// A credit memo's state, the customer credit pool it makes up, and what a
// test reads of them.
//
// A customer's credit pool is the sum of what is left of the customer's
// memos that are not voided. A payment without a transaction draws on the
// pool oldest memo first (creation order), so a memo's remaining amount is
// what those draws left of it, and voiding a memo takes exactly that out
// of the pool. The payment's credit_memo_id names the oldest memo it drew
// on.

// creditMemo is a credit memo as stored.
type creditMemo struct {
	seq                           uint64 // creation order across the server, for page cursors
	id, businessID, customerID    string
	number, memo, createdBy       string
	journalEntryID, voidJournalID string
	amount, used                  asset.Decimal
	issuedAt, voidedAt            time.Time
	voided                        bool
	tags                          map[string]any // as memoInput's
}

func (m *creditMemo) position() uint64 { return m.seq }

// remaining is what payments may still draw from the memo.
func (m *creditMemo) remaining() asset.Decimal { return m.amount.Sub(m.used) }

// addMemo stores a new memo; s.mu must be held.
func (b *business) addMemo(m *creditMemo) {
	b.memos = append(b.memos, m)
	b.memoByID[m.id] = m
	b.memoByNumber[m.number] = m
}

// credit is what is left of a customer's pool, and whether a memo was ever
// issued to the customer; s.mu must be held.
func (b *business) credit(customerID string) (asset.Decimal, bool) {
	left, issued := asset.DecimalFromInt(0), false
	for _, m := range b.memos {
		if m.customerID != customerID {
			continue
		}
		issued = true
		if !m.voided {
			left = left.Add(m.remaining())
		}
	}
	return left, issued
}

// drawCredit takes amount, which the pool must cover, from the customer's
// memos oldest first and returns the id of the first memo drawn on; s.mu
// must be held.
func (b *business) drawCredit(customerID string, amount asset.Decimal) string {
	first := ""
	for _, m := range b.memos {
		if amount.Sign() <= 0 {
			break
		}
		left := m.remaining()
		if m.customerID != customerID || m.voided || left.Sign() <= 0 {
			continue
		}
		take := amount
		if take.Cmp(left) > 0 {
			take = left
		}
		m.used = m.used.Add(take)
		amount = amount.Sub(take)
		if first == "" {
			first = m.id
		}
	}
	return first
}

// wireCreditMemo is a credit memo as the API sends it.
type wireCreditMemo struct {
	ID                 string         `json:"id"`
	BusinessID         string         `json:"business_id"`
	CustomerID         string         `json:"customer_id"`
	Number             string         `json:"number"`
	Amount             asset.Decimal  `json:"amount"`
	IssuedAt           time.Time      `json:"issued_at"`
	JournalEntryID     string         `json:"journal_entry_id"`
	Voided             bool           `json:"voided"`
	Memo               *string        `json:"memo"`
	VoidJournalEntryID *string        `json:"void_journal_entry_id"`
	VoidedAt           *time.Time     `json:"voided_at"`
	CreatedBy          *string        `json:"created_by"`
	Tags               map[string]any `json:"tags"`
}

func (m *creditMemo) wire() wireCreditMemo {
	w := wireCreditMemo{
		ID:                 m.id,
		BusinessID:         m.businessID,
		CustomerID:         m.customerID,
		Number:             m.number,
		Amount:             m.amount,
		IssuedAt:           m.issuedAt,
		JournalEntryID:     m.journalEntryID,
		Voided:             m.voided,
		Memo:               nullable(m.memo),
		VoidJournalEntryID: nullable(m.voidJournalID),
		VoidedAt:           nullableTime(m.voidedAt),
		CreatedBy:          nullable(m.createdBy),
		Tags:               m.tags,
	}
	if w.Tags == nil {
		w.Tags = map[string]any{}
	}
	return w
}

// public is the memo as the SDK would decode it from a response.
func (m *creditMemo) public() asset.CreditMemo {
	return decodeAsSDK[asset.CreditMemo]("a credit memo", m.wire())
}

// CreditMemos returns a business's credit memos in creation order, straight
// from the server's state and exactly as the SDK would decode them: to
// check that a test issued no credit twice. Memos issued by AddCredit are
// among them.
func (s *Server) CreditMemos(businessID string) []asset.CreditMemo {
	return publicAll(s, businessID, func(b *business) []*creditMemo { return b.memos }, (*creditMemo).public)
}

// CreditMemoRemaining is what is left of one credit memo: its amount less
// what payments drew on it (oldest memo first). A voided memo keeps what
// was left when it was voided, though that is no longer in the pool.
// false if the business has no such memo.
func (s *Server) CreditMemoRemaining(businessID, creditMemoID string) (asset.Decimal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.businesses[businessID]; b != nil {
		if m := b.memoByID[creditMemoID]; m != nil {
			return m.remaining(), true
		}
	}
	return asset.Decimal{}, false
}

// AddCredit issues a credit memo of amount to a customer, as if created
// through the API: a shortcut for a test that needs credit and not the
// memo. A payment without a transaction_id draws on the customer's credit
// pool for an invoice of that customer. customerID is the invoice's
// customer_id (for an invoice created with a customer_external_id, the
// cus_ id it was given). Credit accumulates over calls, one memo per call,
// numbered "AddCredit-" and a random suffix; it is listed, fetched and
// voided like any other memo. It panics as AddTransaction does, or if
// customerID is empty.
func (s *Server) AddCredit(businessID, customerID string, amount asset.Decimal) {
	checkBusiness("AddCredit", businessID)
	if customerID == "" {
		panic("assettest: AddCredit needs a customer id")
	}
	checkMoney("AddCredit", amount)
	s.mustControl("AddCredit", &entry{Op: opAddCredit, Business: businessID, Customer: customerID, Amount: amount.String()})
}

// CreditRemaining is what is left of a customer's credit pool: what is left
// of each of the customer's memos that is not voided. false if no memo was
// ever issued to the customer in the business.
func (s *Server) CreditRemaining(businessID, customerID string) (asset.Decimal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.businesses[businessID]; b != nil {
		if left, ok := b.credit(customerID); ok {
			return left, true
		}
	}
	return asset.Decimal{}, false
}

// issueMemo creates a memo from a validated input; s.mu must be held.
func (s *Server) issueMemo(b *business, biz string, in memoInput, createdBy string) *creditMemo {
	s.seq++
	m := &creditMemo{
		seq:            s.seq,
		id:             s.newID("cm_"),
		businessID:     biz,
		customerID:     in.customerID,
		number:         in.number,
		memo:           in.memo,
		createdBy:      createdBy,
		journalEntryID: s.newID("je_"),
		amount:         in.amount,
		used:           asset.DecimalFromInt(0),
		issuedAt:       in.issuedAt,
		tags:           in.tags,
	}
	if m.issuedAt.IsZero() {
		m.issuedAt = normalTime(s.clock())
	}
	b.addMemo(m)
	return m
}
