package assettest

import (
	"bytes"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/assetkit/asset-go"
)

// maxBatch is the API's limit on invoices per create call.
const maxBatch = 100

type batchError struct {
	Error         string `json:"error"`
	InvoiceNumber string `json:"invoice_number"`
}

// createInvoices is POST /invoice. The body is validated as a whole first
// (any invalid invoice, or a tag whose field the business lacks, fails the
// request with 422, as FastAPI does); then a number already used in the
// business, or earlier in the batch, is reported in "errors" while the
// others are created.
func (s *Server) createInvoices(biz string, body []byte) response {
	val, bad := decodeBody(body)
	if bad != nil {
		return *bad
	}
	var v validator
	list, ok := val.([]any)
	switch {
	case !ok:
		v.fail([]any{"body"}, "list_type", "Input should be a valid list")
	case len(list) == 0:
		v.fail([]any{"body"}, "too_short", "List should have at least 1 item after validation, not 0")
	case len(list) > maxBatch:
		v.fail([]any{"body"}, "too_long", "List should have at most 100 items after validation, not "+strconv.Itoa(len(list)))
	}
	if !v.ok() {
		return *invalid(v.errs...)
	}
	inputs := make([]invoiceInput, len(list))
	for i, item := range list {
		inputs[i] = v.invoiceCreate(item, []any{"body", i}, biz)
	}
	if !v.ok() {
		return *invalid(v.errs...)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.business(biz)
	for i, in := range inputs {
		v.errs = append(v.errs, b.unknownTags(slices.Collect(maps.Keys(in.tags)), []any{"body", i})...)
	}
	if !v.ok() {
		return *invalid(v.errs...)
	}
	data := []wireInvoice{}
	errs := []batchError{}
	inBatch := map[string]bool{}
	for _, in := range inputs {
		if b.byNumber[in.number] != nil {
			msg := "An invoice with number " + strconv.Quote(in.number) + " already exists"
			if inBatch[in.number] {
				msg = "Invoice number " + strconv.Quote(in.number) + " appears more than once in the batch"
			}
			errs = append(errs, batchError{Error: msg, InvoiceNumber: in.number})
			continue
		}
		inBatch[in.number] = true
		s.seq++
		inv := &invoice{
			seq:         s.seq,
			id:          newID("inv_"),
			businessID:  biz,
			number:      in.number,
			description: in.description,
			customerID:  in.customerID,
			paid:        asset.DecimalFromInt(0),
			credit:      in.credit,
			status:      asset.InvoiceStatusOpen,
			dueAt:       in.dueAt,
			sentAt:      in.sentAt,
			metadata:    in.metadata,
			tags:        in.tags,
		}
		if inv.customerID == "" && in.customerExternalID != "" {
			inv.customerID = b.customer(in.customerExternalID)
		}
		for _, l := range in.lines {
			inv.lines = append(inv.lines, newLine(l))
		}
		inv.recompute()
		b.add(inv)
		data = append(data, inv.wire())
	}
	res := jsonResponse(http.StatusCreated, struct {
		Data   []wireInvoice `json:"data"`
		Errors []batchError  `json:"errors"`
	}{data, errs})
	res.changed = len(data) > 0
	return res
}

// listInvoices is GET /invoice.
func (s *Server) listInvoices(biz string, q url.Values) response {
	var v validator
	var f listFilter
	for i, st := range q["status"] {
		if !asset.InvoiceStatus(st).IsKnown() {
			v.fail([]any{"query", "status", i}, "enum", statusEnumMsg)
		}
		f.statuses = append(f.statuses, st)
	}
	for _, p := range []struct {
		key string
		dst *time.Time
	}{{"due_at_start", &f.start}, {"due_at_end", &f.end}} {
		if raw := q.Get(p.key); raw != "" {
			t, ok := parseTime(raw)
			if !ok {
				v.fail([]any{"query", p.key}, "datetime_from_date_parsing", "Input should be a valid datetime or date")
			}
			*p.dst = t
		}
	}
	size := s.pageSize
	if raw := q.Get("page_size"); raw != "" {
		n, err := strconv.Atoi(raw)
		switch {
		case err != nil:
			v.fail([]any{"query", "page_size"}, "int_parsing", "Input should be a valid integer, unable to parse string as an integer")
		case n < 1:
			v.fail([]any{"query", "page_size"}, "greater_than_equal", "Input should be greater than or equal to 1")
		case n > 100:
			v.fail([]any{"query", "page_size"}, "less_than_equal", "Input should be less than or equal to 100")
		default:
			size = n
		}
	}
	filters := f.fingerprint()
	var cur *cursor
	if raw := q.Get("page_token"); raw != "" && v.ok() {
		c, err := s.decodeToken(raw)
		switch {
		case err != nil:
			v.fail([]any{"query", "page_token"}, "value_error", "Value error, invalid page token")
		case c.Business != biz:
			v.fail([]any{"query", "page_token"}, "value_error", "Value error, the page token belongs to another business")
		case c.Filters != filters:
			v.fail([]any{"query", "page_token"}, "value_error", "Value error, the page token was issued for other filters; repeat the original status and due_at filters")
		}
		cur = &c
	}
	if !v.ok() {
		return *invalid(v.errs...)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var items []*invoice
	if b := s.businesses[biz]; b != nil {
		for _, inv := range b.invoices {
			if f.match(inv) {
				items = append(items, inv)
			}
		}
	}
	page, next, prev := s.page(items, cur, size, biz, filters)
	out := struct {
		Data       []wireInvoice `json:"data"`
		Pagination struct {
			Next *string `json:"next_page_token"`
			Prev *string `json:"previous_page_token"`
		} `json:"pagination"`
	}{Data: make([]wireInvoice, len(page))}
	for i, inv := range page {
		out.Data[i] = inv.wire()
	}
	out.Pagination.Next, out.Pagination.Prev = nullable(next), nullable(prev)
	return jsonResponse(http.StatusOK, out)
}

const statusEnumMsg = "Input should be 'open', 'paid', 'uncollectible', 'voided', 'refunded' or 'partially_refunded'"

// findInvoice returns the invoice or the API's 404; s.mu must be held. An
// invoice of another business is not found, never forbidden, so that ids
// reveal nothing across businesses.
func (s *Server) findInvoice(biz, id string) (*invoice, *response) {
	if b := s.businesses[biz]; b != nil {
		if inv := b.byID[id]; inv != nil {
			return inv, nil
		}
	}
	res := detail(http.StatusNotFound, "Invoice not found")
	return nil, &res
}

func dataResponse(inv *invoice) response {
	return jsonResponse(http.StatusOK, struct {
		Data wireInvoice `json:"data"`
	}{inv.wire()})
}

// getInvoice is GET /invoice/{invoice_id}.
func (s *Server) getInvoice(biz, id string) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv, nf := s.findInvoice(biz, id)
	if nf != nil {
		return *nf
	}
	return dataResponse(inv)
}

// updateInvoice is PATCH /invoice/{invoice_id}. A change is applied in full
// or not at all. A voided invoice keeps its status and lines (the API has
// no un-void); its tags can still change.
func (s *Server) updateInvoice(biz, id string, body []byte) response {
	obj, bad := bodyObject(body)
	if bad != nil {
		return *bad
	}
	var v validator
	loc := []any{"body"}
	status := asset.InvoiceStatus(v.str(obj, "status", loc, false, 0))
	if status != "" && !status.IsKnown() {
		v.fail(at(loc, "status"), "enum", statusEnumMsg)
	}
	var create []lineInput
	var deletes []string
	if lcVal, present := v.lookup(obj, "line_changes", loc, false); present {
		lcLoc := at(loc, "line_changes")
		if lc, ok := v.object(lcVal, lcLoc); ok {
			for k, l := range v.list(lc, "create_lines", lcLoc) {
				create = append(create, v.lineCreate(l, at(lcLoc, "create_lines", k)))
			}
			for k, d := range v.list(lc, "delete_lines", lcLoc) {
				sid, isStr := d.(string)
				if !isStr {
					v.fail(at(lcLoc, "delete_lines", k), "string_type", "Input should be a valid string")
				}
				deletes = append(deletes, sid)
			}
			// Its meaning is undocumented: accepted, checked, not stored.
			v.dict(lc, "metadata", lcLoc)
		}
	}
	tags := map[string]*string{}
	for k, tv := range v.dict(obj, "tags", loc) {
		switch x := tv.(type) {
		case nil:
			tags[k] = nil
		case string:
			tags[k] = &x
		default:
			v.fail(at(loc, "tags", k), "string_type", "Input should be a valid string")
		}
	}
	if !v.ok() {
		return *invalid(v.errs...)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	inv, nf := s.findInvoice(biz, id)
	if nf != nil {
		return *nf
	}
	if errs := s.businesses[biz].unknownTags(slices.Collect(maps.Keys(tags)), loc); len(errs) > 0 {
		return *invalid(errs...)
	}
	voided := inv.status == asset.InvoiceStatusVoided
	if voided && (status != "" && status != asset.InvoiceStatusVoided || len(create) > 0 || len(deletes) > 0) {
		return detail(http.StatusUnprocessableEntity, "Invoice is voided and cannot be changed")
	}
	lines := inv.lines
	if len(create) > 0 || len(deletes) > 0 {
		drop := map[string]bool{}
		for k, lid := range deletes {
			known := false
			for _, l := range inv.lines {
				known = known || l.id == lid
			}
			if !known || drop[lid] {
				v.fail(at(loc, "line_changes", "delete_lines", k), "value_error", "Value error, "+strconv.Quote(lid)+" is not a line of this invoice")
			}
			drop[lid] = true
		}
		if !v.ok() {
			return *invalid(v.errs...)
		}
		lines = withoutLines(inv.lines, drop)
		for _, l := range create {
			lines = append(lines, newLine(l))
		}
	}
	next := *inv
	next.lines = lines
	next.recompute()
	if next.total.Cmp(next.paid) < 0 {
		return detail(http.StatusUnprocessableEntity, "The new total "+next.total.String()+" would be less than the "+next.paid.String()+" already paid")
	}
	if len(tags) > 0 {
		next.tags = cloneTags(inv.tags)
		for k, tv := range tags {
			if tv == nil {
				delete(next.tags, k)
			} else {
				next.tags[k] = *tv
			}
		}
	}
	switch {
	case status == asset.InvoiceStatusVoided && !voided:
		next.status, next.voidedAt = status, normalTime(s.now())
	case status != "":
		next.status = status
	default:
		next.settle()
	}
	before := mustJSON(inv.wire())
	*inv = next
	res := dataResponse(inv)
	res.changed = !bytes.Equal(before, mustJSON(inv.wire()))
	return res
}

// writeOff is POST /invoice/{invoice_id}/write-off: the amount (by default
// the whole balance) is recorded as a payment with is_write_off set, and
// counts towards total_paid like any payment. The description is accepted
// and not stored: payments have no field for it.
func (s *Server) writeOff(biz, id string, body []byte) response {
	obj, bad := bodyObject(body)
	if bad != nil {
		return *bad
	}
	var v validator
	loc := []any{"body"}
	amount := v.decimal(obj, "amount", loc, aboveZero, cents)
	v.str(obj, "description", loc, false, 512)
	if !v.ok() {
		return *invalid(v.errs...)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	inv, nf := s.findInvoice(biz, id)
	if nf != nil {
		return *nf
	}
	balance := inv.balance()
	switch {
	case inv.status == asset.InvoiceStatusVoided:
		return detail(http.StatusUnprocessableEntity, "Invoice is voided")
	case balance.Sign() <= 0:
		return detail(http.StatusUnprocessableEntity, "Invoice has no balance to write off")
	case !amount.IsSet():
		amount = balance
	case amount.Cmp(balance) > 0:
		return detail(http.StatusUnprocessableEntity, "Write-off amount "+amount.String()+" exceeds the invoice balance of "+balance.String())
	}
	s.pay(inv, amount, "", true)
	return changedResponse(inv)
}

// applyPayment is POST /invoice-payment. Without a transaction_id the
// payment is drawn from the credit pool of the invoice's customer.
func (s *Server) applyPayment(biz string, body []byte) response {
	obj, bad := bodyObject(body)
	if bad != nil {
		return *bad
	}
	var v validator
	loc := []any{"body"}
	invID := v.str(obj, "invoice_id", loc, true, 255)
	txnID := v.str(obj, "transaction_id", loc, false, 255)
	amount := v.decimal(obj, "payment_amount", loc, aboveZero, cents)
	if txnID == "" && !amount.IsSet() && v.ok() {
		v.fail(at(loc, "payment_amount"), "missing", "Field required when transaction_id is null: the payment is drawn from the customer's credit")
	}
	if !v.ok() {
		return *invalid(v.errs...)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	inv, nf := s.findInvoice(biz, invID)
	if nf != nil {
		return *nf
	}
	if inv.status == asset.InvoiceStatusVoided {
		return detail(http.StatusUnprocessableEntity, "Invoice is voided")
	}
	var txn *transaction
	b := s.businesses[biz]
	if txnID != "" {
		if txn = b.txns[txnID]; txn == nil {
			return detail(http.StatusNotFound, "Transaction not found")
		}
		remaining := txn.remaining()
		switch {
		case remaining.Sign() <= 0:
			return detail(http.StatusUnprocessableEntity, "Transaction "+txnID+" has been applied in full")
		case !amount.IsSet():
			amount = remaining
		case amount.Cmp(remaining) > 0:
			return detail(http.StatusUnprocessableEntity, "Payment amount "+amount.String()+" exceeds the "+remaining.String()+" remaining on transaction "+txnID)
		}
	} else if inv.customerID == "" {
		return detail(http.StatusUnprocessableEntity, "Invoice has no customer whose credit the payment could draw on; give a transaction_id")
	}
	if balance := inv.balance(); amount.Cmp(balance) > 0 {
		return detail(http.StatusUnprocessableEntity, "Payment amount "+amount.String()+" exceeds the invoice balance of "+balance.String())
	}
	if txn == nil {
		credit, ok := b.credit[inv.customerID]
		if !ok {
			credit = asset.DecimalFromInt(0)
		}
		if amount.Cmp(credit) > 0 {
			return detail(http.StatusUnprocessableEntity, "Payment amount "+amount.String()+" exceeds the customer's credit of "+credit.String())
		}
		b.credit[inv.customerID] = credit.Sub(amount)
	} else {
		txn.applied = txn.applied.Add(amount)
	}
	s.pay(inv, amount, txnID, false)
	return changedResponse(inv)
}

func changedResponse(inv *invoice) response {
	res := dataResponse(inv)
	res.changed = true
	return res
}

// pay records a payment and moves total_paid and the status; s.mu must be
// held and the amount checked.
func (s *Server) pay(inv *invoice, amount asset.Decimal, txnID string, writeOff bool) {
	inv.payments = append(inv.payments, payment{
		id:            newID("inp_"),
		transactionID: txnID,
		datetime:      normalTime(s.now()),
		amount:        amount,
		isWriteOff:    writeOff,
	})
	inv.paid = inv.paid.Add(amount)
	inv.settle()
}
