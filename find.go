package asset

import (
	"context"
	"fmt"
	"time"
)

// The API cannot look an invoice or a credit memo up by number, nor a
// refund by its external id, yet that is how a change whose outcome is
// unknown is settled: the number was sent, the id was not learnt. These
// lookups walk a list once, as narrowly as its filters allow, and stop as
// soon as everything asked for is found.

// FindByNumbers looks invoices up by number: it walks the business's
// invoices (GET /v0/business/{business_id}/invoice) a page of 100 at a
// time, within the client's rate limit, and stops once every number is
// found. It returns the invoices found, by number; a number missing from the
// map has no invoice (the walk reached the end). The API has no number
// filter, so the cost is the pages walked: at most one per 100 invoices of
// the business, or of those due within WithDueWindow when it is given. On
// an error it returns what it found so far with the error. An empty
// numbers sends nothing.
func (s *InvoiceService) FindByNumbers(ctx context.Context, businessID string, numbers []string, opts ...Option) (map[string]Invoice, error) {
	return s.findByNumbers(ctx, businessID, numbers, scopedDueWindow, opts)
}

// findByNumbers is FindByNumbers for a call that takes the options in
// takes: CreateMany's lookups pass its own.
func (s *InvoiceService) findByNumbers(ctx context.Context, businessID string, numbers []string, takes scopedOptions, opts []Option) (map[string]Invoice, error) {
	cs, err := s.client.callSettings(opts)
	if err != nil {
		return nil, err
	}
	params := &InvoiceListParams{PageSize: 100, DueAtStart: cs.dueStart, DueAtEnd: cs.dueEnd}
	l := s.list(businessID, params, opts)
	l.takes = takes
	return find(ctx, l, "numbers", numbers, func(inv *Invoice) string { return inv.Number })
}

// WithDueWindow narrows Invoices.FindByNumbers to the invoices due from
// start to end, inclusive (the invoice list's due_at_start and
// due_at_end): give it the range of the due dates the invoices were created
// with, widened by a day on each side should the server keep dates alone.
// A zero start or end leaves that side open. Other calls refuse it.
func WithDueWindow(start, end time.Time) Option {
	return Option{func(s *settings) error {
		if !s.perCall {
			return &InputError{Field: "WithDueWindow", Reason: "belongs to one call; give it to FindByNumbers, not to NewClient"}
		}
		if !start.IsZero() && !end.IsZero() && end.Before(start) {
			return &InputError{Field: "WithDueWindow", Reason: fmt.Sprintf("end %s is before start %s", end.Format(time.RFC3339), start.Format(time.RFC3339))}
		}
		s.dueStart, s.dueEnd = start, end
		s.scoped |= scopedDueWindow
		return nil
	}}
}

// FindByNumbers looks credit memos up by number among one customer's
// (GET /v0/business/{business_id}/credit-memo?customer_id=...): it walks
// them a page of 100 at a time and stops once every number is found. It
// returns the memos found, by number; a number missing from the map has no
// memo of that customer. The cost is the pages walked: at most one per 100
// of the customer's memos. On an error it returns what it found so far
// with the error. An empty numbers sends nothing.
func (s *CreditMemoService) FindByNumbers(ctx context.Context, businessID, customerID string, numbers []string, opts ...Option) (map[string]CreditMemo, error) {
	if err := checkID("customerID", customerID); err != nil {
		return nil, err
	}
	params := &CreditMemoListParams{CustomerID: customerID, PageSize: 100}
	return find(ctx, s.list(businessID, params, opts), "numbers", numbers, func(m *CreditMemo) string { return m.Number })
}

// FindByExternalID looks a refund up by the ExternalID it was created with,
// among the refunds of one of its invoices
// (GET /v0/business/{business_id}/invoice/{invoice_id}/refunds): one
// request. A refund that is not there is an error matching ErrNotFound.
func (s *RefundService) FindByExternalID(ctx context.Context, businessID, invoiceID, externalID string, opts ...Option) (*Refund, error) {
	if err := checkText("externalID", externalID, true, 255); err != nil {
		return nil, err
	}
	refunds, err := s.ListForInvoice(ctx, businessID, invoiceID, opts...)
	if err != nil {
		return nil, err
	}
	for i := range refunds {
		if refunds[i].ExternalID == externalID {
			return &refunds[i], nil
		}
	}
	return nil, fmt.Errorf("asset: no refund with external id %q among invoice %s's refunds: %w", externalID, invoiceID, ErrNotFound)
}

// find walks l until every key is found, and returns the items found by
// key (the first, should the list hold a key twice). field names keys in
// errors.
func find[T any](ctx context.Context, l lister[T], field string, keys []string, keyOf func(*T) string) (map[string]T, error) {
	if err := checkFindKeys(field, keys); err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		want[k] = true
	}
	found := make(map[string]T, len(want))
	if len(want) == 0 {
		return found, nil
	}
	if l.err != nil {
		return nil, l.err
	}
	// Without prefetching: a page fetched ahead of a walk that has found
	// everything is a request of the rate limit spent for nothing.
	for item, err := range walkItems(ctx, l.start, l.fetch, 0) {
		if err != nil {
			return found, err
		}
		k := keyOf(&item)
		if _, dup := found[k]; want[k] && !dup {
			found[k] = item
			if len(found) == len(want) {
				break
			}
		}
	}
	return found, nil
}

// checkFindKeys refuses a key that no item can have.
func checkFindKeys(field string, keys []string) error {
	for i, k := range keys {
		if err := checkText(fmt.Sprintf("%s[%d]", field, i), k, true, 255); err != nil {
			return err
		}
	}
	return nil
}
