package soak

import (
	"fmt"
	"strings"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// finalCheck compares the server's final state with the worker's model:
// every invoice, payment, memo, refund and transaction, to the cent, and
// nothing on the server that the model does not have.
func (w *worker) finalCheck() {
	srv := w.s.srv
	known := map[string]bool{}
	for _, m := range w.invoices {
		known[m.id] = true
		got, ok := srv.Invoice(w.biz, m.id)
		if !ok {
			w.s.violate("invoice %s (%s) reported created is not on the server\n%s", m.number, m.id, w.story(m.id, m.number))
			continue
		}
		if d := diffInvoice(m, got, true); len(d) > 0 {
			w.s.violate("final state: invoice %s (%s): %s\n%s", m.number, m.id, joinDiffs(d), w.story(m.id))
		}
	}
	for _, inv := range srv.Invoices(w.biz) {
		if strings.HasPrefix(inv.Number, w.prefix) && !known[inv.ID] {
			w.s.violate("invoice %s (%s) is on the server, though no call was found to have created it\n%s", inv.Number, inv.ID, w.story(inv.Number))
		}
	}

	var memos []asset.CreditMemo
	for _, cm := range srv.CreditMemos(w.biz) {
		if cm.CustomerID == w.customer {
			memos = append(memos, cm)
		}
	}
	if d := diffMemos(w.memos, memos); d != "" {
		w.s.violate("final state: credit memos of %s: %s", w.customer, d)
	}
	for i, m := range w.memos {
		left, ok := srv.CreditMemoRemaining(w.biz, m.id)
		if c, whole := cents(left); !ok || !whole || c != m.amount-m.used {
			w.s.violate("final state: credit memo %s has %s left, want %d cents\n%s", m.id, centsString(left), m.amount-m.used, w.story(m.id))
		}
		if m.createdBy != "" && i < len(memos) && memos[i].CreatedBy != m.createdBy {
			w.s.violate("final state: credit memo %s created by %q, want %q", m.id, memos[i].CreatedBy, m.createdBy)
		}
	}
	pool, _ := srv.CreditRemaining(w.biz, w.customer)
	if c, ok := cents(pool); !ok || c != w.pool() {
		w.s.violate("final state: %s's credit pool is %s, want %d cents", w.customer, centsString(pool), w.pool())
	}

	for _, t := range w.txns {
		left, ok := srv.TransactionRemaining(w.biz, t.id)
		if c, whole := cents(left); !ok || !whole || c != t.amount-t.applied {
			w.s.violate("final state: transaction %s has %s left, want %d cents\n%s", t.id, centsString(left), t.amount-t.applied, w.story(t.id))
		}
	}

	byExternal := map[string]*refund{}
	for _, rf := range w.refunds {
		byExternal[rf.external] = rf
	}
	for _, got := range srv.Refunds(w.biz) {
		if !strings.HasPrefix(got.ExternalID, w.prefix) {
			continue
		}
		rf := byExternal[got.ExternalID]
		if rf == nil {
			w.s.violate("refund %s (%s) is on the server, though no call was found to have created it\n%s", got.ExternalID, got.ID, w.story(got.ExternalID))
			continue
		}
		delete(byExternal, got.ExternalID)
		if d := diffRefund(rf, got); len(d) > 0 {
			w.s.violate("final state: refund %s (%s): %s\n%s", rf.external, rf.id, joinDiffs(d), w.story(rf.id))
		}
	}
	for ext, rf := range byExternal {
		w.s.violate("refund %s (%s) reported created is not on the server\n%s", ext, rf.id, w.story(ext))
	}
}

// appliedRoutes are the routes whose every applied request the model
// accounts for, one change a call. Invoice creates are left out: CreateMany
// sends a batch again when its first answer said nothing, and numbers,
// unique per business, keep it from creating twice (finalCheck proves it).
var appliedRoutes = []assettest.Route{
	assettest.RouteUpdateInvoice, assettest.RouteWriteOff, assettest.RouteApplyPayment,
	assettest.RouteCreateRefund, assettest.RouteApplyRefundPayment,
	assettest.RouteCreateCreditMemos, assettest.RouteVoidCreditMemo,
}

// checkApplied matches the changes the server applied, route by route,
// with those the workers know to have been applied: more on the server is
// a change applied twice, or one reported refused that was applied.
func (s *soak) checkApplied(workers []*worker) {
	var lines []string
	for _, route := range appliedRoutes {
		want := 0
		for _, w := range workers {
			want += w.applied[route]
		}
		if got := s.srv.Applied(route); got != want {
			s.violate("%s: the server applied %d changes, the history accounts for %d", route, got, want)
		}
		lines = append(lines, fmt.Sprintf("%s %d", route, want))
	}
	s.t.Logf("changes applied, by route: %s", strings.Join(lines, ", "))
}
