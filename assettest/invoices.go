package assettest

import (
	"bytes"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/assetkit/asset-go"
)

// maxBatch is the API's limit on the items of a batch create call.
const maxBatch = 100

// invoiceRefusal is an invoice of a create call refused on its own while
// the others were created.
type invoiceRefusal struct {
	Error         string `json:"error"`
	InvoiceNumber string `json:"invoice_number"`
}

// parseInvoices reads the body of POST /invoice, before the state is
// touched.
func parseInvoices(c *call) *response {
	inputs, bad := parseBatch(c.jsonBody(), func(v *validator, item any, loc []any) invoiceInput {
		return v.invoiceCreate(item, loc, c.business)
	})
	c.input = inputs
	return bad
}

// createInvoices is POST /invoice. The body is validated as a whole first
// (any invalid invoice, or a tag whose field the business lacks, fails the
// request with 422, as FastAPI does); then a number already used in the
// business, or earlier in the batch, is reported in "errors" while the
// others are created.
func (s *Server) createInvoices(c *call) response {
	inputs := c.input.([]invoiceInput)
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.business(c.business)
	if errs := unknownBatchTags(b, inputs, func(in *invoiceInput) map[string]string { return in.tags }); len(errs) > 0 {
		return *invalid(errs...)
	}
	data := []wireInvoice{}
	refused := []invoiceRefusal{}
	inBatch := map[string]bool{}
	for _, in := range inputs {
		if msg := numberTaken("invoice", in.number, b.byNumber[in.number] != nil, inBatch); msg != "" {
			refused = append(refused, invoiceRefusal{Error: msg, InvoiceNumber: in.number})
			continue
		}
		data = append(data, s.issueInvoice(b, c.business, in).wire())
	}
	return batchResponse(http.StatusCreated, data, refused)
}

// numberTaken says why an item of a batch create may not have number, ""
// when it may: exists says the business has one of that number, and seen
// holds the numbers of the batch's earlier items, to which number is added
// when it is free. kind names the items ("invoice").
func numberTaken(kind, number string, exists bool, seen map[string]bool) string {
	switch {
	case seen[number]:
		return strings.ToUpper(kind[:1]) + kind[1:] + " number " + strconv.Quote(number) + " appears more than once in the batch"
	case exists:
		article := "A "
		if strings.ContainsRune("aeiou", rune(kind[0])) {
			article = "An "
		}
		return article + kind + " with number " + strconv.Quote(number) + " already exists"
	}
	seen[number] = true
	return ""
}

// issueInvoice creates an invoice in b from a validated input; s.mu must
// be held.
func (s *Server) issueInvoice(b *business, biz string, in invoiceInput) *invoice {
	s.seq++
	inv := &invoice{
		seq:         s.seq,
		id:          s.newID("inv_"),
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
		inv.customerID = s.customer(b, in.customerExternalID)
	}
	for _, l := range in.lines {
		inv.lines = append(inv.lines, s.newLine(l))
	}
	inv.recompute()
	b.add(inv)
	return inv
}

// listInvoices is GET /invoice.
func (s *Server) listInvoices(c *call) response {
	q := c.r.URL.Query()
	var v validator
	f := listFilter{statuses: statusQuery(&v, q, func(st string) bool { return asset.InvoiceStatus(st).IsKnown() }, statusEnumMsg)}
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
	pq := s.pageQuery(&v, q, c.business, f.fingerprint(), "status and due_at")
	if !v.ok() {
		return *invalid(v.errs...)
	}

	return listPage(s, pq, func(b *business) []*invoice { return b.invoices }, f.match, (*invoice).wire)
}

// statusQuery reads a list call's status filter, failing v for each value
// known refuses, with enumMsg.
func statusQuery(v *validator, q url.Values, known func(string) bool, enumMsg string) []string {
	for i, st := range q["status"] {
		if !known(st) {
			v.fail([]any{"query", "status", i}, "enum", enumMsg)
		}
	}
	return slices.Clone(q["status"])
}

// listFilter is a list call's filters.
type listFilter struct {
	statuses   []string
	start, end time.Time
}

// fingerprint identifies the filters in a page token; the order of the
// status values does not matter.
func (f listFilter) fingerprint() string {
	st := slices.Clone(f.statuses)
	slices.Sort(st)
	st = slices.Compact(st)
	return fingerprint(strings.Join(st, ","), fmtTime(f.start), fmtTime(f.end))
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// hasStatus reports whether the status filter lets status through; no
// filter lets every status through.
func (f listFilter) hasStatus(status string) bool {
	return len(f.statuses) == 0 || slices.Contains(f.statuses, status)
}

// match reports whether an invoice passes every filter.
func (f listFilter) match(inv *invoice) bool {
	if !f.hasStatus(string(inv.status)) {
		return false
	}
	if !f.start.IsZero() && (inv.dueAt.IsZero() || inv.dueAt.Before(f.start)) {
		return false
	}
	if !f.end.IsZero() && (inv.dueAt.IsZero() || inv.dueAt.After(f.end)) {
		return false
	}
	return true
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

// getInvoice is GET /invoice/{invoice_id}.
func (s *Server) getInvoice(c *call) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv, nf := s.findInvoice(c.business, c.param("invoice_id"))
	if nf != nil {
		return *nf
	}
	return dataResponse(http.StatusOK, inv.wire())
}

// invoiceUpdate is a PATCH body once validated.
type invoiceUpdate struct {
	status  asset.InvoiceStatus
	create  []lineInput
	deletes []string
	// tags maps a tag to its new value, or to nil to remove it.
	tags map[string]*string
}

func (u invoiceUpdate) changesLines() bool { return len(u.create) > 0 || len(u.deletes) > 0 }

// updateInvoice is PATCH /invoice/{invoice_id}. A change is applied in full
// or not at all. A voided invoice keeps its status and lines (the API has
// no un-void); its tags can still change.
func (s *Server) updateInvoice(c *call) response {
	u, bad := parseInvoiceUpdate(c.jsonBody())
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inv, nf := s.findInvoice(c.business, c.param("invoice_id"))
	if nf != nil {
		return *nf
	}
	if errs := s.businesses[c.business].unknownTags(slices.Collect(maps.Keys(u.tags)), []any{"body"}); len(errs) > 0 {
		return *invalid(errs...)
	}
	voided := inv.status == asset.InvoiceStatusVoided
	if voided && (u.status != "" && u.status != asset.InvoiceStatusVoided || u.changesLines()) {
		return detail(http.StatusUnprocessableEntity, "Invoice is voided and cannot be changed")
	}
	next := *inv
	if u.changesLines() {
		lines, bad := u.lines(s, inv)
		if bad != nil {
			return *bad
		}
		next.lines = lines
	}
	next.recompute()
	if next.total.Cmp(next.paid) < 0 {
		return detail(http.StatusUnprocessableEntity, "The new total "+next.total.String()+" would be less than the "+next.paid.String()+" already paid")
	}
	if len(u.tags) > 0 {
		next.tags = cloneTags(inv.tags)
		for k, tv := range u.tags {
			if tv == nil {
				delete(next.tags, k)
			} else {
				next.tags[k] = *tv
			}
		}
	}
	switch {
	case u.status == asset.InvoiceStatusVoided && !voided:
		next.status, next.voidedAt = u.status, normalTime(s.clock())
	case u.status != "":
		next.status = u.status
	default:
		next.settle()
	}
	before := mustJSON(inv.wire())
	*inv = next
	res := dataResponse(http.StatusOK, inv.wire())
	res.unchanged = bytes.Equal(before, mustJSON(inv.wire()))
	return res
}

// parseInvoiceUpdate validates a PATCH body.
func parseInvoiceUpdate(body []byte) (invoiceUpdate, *response) {
	obj, bad := bodyObject(body)
	if bad != nil {
		return invoiceUpdate{}, bad
	}
	var v validator
	var u invoiceUpdate
	loc := []any{"body"}
	u.status = asset.InvoiceStatus(v.str(obj, "status", loc, false, 0))
	if u.status != "" && !u.status.IsKnown() {
		v.fail(at(loc, "status"), "enum", statusEnumMsg)
	}
	if lcVal, present := v.lookup(obj, "line_changes", loc, false); present {
		lcLoc := at(loc, "line_changes")
		if lc, ok := v.object(lcVal, lcLoc); ok {
			for k, l := range v.list(lc, "create_lines", lcLoc) {
				u.create = append(u.create, v.lineCreate(l, at(lcLoc, "create_lines", k)))
			}
			for k, d := range v.list(lc, "delete_lines", lcLoc) {
				sid, isStr := d.(string)
				if !isStr {
					v.fail(at(lcLoc, "delete_lines", k), "string_type", "Input should be a valid string")
				}
				u.deletes = append(u.deletes, sid)
			}
			// Its meaning is undocumented: accepted, checked, not stored.
			v.dict(lc, "metadata", lcLoc)
		}
	}
	u.tags = map[string]*string{}
	for k, tv := range v.dict(obj, "tags", loc) {
		switch x := tv.(type) {
		case nil:
			u.tags[k] = nil
		case string:
			u.tags[k] = &x
		default:
			v.fail(at(loc, "tags", k), "string_type", "Input should be a valid string")
		}
	}
	if !v.ok() {
		return invoiceUpdate{}, invalid(v.errs...)
	}
	return u, nil
}

// lines is the invoice's lines after the update's deletes and creates, or
// the API's 422 for a delete of a line the invoice does not have.
func (u invoiceUpdate) lines(s *Server, inv *invoice) ([]line, *response) {
	var v validator
	drop := map[string]bool{}
	for k, lid := range u.deletes {
		if !inv.hasLine(lid) || drop[lid] {
			v.fail([]any{"body", "line_changes", "delete_lines", k}, "value_error", "Value error, "+strconv.Quote(lid)+" is not a line of this invoice")
		}
		drop[lid] = true
	}
	if !v.ok() {
		return nil, invalid(v.errs...)
	}
	lines := withoutLines(inv.lines, drop)
	for _, l := range u.create {
		lines = append(lines, s.newLine(l))
	}
	return lines, nil
}
