package assettest

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/assetkit/asset-go"
)

// The refund routes. A refund gives back money paid on invoices of its
// business, by these rules:
//
//   - An invoice is named by id or by invoice_external_id, which this
//     server matches against the invoice's number (an invoice has no other
//     key of the caller's). One the business does not have is 404, as on
//     every invoice route; a voided one is 422.
//   - The amounts of invoices_to_refund add up to the refund's amount.
//   - Each invoice gives back at most what was paid on it and not yet
//     refunded (a write-off is not money paid). It moves to refunded when
//     the refund takes all of that, to partially_refunded otherwise.
//   - refund_external_id is unique per business: a second refund with the
//     same one is a 409 Conflict, so that sending a refund again after an
//     unknown outcome cannot refund twice.
//   - A refund is pending until refund payments, drawn on transactions as
//     invoice payments are, cover its amount; then it is completed.

// refundMethods are the documented methods, in the API's order.
var refundMethods = []string{"cash", "check", "credit_card", "ach", "credit_balance", "other"}

const (
	methodEnumMsg       = "Input should be 'cash', 'check', 'credit_card', 'ach', 'credit_balance' or 'other'"
	refundStatusEnumMsg = "Input should be 'pending', 'completed' or 'voided'"
)

// refundInput is a validated RefundCreate.
type refundInput struct {
	amount                              asset.Decimal
	externalID, memo, processor, method string
	isReturn                            bool
	refundedAt                          time.Time
	invoices                            []refundInvoiceInput
}

type refundInvoiceInput struct {
	invoiceID, externalID, lineID, memo string
	amount                              asset.Decimal
}

// present fails v when obj has no non-null key, as pydantic reports a
// required field.
func (v *validator) present(obj map[string]any, key string, loc []any) bool {
	if obj[key] == nil {
		v.fail(at(loc, key), "missing", "Field required")
		return false
	}
	return true
}

func (v *validator) refundCreate(obj map[string]any, loc []any) refundInput {
	var in refundInput
	if v.present(obj, "amount", loc) {
		in.amount = v.decimal(obj, "amount", loc, aboveZero, cents)
	}
	in.externalID = v.str(obj, "refund_external_id", loc, true, 255)
	if v.present(obj, "refunded_at", loc) {
		in.refundedAt = v.datetime(obj, "refunded_at", loc)
	}
	if in.method = v.str(obj, "method", loc, true, 0); in.method != "" && !slices.Contains(refundMethods, in.method) {
		v.fail(at(loc, "method"), "enum", methodEnumMsg)
	}
	in.memo = v.str(obj, "memo", loc, false, 255)
	in.processor = v.str(obj, "processor", loc, false, 255)
	in.isReturn = v.boolean(obj, "is_return", loc)
	v.boolean(obj, "refund_credit", loc) // the older model's flag: accepted, not stored
	if !v.present(obj, "invoices_to_refund", loc) {
		return in
	}
	items := v.list(obj, "invoices_to_refund", loc)
	switch n := len(items); {
	case n == 0:
		v.fail(at(loc, "invoices_to_refund"), "too_short", "List should have at least 1 item after validation, not 0")
	case n > 100:
		v.fail(at(loc, "invoices_to_refund"), "too_long", "List should have at most 100 items after validation, not "+strconv.Itoa(n))
	}
	sum := asset.DecimalFromInt(0)
	for i, item := range items {
		iloc := at(loc, "invoices_to_refund", i)
		o, ok := v.object(item, iloc)
		if !ok {
			continue
		}
		ri := refundInvoiceInput{
			invoiceID:  v.str(o, "invoice_id", iloc, false, 255),
			externalID: v.str(o, "invoice_external_id", iloc, false, 255),
			lineID:     v.str(o, "invoice_line_id", iloc, false, 255),
			memo:       v.str(o, "memo", iloc, false, 255),
		}
		if v.present(o, "amount", iloc) {
			ri.amount = v.decimal(o, "amount", iloc, aboveZero, cents)
			sum = sum.Add(ri.amount)
		}
		if ri.invoiceID == "" && ri.externalID == "" {
			v.fail(iloc, "value_error", "Value error, give invoice_id or invoice_external_id")
		}
		in.invoices = append(in.invoices, ri)
	}
	if v.ok() && sum.Cmp(in.amount) != 0 {
		v.fail(at(loc, "amount"), "value_error", "Value error, amount "+in.amount.String()+
			" is not the sum of the invoices_to_refund amounts, "+sum.String())
	}
	return in
}

// moneyPaid is what was paid on an invoice, write-offs left out.
func moneyPaid(inv *invoice) asset.Decimal {
	sum := asset.DecimalFromInt(0)
	for _, p := range inv.payments {
		if !p.isWriteOff {
			sum = sum.Add(p.amount)
		}
	}
	return sum
}

// createRefund is POST /refund.
func (s *Server) createRefund(c *call) response {
	obj, bad := bodyObject(c.jsonBody())
	if bad != nil {
		return *bad
	}
	var v validator
	in := v.refundCreate(obj, []any{"body"})
	if !v.ok() {
		return *invalid(v.errs...)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.business(c.business)
	if b.refunds.byExternal[in.externalID] != nil {
		return detail(http.StatusConflict, "A refund with refund_external_id "+strconv.Quote(in.externalID)+
			" already exists; list the invoice's refunds to find it")
	}
	r := &refund{
		id: s.newID("rfu_"), businessID: c.business, externalID: in.externalID,
		amount: in.amount, paid: asset.DecimalFromInt(0), memo: in.memo, processor: in.processor,
		method: in.method, isReturn: in.isReturn, refundedAt: in.refundedAt, status: asset.RefundStatusPending,
	}
	// touched are the invoices the refund names, in the order named, and
	// asked what it takes from each.
	var touched []*invoice
	asked := map[*invoice]asset.Decimal{}
	for _, ri := range in.invoices {
		inv := b.byID[ri.invoiceID]
		if ri.invoiceID == "" {
			inv = b.byNumber[ri.externalID]
		}
		switch {
		case inv == nil:
			return detail(http.StatusNotFound, "Invoice not found")
		case inv.status == asset.InvoiceStatusVoided:
			return detail(http.StatusUnprocessableEntity, "Invoice "+inv.id+" is voided")
		case ri.lineID != "" && !inv.hasLine(ri.lineID):
			return detail(http.StatusUnprocessableEntity, "Invoice line "+ri.lineID+" is not a line of invoice "+inv.id)
		}
		if _, seen := asked[inv]; !seen {
			touched = append(touched, inv)
			asked[inv] = asset.DecimalFromInt(0)
		}
		asked[inv] = asked[inv].Add(ri.amount)
		r.invoices = append(r.invoices, refundedInvoice{
			id: s.newID("rfi_"), externalID: ri.externalID, invoiceID: inv.id, lineID: ri.lineID,
			memo: ri.memo, amount: ri.amount,
		})
	}
	// left is what each invoice could still give back before this refund.
	left := map[*invoice]asset.Decimal{}
	for _, inv := range touched {
		left[inv] = moneyPaid(inv).Sub(b.refunds.refundedOn(inv.id))
		if asked[inv].Cmp(left[inv]) > 0 {
			return detail(http.StatusUnprocessableEntity, "Refund of "+asked[inv].String()+" exceeds the "+left[inv].String()+
				" paid and not yet refunded on invoice "+inv.id)
		}
	}
	s.seq++
	r.seq = s.seq
	b.refunds.add(r)
	for _, inv := range touched {
		inv.status = asset.InvoiceStatusPartiallyRefunded
		if asked[inv].Cmp(left[inv]) == 0 {
			inv.status = asset.InvoiceStatusRefunded
		}
	}
	return dataResponse(http.StatusCreated, r.wire())
}

// listInvoiceRefunds is GET /invoice/{invoice_id}/refunds: every refund of
// the invoice, without pages.
func (s *Server) listInvoiceRefunds(c *call) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv, nf := s.findInvoice(c.business, c.param("invoice_id"))
	if nf != nil {
		return *nf
	}
	data := []wireRefund{}
	for _, r := range s.businesses[c.business].refunds.list {
		if r.covers(inv.id) {
			data = append(data, r.wire())
		}
	}
	return dataResponse(http.StatusOK, data)
}

// listRefunds is GET /refunds, filtered by one status and paged as
// invoices are. The API's server keeps the last of two status keys, which
// returns a silent subset; the fake refuses them instead.
func (s *Server) listRefunds(c *call) response {
	q := c.r.URL.Query()
	var v validator
	var f listFilter
	switch st := q["status"]; {
	case len(st) > 1:
		v.fail([]any{"query", "status"}, "value_error", "Value error, the refund list takes one status")
	case len(st) == 1:
		if !asset.RefundStatus(st[0]).IsKnown() {
			v.fail([]any{"query", "status"}, "enum", refundStatusEnumMsg)
		}
		f.statuses = st
	}
	pq := s.pageQuery(&v, q, c.business, f.fingerprint(), "status")
	if !v.ok() {
		return *invalid(v.errs...)
	}

	return listPage(s, pq, func(b *business) []*refund { return b.refunds.list },
		func(r *refund) bool { return f.hasStatus(string(r.status)) },
		(*refund).wire)
}

// applyRefundPayment is POST /refund-payment: a transaction pays part or
// all of what is left of a refund. payment_amount defaults to what is left
// of the transaction, as for invoice payments.
func (s *Server) applyRefundPayment(c *call) response {
	obj, bad := bodyObject(c.jsonBody())
	if bad != nil {
		return *bad
	}
	var v validator
	loc := []any{"body"}
	refundID := v.str(obj, "refund_id", loc, true, 255)
	txnID := v.str(obj, "transaction_id", loc, true, 255)
	amount := v.decimal(obj, "payment_amount", loc, atLeastZero, cents)
	if !v.ok() {
		return *invalid(v.errs...)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.business(c.business)
	r := b.refunds.byID[refundID]
	if r == nil {
		return detail(http.StatusNotFound, "Refund not found")
	}
	owed := r.amount.Sub(r.paid)
	if owed.Sign() <= 0 {
		return detail(http.StatusUnprocessableEntity, "Refund "+refundID+" is paid in full")
	}
	txn, amount, refused := b.drawable(txnID, amount)
	if refused != nil {
		return *refused
	}
	if amount.Cmp(owed) > 0 {
		return detail(http.StatusUnprocessableEntity, "Payment amount "+amount.String()+" exceeds the "+owed.String()+" left to pay on refund "+refundID)
	}
	txn.applied = txn.applied.Add(amount)
	r.paid = r.paid.Add(amount)
	r.payments = append(r.payments, refundPayment{id: s.newID("rfp_"), transactionID: txnID, amount: amount})
	if r.paid.Cmp(r.amount) >= 0 {
		r.status = asset.RefundStatusCompleted
	}
	return dataResponse(http.StatusCreated, r.wire())
}
