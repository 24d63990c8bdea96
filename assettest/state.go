package assettest

import (
	"encoding/json"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/assetkit/asset-go"
)

// business is one biz_ id's data. Nothing is shared between businesses, so
// one can never see or touch another's invoices or transactions.
type business struct {
	invoices []*invoice // creation order, which is also the list order
	byID     map[string]*invoice
	byNumber map[string]*invoice
	txns     map[string]*transaction
	// customers maps an external id to the cus_ id of its customer.
	customers    map[string]string
	customerList []*customer // creation order, which is also the list order
	customerByID map[string]*customer
	// transactions are in creation order; txns finds them by id,
	// txnByExternal by external_id, unique within the business.
	transactions  []*transaction
	txnByExternal map[string]*transaction
	// memos are the credit memos in creation order, which is also the list
	// order; they make up the customers' credit pools.
	memos        []*creditMemo
	memoByID     map[string]*creditMemo
	memoByNumber map[string]*creditMemo
	// tagFields are the tag names invoices may carry.
	tagFields map[string]bool
	refunds   refundBook
}

func newBusiness(tagFields []string) *business {
	b := &business{
		byID:          map[string]*invoice{},
		byNumber:      map[string]*invoice{},
		txns:          map[string]*transaction{},
		customers:     map[string]string{},
		customerByID:  map[string]*customer{},
		txnByExternal: map[string]*transaction{},
		memoByID:      map[string]*creditMemo{},
		memoByNumber:  map[string]*creditMemo{},
		tagFields:     map[string]bool{},
	}
	for _, name := range tagFields {
		b.tagFields[name] = true
	}
	return b
}

// unknownTags reports each tag name that is not a field of the business,
// in a stable order, at loc + "tags" + name.
func (b *business) unknownTags(names []string, loc []any) []fieldError {
	var errs []fieldError
	for _, name := range slices.Sorted(slices.Values(names)) {
		if !b.tagFields[name] {
			errs = append(errs, fieldError{
				Type: "value_error",
				Loc:  at(loc, "tags", name),
				Msg:  "Value error, tag field " + strconv.Quote(name) + " does not exist; create it before tagging with it",
			})
		}
	}
	return errs
}

// unknownBatchTags is unknownTags for each item of a batch create, at
// ["body", i, "tags", name]; tagsOf is an item's tags.
func unknownBatchTags[T, V any](b *business, items []T, tagsOf func(*T) map[string]V) []fieldError {
	var errs []fieldError
	for i := range items {
		errs = append(errs, b.unknownTags(slices.Collect(maps.Keys(tagsOf(&items[i]))), []any{"body", i})...)
	}
	return errs
}

// customer resolves an external customer id to the business's customer,
// creating it on first use, as the API links invoices to customers.
func (s *Server) customer(b *business, externalID string) string {
	id := b.customers[externalID]
	if id == "" {
		id = s.addCustomer(b, &customer{id: s.newID("cus_"), name: externalID, externalID: externalID}).id
	}
	return id
}

// idAlphabet is base58: ids look like the API's (inv_WQMDNUHpBThYSNh4AprDBo).
const idAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

func newID(prefix string) string {
	var b [22]byte
	for i := range b {
		b[i] = idAlphabet[rand.IntN(len(idAlphabet))]
	}
	return prefix + string(b[:])
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullableTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// business returns a business's state, creating it; s.mu must be held.
func (s *Server) business(id string) *business {
	b := s.businesses[id]
	if b == nil {
		b = newBusiness(s.tagFields)
		s.businesses[id] = b
	}
	return b
}

// AddTransaction records money received by a business, for payments to draw
// on, and returns its txn_ id: a shortcut for a transaction created through
// the API, listed and fetched like the others, with the external id
// "AddTransaction-" and the id's suffix, on the account
// AddTransactionAccount, dated now. It panics if businessID is not a biz_
// id (the API refuses every request for it), or if amount is not positive
// or has more than two decimal places, or if the server's state file
// (WithState) cannot be written.
func (s *Server) AddTransaction(businessID string, amount asset.Decimal) string {
	checkBusiness("AddTransaction", businessID)
	checkMoney("AddTransaction", amount)
	return s.mustControl("AddTransaction", &entry{Op: opAddTransaction, Business: businessID, Amount: amount.String()})
}

// decodeAsSDK is wire, what the server sends for one object, as the SDK
// decodes it into a T: what a test reads from the server's state then
// compares equal to what its client received. what names the object.
func decodeAsSDK[T any](what string, wire any) T {
	var out T
	if err := json.Unmarshal(mustJSON(wire), &out); err != nil {
		panic("assettest: the SDK cannot decode " + what + " this server wrote: " + err.Error())
	}
	return out
}

// publicAll is what list holds of a business, in its order, each as public
// gives it; nil if there is no such business. It takes s.mu.
func publicAll[S, T any](s *Server, businessID string, list func(*business) []S, public func(S) T) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.businesses[businessID]
	if b == nil {
		return nil
	}
	items := list(b)
	out := make([]T, len(items))
	for i, it := range items {
		out[i] = public(it)
	}
	return out
}

// TransactionRemaining is what payments may still draw from a transaction;
// false if the business has no such transaction.
func (s *Server) TransactionRemaining(businessID, transactionID string) (asset.Decimal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.businesses[businessID]; b != nil {
		if t := b.txns[transactionID]; t != nil {
			return t.remaining(), true
		}
	}
	return asset.Decimal{}, false
}

// AddTagField defines a tag field in a business, as if created in the
// API's settings: invoices may then carry a tag of that name. Defining one
// twice is harmless. It panics if businessID is not a biz_ id, if name is
// empty, or if the server's state file (WithState) cannot be written.
func (s *Server) AddTagField(businessID, name string) {
	checkBusiness("AddTagField", businessID)
	checkTagField(name)
	s.mustControl("AddTagField", &entry{Op: opAddTagField, Business: businessID, Name: name})
}

func checkBusiness(fn, businessID string) {
	if !prefixed(businessID, "biz_") {
		panic("assettest: " + fn + " needs a biz_ id, got " + strconv.Quote(businessID) + ": the API refuses every request for it")
	}
}

func checkTagField(name string) {
	if name == "" {
		panic("assettest: a tag field needs a name")
	}
}

// checkMoney holds the helpers to the rule requests are held to, so that
// every balance stays in whole cents and can be paid exactly.
func checkMoney(fn string, amount asset.Decimal) {
	if !amount.IsSet() || amount.Sign() <= 0 {
		panic("assettest: " + fn + " needs a positive amount, got " + strconv.Quote(amount.String()))
	}
	if !inCents(amount) {
		panic("assettest: " + fn + " needs an amount of at most 2 decimal places, got " + amount.String())
	}
}
