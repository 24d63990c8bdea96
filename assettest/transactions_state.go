package assettest

import (
	"time"

	"github.com/assetkit/asset-go"
)

// A transaction's state, and what the API and a test read of it. The
// payments drawn on a transaction are kept where they were made (on the
// invoice, on the refund) and gathered here when a request includes them.

// AddTransactionAccount is the external account (eac_) of the transactions
// AddTransaction records.
const AddTransactionAccount = "eac_AddTransaction000000001"

// transaction is money in or out of an external account of the business,
// which payments can draw on.
type transaction struct {
	seq                                    uint64
	id, externalID, accountID, description string
	amount, applied                        asset.Decimal
	datetime                               time.Time
	metadata                               map[string]any
}

func (t *transaction) position() uint64 { return t.seq }

func (t *transaction) remaining() asset.Decimal { return t.amount.Sub(t.applied) }

// addTransaction stores a new transaction; s.mu must be held.
func (s *Server) addTransaction(b *business, t *transaction) {
	s.seq++
	t.seq = s.seq
	if !t.applied.IsSet() {
		t.applied = asset.DecimalFromInt(0)
	}
	b.transactions = append(b.transactions, t)
	b.txns[t.id] = t
	b.txnByExternal[t.externalID] = t
}

// wireTransaction is a transaction as the API sends it; the payments are
// null unless the request included them.
type wireTransaction struct {
	ID                string                  `json:"id"`
	ExternalID        string                  `json:"external_id"`
	ExternalAccountID string                  `json:"external_account_id"`
	Amount            asset.Decimal           `json:"amount"`
	Datetime          time.Time               `json:"datetime"`
	Description       string                  `json:"description"`
	Posted            bool                    `json:"posted"`
	Type              string                  `json:"type"`
	Reviewed          bool                    `json:"reviewed"`
	Metadata          map[string]any          `json:"metadata_"`
	InvoicePayments   []wireTxnInvoicePayment `json:"invoice_payments"`
	RefundPayments    []wireRefundPayment     `json:"refund_payments"`
	BillPayments      []struct{}              `json:"bill_payments"`
}

// wireTxnInvoicePayment is an invoice payment as a transaction lists it,
// with its invoice when that was included.
type wireTxnInvoicePayment struct {
	wirePayment
	Invoice *wireInvoice `json:"invoice"`
}

// includes are the related objects a transaction request asked for.
type includes struct{ invoicePayments, invoices, refundPayments, billPayments bool }

// wire is the transaction as sent, with what inc includes; s.mu must be
// held. Every transaction the fake holds is posted, of a business account,
// and not reviewed: nothing in the API it models changes that.
func (t *transaction) wire(b *business, inc includes) wireTransaction {
	w := wireTransaction{
		ID: t.id, ExternalID: t.externalID, ExternalAccountID: t.accountID, Amount: t.amount, Datetime: t.datetime,
		Description: t.description, Posted: true, Type: string(asset.TransactionTypeBusiness), Metadata: orEmpty(t.metadata),
	}
	if inc.invoicePayments {
		w.InvoicePayments = []wireTxnInvoicePayment{}
		for _, inv := range b.invoices {
			var invWire *wireInvoice
			for i, p := range inv.payments {
				if p.transactionID != t.id {
					continue
				}
				if invWire == nil {
					iw := inv.wire()
					invWire = &iw
				}
				tp := wireTxnInvoicePayment{wirePayment: invWire.Payments[i]}
				if inc.invoices {
					tp.Invoice = invWire
				}
				w.InvoicePayments = append(w.InvoicePayments, tp)
			}
		}
	}
	if inc.refundPayments {
		w.RefundPayments = []wireRefundPayment{}
		for _, r := range b.refunds.list {
			for _, p := range r.payments {
				if p.transactionID == t.id {
					w.RefundPayments = append(w.RefundPayments, wireRefundPayment{ID: p.id, Amount: p.amount, TransactionID: p.transactionID})
				}
			}
		}
	}
	if inc.billPayments {
		w.BillPayments = []struct{}{} // the fake has no bills
	}
	return w
}

// Transactions returns a business's transactions in creation order, with
// the invoice and refund payments drawn on each, straight from the
// server's state and exactly as the SDK would decode them. Those
// AddTransaction recorded are among them.
func (s *Server) Transactions(businessID string) []asset.Transaction {
	return publicAll(s, businessID, func(b *business) []*transaction { return b.transactions },
		func(t *transaction) asset.Transaction {
			return decodeAsSDK[asset.Transaction]("a transaction", t.wire(s.businesses[businessID], includes{invoicePayments: true, refundPayments: true}))
		})
}
