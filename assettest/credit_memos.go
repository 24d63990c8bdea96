package assettest

import (
	"net/http"
	"strings"
	"time"

	"github.com/assetkit/asset-go"
)

// memoInput is a validated CreditMemoCreate.
type memoInput struct {
	customerID, number, memo string
	amount                   asset.Decimal
	issuedAt                 time.Time
	tags                     map[string]any // a string or a list of allocations each
}

func (v *validator) memoCreate(val any, loc []any) memoInput {
	obj, ok := v.object(val, loc)
	if !ok {
		return memoInput{}
	}
	in := memoInput{
		customerID: v.str(obj, "customer_id", loc, true, 255),
		number:     v.str(obj, "number", loc, true, 255),
		memo:       v.str(obj, "memo", loc, false, 255),
		issuedAt:   v.datetime(obj, "issued_at", loc),
		tags:       v.memoTags(obj, loc),
		amount:     v.requiredDecimal(obj, "amount", loc, aboveZero, cents),
	}
	if in.customerID != "" && !prefixed(in.customerID, "cus_") {
		v.fail(at(loc, "customer_id"), "value_error", "Value error, customer_id must look like cus_...")
	}
	return in
}

// memoRefusal is a credit memo of a create call refused on its own while
// the others were created.
type memoRefusal struct {
	Error  string `json:"error"`
	Number string `json:"number"`
}

// createCreditMemos is POST /credit-memo. As for invoices, the body is
// validated as a whole first; then a number already used in the business,
// or earlier in the batch, is reported in "errors" while the others are
// created. created_by is the x-user-id of the request, when it has one.
func (s *Server) createCreditMemos(c *call) response {
	inputs, bad := parseBatch(c.jsonBody(), (*validator).memoCreate)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.business(c.business)
	if errs := unknownBatchTags(b, inputs, func(in *memoInput) map[string]any { return in.tags }); len(errs) > 0 {
		return *invalid(errs...)
	}
	data := []wireCreditMemo{}
	refused := []memoRefusal{}
	inBatch := map[string]bool{}
	for _, in := range inputs {
		if msg := numberTaken("credit memo", in.number, b.memoByNumber[in.number] != nil, inBatch); msg != "" {
			refused = append(refused, memoRefusal{Error: msg, Number: in.number})
			continue
		}
		data = append(data, s.issueMemo(b, c.business, in, c.r.Header.Get("X-User-Id")).wire())
	}
	return batchResponse(http.StatusOK, data, refused)
}

// findMemo returns the memo or the API's 404; s.mu must be held.
func (s *Server) findMemo(biz, id string) (*creditMemo, *response) {
	if b := s.businesses[biz]; b != nil {
		if m := b.memoByID[id]; m != nil {
			return m, nil
		}
	}
	res := detail(http.StatusNotFound, "Credit memo not found")
	return nil, &res
}

// getCreditMemo is GET /credit-memo/{credit_memo_id}.
func (s *Server) getCreditMemo(c *call) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, nf := s.findMemo(c.business, c.param("credit_memo_id"))
	if nf != nil {
		return *nf
	}
	return dataResponse(http.StatusOK, m.wire())
}

// voidCreditMemo is POST /credit-memo/{credit_memo_id}/void: what is left
// of the memo leaves the customer's pool (the pool counts only memos that
// are not voided). Voiding a voided memo is a 422.
func (s *Server) voidCreditMemo(c *call) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, nf := s.findMemo(c.business, c.param("credit_memo_id"))
	if nf != nil {
		return *nf
	}
	if m.voided {
		return detail(http.StatusUnprocessableEntity, "Credit memo "+m.id+" is already voided")
	}
	m.voided, m.voidedAt, m.voidJournalID = true, normalTime(s.clock()), s.newID("je_")
	return dataResponse(http.StatusOK, m.wire())
}

// listCreditMemos is GET /credit-memo, filtered by customer_id and voided.
func (s *Server) listCreditMemos(c *call) response {
	q := c.r.URL.Query()
	var v validator
	customer := q.Get("customer_id")
	if customer != "" && !prefixed(customer, "cus_") {
		v.fail([]any{"query", "customer_id"}, "value_error", "Value error, customer_id must look like cus_...")
	}
	voided, hasVoided := queryBool(&v, q.Get("voided"), []any{"query", "voided"})
	pq := s.pageQuery(&v, q, c.business, fingerprint(customer, q.Get("voided")), "customer_id and voided")
	if !v.ok() {
		return *invalid(v.errs...)
	}

	return listPage(s, pq, func(b *business) []*creditMemo { return b.memos },
		func(m *creditMemo) bool {
			return (customer == "" || m.customerID == customer) && (!hasVoided || m.voided == voided)
		}, (*creditMemo).wire)
}

// queryBool reads a boolean query parameter as pydantic does; false when
// raw is empty (the parameter is absent).
func queryBool(v *validator, raw string, loc []any) (value, present bool) {
	switch strings.ToLower(raw) {
	case "":
		return false, false
	case "1", "true", "t", "yes", "y", "on":
		return true, true
	case "0", "false", "f", "no", "n", "off":
		return false, true
	}
	v.fail(loc, "bool_parsing", "Input should be a valid boolean, unable to interpret input")
	return false, false
}
