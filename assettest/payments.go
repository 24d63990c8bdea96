package assettest

import (
	"net/http"

	"github.com/assetkit/asset-go"
)

// writeOff is POST /invoice/{invoice_id}/write-off: the amount (by default
// the whole balance) is recorded as a payment with is_write_off set, and
// counts towards total_paid like any payment. The description is accepted
// and not stored: payments have no field for it.
func (s *Server) writeOff(c *call) response {
	obj, bad := bodyObject(c.jsonBody())
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
	inv, nf := s.findInvoice(c.business, c.param("invoice_id"))
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
	s.pay(inv, amount, payment{isWriteOff: true})
	return dataResponse(http.StatusOK, inv.wire())
}

// applyPayment is POST /invoice-payment. Without a transaction_id the
// payment is drawn from the credit pool of the invoice's customer, its
// credit memos oldest first, and names the first in credit_memo_id.
func (s *Server) applyPayment(c *call) response {
	biz := c.business
	obj, bad := bodyObject(c.jsonBody())
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
		var refused *response
		if txn, amount, refused = b.drawable(txnID, amount); refused != nil {
			return *refused
		}
	} else if inv.customerID == "" {
		return detail(http.StatusUnprocessableEntity, "Invoice has no customer whose credit the payment could draw on; give a transaction_id")
	}
	if balance := inv.balance(); amount.Cmp(balance) > 0 {
		return detail(http.StatusUnprocessableEntity, "Payment amount "+amount.String()+" exceeds the invoice balance of "+balance.String())
	}
	from := payment{transactionID: txnID}
	if txn == nil {
		if credit, _ := b.credit(inv.customerID); amount.Cmp(credit) > 0 {
			return detail(http.StatusUnprocessableEntity, "Payment amount "+amount.String()+" exceeds the customer's credit of "+credit.String())
		}
		from.creditMemoID = b.drawCredit(inv.customerID, amount)
		from.creditJournalEntryID = s.newID("je_")
	} else {
		txn.applied = txn.applied.Add(amount)
	}
	s.pay(inv, amount, from)
	return dataResponse(http.StatusOK, inv.wire())
}

// drawable returns the business's transaction txnID and how much of it a
// payment of amount draws: amount, or all that is left when amount is
// unset. It refuses a transaction not found, one applied in full, and an
// amount over what is left. Nothing is drawn yet: the caller adds the
// amount to applied once its own checks pass; s.mu must be held.
func (b *business) drawable(txnID string, amount asset.Decimal) (*transaction, asset.Decimal, *response) {
	txn := b.txns[txnID]
	if txn == nil {
		res := detail(http.StatusNotFound, "Transaction not found")
		return nil, amount, &res
	}
	remaining := txn.remaining()
	var res response
	switch {
	case remaining.Sign() <= 0:
		res = detail(http.StatusUnprocessableEntity, "Transaction "+txnID+" has been applied in full")
	case !amount.IsSet():
		return txn, remaining, nil
	case amount.Cmp(remaining) > 0:
		res = detail(http.StatusUnprocessableEntity, "Payment amount "+amount.String()+" exceeds the "+remaining.String()+" remaining on transaction "+txnID)
	default:
		return txn, amount, nil
	}
	return nil, amount, &res
}

// pay records a payment of amount from where from says (a transaction, a
// credit memo, a write-off) and moves total_paid and the status; s.mu must
// be held and the amount checked.
func (s *Server) pay(inv *invoice, amount asset.Decimal, from payment) {
	from.id, from.datetime, from.amount = s.newID("inp_"), normalTime(s.clock()), amount
	inv.payments = append(inv.payments, from)
	inv.paid = inv.paid.Add(amount)
	inv.settle()
}
