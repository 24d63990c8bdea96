package assettest

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/assetkit/asset-go"
)

// Transactions. The docs describe a create that answers the transactions
// "accepted for processing" and no refusals; they leave open what a second
// transaction_id (the caller's id, external_id once created) does. The
// fake makes it unique within a business, as the newer list's external_ids
// filter suggests, and answers a batch as invoice batches are answered:
// 202 with the transactions created in "data", and each one whose id is
// already taken, in the business or earlier in the batch, in "errors" as
// {"error", "transaction_id"}. Transactions are created at once, never
// later.

// txnInput is a validated TransactionCreate.
type txnInput struct {
	externalID, accountID, description string
	amount                             asset.Decimal
	datetime                           time.Time
	metadata                           map[string]any
}

func (v *validator) txnCreate(val any, loc []any) txnInput {
	obj, ok := v.object(val, loc)
	if !ok {
		return txnInput{}
	}
	in := txnInput{
		description: v.str(obj, "description", loc, true, 512),
		externalID:  v.str(obj, "transaction_id", loc, true, 255),
		metadata:    v.dict(obj, "metadata_", loc),
		amount:      v.requiredDecimal(obj, "amount", loc, anySign, cents),
	}
	if _, ok := v.lookup(obj, "transaction_datetime", loc, true); ok {
		in.datetime = normalTime(v.datetime(obj, "transaction_datetime", loc))
	}
	// The newer docs require external_account_id (eac_); the older named
	// the account linked_account_id. Either is taken.
	if _, older := obj["linked_account_id"]; older && obj["external_account_id"] == nil {
		in.accountID = v.str(obj, "linked_account_id", loc, true, 255)
	} else if in.accountID = v.str(obj, "external_account_id", loc, true, 255); in.accountID != "" && !prefixed(in.accountID, "eac_") {
		v.fail(at(loc, "external_account_id"), "value_error", "Value error, external_account_id must look like eac_...")
	}
	return in
}

// txnRefusal is a transaction of a create call refused on its own.
type txnRefusal struct {
	Error         string `json:"error"`
	TransactionID string `json:"transaction_id"`
}

// createTransactions is POST /transactions.
func (s *Server) createTransactions(c *call) response {
	inputs, bad := parseBatch(c.jsonBody(), (*validator).txnCreate)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.business(c.business)
	data := []wireTransaction{}
	refused := []txnRefusal{}
	inBatch := map[string]bool{}
	for _, in := range inputs {
		if msg := externalIDTaken(in.externalID, b.txnByExternal[in.externalID] != nil, inBatch); msg != "" {
			refused = append(refused, txnRefusal{Error: msg, TransactionID: in.externalID})
			continue
		}
		t := &transaction{id: s.newID("txn_"), externalID: in.externalID, accountID: in.accountID, description: in.description,
			amount: in.amount, datetime: in.datetime, metadata: in.metadata}
		s.addTransaction(b, t)
		data = append(data, t.wire(b, includes{}))
	}
	if len(data) == 0 {
		// Nothing changed: the journal need not keep the request.
		res := batchResponse(http.StatusAccepted, data, refused)
		res.unchanged = true
		return res
	}
	return batchResponse(http.StatusAccepted, data, refused)
}

// externalIDTaken is why a transaction_id cannot be used, or "".
func externalIDTaken(id string, exists bool, seen map[string]bool) string {
	switch {
	case seen[id]:
		return "transaction_id " + strconv.Quote(id) + " appears more than once in the batch"
	case exists:
		return "A transaction with transaction_id " + strconv.Quote(id) + " already exists"
	}
	seen[id] = true
	return ""
}

// readIncludes reads the includes query parameter: comma-separated, in one
// key or several.
func readIncludes(v *validator, q url.Values) includes {
	var inc includes
	for _, name := range commaValues(q, "includes") {
		switch name {
		case "invoice_payments":
			inc.invoicePayments = true
		case "invoice_payments.invoice":
			inc.invoicePayments, inc.invoices = true, true
		case "refund_payments":
			inc.refundPayments = true
		case "bill_payments":
			inc.billPayments = true
		default:
			v.fail([]any{"query", "includes"}, "value_error", "Value error, unsupported include "+name+
				": use invoice_payments, invoice_payments.invoice, refund_payments or bill_payments")
		}
	}
	return inc
}

// commaValues is every value of a list filter: the docs have it both as
// comma-separated text and as repeated keys, so both are read.
func commaValues(q url.Values, key string) []string {
	var out []string
	for _, raw := range q[key] {
		for _, part := range strings.Split(raw, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// getTransaction is GET /transactions/{transaction_id}.
func (s *Server) getTransaction(c *call) response {
	var v validator
	inc := readIncludes(&v, c.r.URL.Query())
	if !v.ok() {
		return *invalid(v.errs...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.businesses[c.business]; b != nil {
		if t := b.txns[c.param("transaction_id")]; t != nil {
			return dataResponse(http.StatusOK, t.wire(b, inc))
		}
	}
	return detail(http.StatusNotFound, "Transaction not found")
}

// txnFilter is a transaction list's filters.
type txnFilter struct {
	typ                      string
	reviewed, hasReviewed    bool
	start, end               time.Time
	accounts, ids, externals map[string]bool
}

func (f *txnFilter) match(t *transaction) bool {
	in := func(set map[string]bool, v string) bool { return set == nil || set[v] }
	return (f.typ == "" || f.typ == string(asset.TransactionTypeBusiness)) && (!f.hasReviewed || !f.reviewed) &&
		(f.start.IsZero() || !t.datetime.Before(f.start)) && (f.end.IsZero() || !t.datetime.After(f.end)) &&
		in(f.accounts, t.accountID) && in(f.ids, t.id) && in(f.externals, t.externalID)
}

// listTransactions is GET /transactions with every documented filter,
// sorted by datetime (or description), newest first unless order=asc.
func (s *Server) listTransactions(c *call) response {
	q := c.r.URL.Query()
	var v validator
	f := txnFilter{typ: q.Get("type")}
	if f.typ != "" && !asset.TransactionType(f.typ).IsKnown() {
		v.fail([]any{"query", "type"}, "enum", "Input should be 'business' or 'personal'")
	}
	f.reviewed, f.hasReviewed = queryBool(&v, q.Get("reviewed"), []any{"query", "reviewed"})
	f.start = queryTime(&v, q, "start_datetime")
	f.end = queryTime(&v, q, "end_datetime")
	set := func(key string) map[string]bool {
		vals := commaValues(q, key)
		if len(vals) == 0 {
			return nil
		}
		m := map[string]bool{}
		for _, x := range vals {
			m[x] = true
		}
		return m
	}
	f.accounts, f.ids, f.externals = set("account_ids"), set("ids"), set("external_ids")
	if len(commaValues(q, "ids")) > 100 {
		v.fail([]any{"query", "ids"}, "value_error", "Value error, at most 100 ids")
	}
	inc := readIncludes(&v, q)
	sortBy, order := cmp.Or(q.Get("sort_by"), "datetime"), cmp.Or(q.Get("order"), "desc")
	if sortBy != "datetime" && sortBy != "description" {
		v.fail([]any{"query", "sort_by"}, "enum", "Input should be 'datetime' or 'description'")
	}
	if order != "asc" && order != "desc" {
		v.fail([]any{"query", "order"}, "enum", "Input should be 'asc' or 'desc'")
	}
	filters := []string{f.typ, q.Get("reviewed"), fmtTime(f.start), fmtTime(f.end), strings.Join(commaValues(q, "account_ids"), ","),
		strings.Join(commaValues(q, "ids"), ","), strings.Join(commaValues(q, "external_ids"), ","), sortBy, order}
	pq := s.pageQuery(&v, q, c.business, fingerprint(filters...), "type, reviewed, datetime, account_ids, ids, external_ids, sort_by and order")
	if !v.ok() {
		return *invalid(v.errs...)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.businesses[c.business]
	var items []*transaction
	if b != nil {
		for _, t := range b.transactions {
			if f.match(t) {
				items = append(items, t)
			}
		}
	}
	slices.SortStableFunc(items, func(x, y *transaction) int {
		k := cmp.Compare(x.seq, y.seq)
		if sortBy == "description" {
			k = cmp.Or(cmp.Compare(x.description, y.description), k)
		} else {
			k = cmp.Or(x.datetime.Compare(y.datetime), k)
		}
		if order == "desc" {
			return -k
		}
		return k
	})
	page, next, prev, ok := s.sortedPage(items, pq)
	if !ok {
		return *invalid(fieldError{Type: "value_error", Loc: []any{"query", "page_token"}, Msg: "Value error, invalid page token"})
	}
	data := make([]wireTransaction, len(page))
	for i, t := range page {
		data[i] = t.wire(b, inc)
	}
	return listResponse(data, next, prev)
}

// sortedPage is pageOf for a list in an order other than creation order:
// a cursor names the item a page ended (forward) or began (backward) at,
// by its seq, and the next page starts next to it wherever it now is, so
// that transactions created meanwhile move no page over one already seen.
// Transactions never leave a list or change their sort key, so the item
// is always found; false if it is not.
func (s *Server) sortedPage(items []*transaction, pq pageQuery) (page []*transaction, next, prev string, ok bool) {
	lo, hi := 0, min(pq.size, len(items))
	if c := pq.cursor; c != nil {
		at := slices.IndexFunc(items, func(t *transaction) bool { return t.seq == c.Seq })
		if at < 0 {
			return nil, "", "", false
		}
		if c.Forward {
			lo, hi = at+1, min(at+1+pq.size, len(items))
		} else {
			lo, hi = max(0, at-pq.size), at
		}
	}
	if hi < len(items) && hi > 0 {
		next = s.encodeToken(cursor{Business: pq.business, Filters: pq.filters, Forward: true, Seq: items[hi-1].seq})
	}
	if lo > 0 && lo < len(items) {
		prev = s.encodeToken(cursor{Business: pq.business, Filters: pq.filters, Forward: false, Seq: items[lo].seq})
	}
	return items[lo:hi], next, prev, true
}

// queryTime reads an ISO-8601 date-time query parameter; zero when absent.
func queryTime(v *validator, q url.Values, key string) time.Time {
	raw := q.Get(key)
	if raw == "" {
		return time.Time{}
	}
	t, ok := parseTime(raw)
	if !ok {
		v.fail([]any{"query", key}, "datetime_from_date_parsing", "Input should be a valid datetime or date")
	}
	return t
}
