package soak

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/assetkit/asset-go"
)

// The reads: walks and gets of what the worker owns, whose answers must
// match the model at any moment, since nothing else changes it.

// walkInvoices walks the worker's invoices (those due on its date), at
// times breaking out early, which must stop the prefetching goroutine.
func (w *worker) walkInvoices() {
	params := &asset.InvoiceListParams{PageSize: 1 + w.rng.IntN(100), DueAtStart: w.due, DueAtEnd: w.due}
	stopAfter := -1
	if w.rng.IntN(4) == 0 {
		stopAfter = w.rng.IntN(len(w.invoices) + 1)
	}
	var got []asset.Invoice
	r, err := w.call("walk invoices", w.prefix, fmt.Sprintf("page size %d", params.PageSize), 0,
		[]asset.Option{asset.WithPrefetch(w.rng.IntN(3))},
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			for inv, err := range c.Invoices.All(ctx, w.biz, params, opts...) {
				if err != nil {
					return err
				}
				got = append(got, inv)
				if len(got) == stopAfter {
					break
				}
			}
			return nil
		})
	seen := map[string]bool{}
	for _, inv := range got {
		if seen[inv.ID] {
			w.s.violate("invoice %s twice in one walk: %s", inv.ID, r)
		}
		seen[inv.ID] = true
	}
	if err != nil || stopAfter >= 0 {
		return
	}
	byID := map[string]asset.Invoice{}
	for _, inv := range got {
		byID[inv.ID] = inv
	}
	for _, m := range w.invoices {
		inv, ok := byID[m.id]
		if !ok {
			w.s.violate("invoice %s (%s) missing from a walk of %d: %s\n%s", m.number, m.id, len(got), r, w.story(m.id))
			continue
		}
		w.compare("walk", m, inv)
	}
	if len(got) != len(w.invoices) {
		w.s.violate("a walk of w%03d's invoices found %d, the model has %d: %s", w.n, len(got), len(w.invoices), r)
	}
}

// pageBack loads two pages and goes back one: the page it comes back to
// is the first, as nothing else changes the worker's invoices meanwhile.
func (w *worker) pageBack() {
	params := &asset.InvoiceListParams{PageSize: 1 + w.rng.IntN(5), DueAtStart: w.due, DueAtEnd: w.due}
	var first, back *asset.Page[asset.Invoice]
	r, err := w.call("page back", w.prefix, fmt.Sprintf("page size %d", params.PageSize), 0, nil,
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			p := c.Invoices.Pager(w.biz, params, opts...)
			var err error
			if first, err = p.Next(ctx); err != nil || !first.HasNext() {
				return err
			}
			if _, err = p.Next(ctx); err != nil {
				return err
			}
			back, err = p.Previous(ctx)
			return err
		})
	if err != nil || back == nil {
		return
	}
	if a, b := pageIDs(first), pageIDs(back); !slices.Equal(a, b) {
		w.s.violate("the page before the second is %v, the first was %v: %s", b, a, r)
	}
}

func pageIDs(p *asset.Page[asset.Invoice]) []string {
	ids := make([]string, len(p.Data))
	for i, inv := range p.Data {
		ids[i] = inv.ID
	}
	return ids
}

// walkMemos walks the customer's memos: exactly the model's, in creation
// order.
func (w *worker) walkMemos() {
	params := &asset.CreditMemoListParams{CustomerID: w.customer, PageSize: 1 + w.rng.IntN(100)}
	var got []asset.CreditMemo
	r, err := w.call("walk memos", w.customer, fmt.Sprintf("page size %d", params.PageSize), 0, nil,
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			for cm, err := range c.CreditMemos.All(ctx, w.biz, params, opts...) {
				if err != nil {
					return err
				}
				got = append(got, cm)
			}
			return nil
		})
	if err != nil {
		return
	}
	if d := diffMemos(w.memos, got); d != "" {
		w.s.violate("walk of %s's credit memos: %s: %s", w.customer, d, r)
	}
}

// diffMemos compares a customer's memos with the model's, in order.
func diffMemos(want []*memo, got []asset.CreditMemo) string {
	var d []string
	if len(got) != len(want) {
		d = append(d, fmt.Sprintf("%d memos, want %d", len(got), len(want)))
	}
	for i := range min(len(got), len(want)) {
		g, m := got[i], want[i]
		c, ok := cents(g.Amount)
		if g.ID != m.id || !ok || c != m.amount || g.Voided != m.voided {
			d = append(d, fmt.Sprintf("memo %d is %s of %s (voided %t), want %s of %d (voided %t)",
				i, g.ID, centsString(g.Amount), g.Voided, m.id, m.amount, m.voided))
		}
	}
	return strings.Join(d, "; ")
}

// walkRefunds walks the business's refunds, everyone's: none twice, and
// the worker's own as the model has them.
func (w *worker) walkRefunds() {
	params := &asset.RefundListParams{PageSize: 1 + w.rng.IntN(100)}
	var got []asset.Refund
	r, err := w.call("walk refunds", w.biz, fmt.Sprintf("page size %d", params.PageSize), 0, nil,
		func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
			for rf, err := range c.Refunds.All(ctx, w.biz, params, opts...) {
				if err != nil {
					return err
				}
				got = append(got, rf)
			}
			return nil
		})
	seen := map[string]asset.Refund{}
	for _, rf := range got {
		if _, twice := seen[rf.ExternalID]; twice {
			w.s.violate("refund %s twice in one walk: %s", rf.ExternalID, r)
		}
		seen[rf.ExternalID] = rf
	}
	if err != nil {
		return
	}
	for _, rf := range w.refunds {
		g, ok := seen[rf.external]
		if !ok {
			w.s.violate("refund %s (%s) missing from a walk: %s", rf.external, rf.id, r)
			continue
		}
		w.compareRefund("walk", rf, g)
	}
}

func (w *worker) getInvoice() {
	m := pick(w, w.invoices, func(*invoice) bool { return true })
	if m == nil {
		return
	}
	var got *asset.Invoice
	w.call("get", m.id, "", 0, nil, func(ctx context.Context, c *asset.Client, opts []asset.Option) error {
		var err error
		got, err = c.Invoices.Get(ctx, w.biz, m.id, opts...)
		return err
	})
	if got != nil {
		w.compare("get", m, *got)
	}
}
