package asset

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TransactionType says whose money a transaction moved. Unknown values
// decode as themselves.
type TransactionType string

// The documented transaction types.
const (
	TransactionTypeBusiness TransactionType = "business"
	TransactionTypePersonal TransactionType = "personal"
)

// IsKnown reports whether t is one of the documented types.
func (t TransactionType) IsKnown() bool {
	return t == TransactionTypeBusiness || t == TransactionTypePersonal
}

// The related objects a transaction list or get can include
// (TransactionListParams.Includes); without them the payments are nil.
const (
	// TransactionIncludeInvoicePayments includes the invoice payments
	// drawn on each transaction, each with its invoice.
	TransactionIncludeInvoicePayments = "invoice_payments.invoice"
	TransactionIncludeRefundPayments  = "refund_payments"
	TransactionIncludeBillPayments    = "bill_payments"
)

// Transaction is money in or out of an external account of the business,
// as the API returns it (ids txn_). The payments drawn on it are set only
// when the request included them (TransactionListParams.Includes), and are
// nil otherwise.
//
//asset:wire
type Transaction struct {
	ID string `json:"id"`
	// ExternalID is the caller's id for the transaction: what
	// TransactionCreate.ExternalID sent as transaction_id.
	ExternalID        string          `json:"external_id,omitempty"`
	ExternalAccountID string          `json:"external_account_id,omitempty"`
	Amount            Decimal         `json:"amount,omitzero"`
	Datetime          time.Time       `json:"datetime,omitzero"`
	Description       string          `json:"description,omitempty"`
	Posted            bool            `json:"posted,omitempty"`
	Type              TransactionType `json:"type,omitempty"`
	Reviewed          bool            `json:"reviewed,omitempty"`
	Metadata          map[string]any  `json:"metadata,omitempty" alias:"metadata_"`
	// InvoicePayments are the invoice payments drawn on the transaction.
	InvoicePayments []TransactionInvoicePayment `json:"invoice_payments,omitempty"`
	// RefundPayments are the refunds it paid.
	RefundPayments []RefundPayment `json:"refund_payments,omitempty"`
	// BillPayments are the bills it paid.
	BillPayments []BillPayment `json:"bill_payments,omitempty"`
}

// TransactionInvoicePayment is an invoice payment drawn on a transaction,
// with the invoice it paid when the API sends it.
type TransactionInvoicePayment struct {
	InvoicePayment
	// Invoice is the invoice paid; nil when the response has none. Its
	// own Payments are left out: the docs show them there as placeholders.
	Invoice *Invoice `json:"invoice,omitempty"`
}

// UnmarshalJSON decodes the payment and its invoice. The docs show the
// nested invoice's payments as "<unknown>" placeholders, which are dropped,
// and the invoice itself as {} or "<unknown>" elsewhere, which leave
// Invoice nil.
func (p *TransactionInvoicePayment) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &p.InvoicePayment); err != nil {
		return err
	}
	var ref struct {
		Invoice json.RawMessage `json:"invoice"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		return err
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(ref.Invoice, &obj) != nil || len(obj) == 0 {
		return nil
	}
	delete(obj, "payments")
	rest, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	var inv Invoice
	if err := json.Unmarshal(rest, &inv); err != nil {
		return fmt.Errorf("invoice_payments[].invoice: %w", err)
	}
	p.Invoice = &inv
	return nil
}

// BillPayment is a payment of a bill (accounts payable) drawn on a
// transaction. The bill itself is not decoded: the SDK does not model
// bills yet.
//
//asset:wire
type BillPayment struct {
	ID            string    `json:"id"`
	BillID        string    `json:"bill_id,omitempty"`
	TransactionID string    `json:"transaction_id,omitempty"`
	PaymentID     string    `json:"payment_id,omitempty"`
	Datetime      time.Time `json:"datetime,omitzero"`
	PaymentAmount Decimal   `json:"payment_amount,omitzero"`
}

// TransactionCreate is one transaction to record. Description (at most 512
// characters), Datetime, Amount, ExternalID and an account are required.
type TransactionCreate struct {
	Description string    `json:"description"`
	Datetime    time.Time `json:"transaction_datetime"`
	// Amount may be negative, money out; it may not be zero.
	Amount Decimal `json:"amount"`
	// ExternalID is your own id for the transaction (the bank's or Plaid's,
	// at most 255 characters, without commas), sent as transaction_id and
	// returned as Transaction.ExternalID: how a batch whose outcome is
	// unknown is settled (TransactionService.FindByExternalIDs), which is
	// why a comma, which that filter cannot carry, is refused.
	ExternalID string `json:"transaction_id"`
	// ExternalAccountID is the eac_ account the newer docs require.
	ExternalAccountID string `json:"external_account_id,omitempty"`
	// LinkedAccountID is the account (a UUID) the older docs require in
	// its place. Give the one your API version takes; the SDK sends what
	// is set.
	LinkedAccountID string         `json:"linked_account_id,omitempty"`
	Metadata        map[string]any `json:"metadata_,omitempty"`
}

// TransactionListParams filters and pages a business's transactions. Zero
// fields are left out of the query.
//
// The docs disagree on AccountIDs: one version takes comma-separated text,
// the other a list (repeated keys). The SDK sends them comma-separated, as
// the newer version, the one with IDs and ExternalIDs, describes: one id
// reads the same in both; several are read as one id by the older. IDs,
// ExternalIDs and Includes exist in the newer version only, and are sent
// comma-separated, as it says.
type TransactionListParams struct {
	Type TransactionType `url:"type,omitempty"`
	// Reviewed, when not nil, keeps reviewed transactions (true) or those
	// not reviewed (false).
	Reviewed *bool `url:"reviewed,omitempty"`
	// StartDatetime and EndDatetime keep transactions in this range,
	// inclusive.
	StartDatetime time.Time `url:"start_datetime,omitempty" layout:"2006-01-02T15:04:05.999999999Z07:00"`
	EndDatetime   time.Time `url:"end_datetime,omitempty" layout:"2006-01-02T15:04:05.999999999Z07:00"`
	// AccountIDs keeps transactions of these external accounts (eac_).
	AccountIDs []string `url:"account_ids,comma,omitempty"`
	// IDs keeps these transactions, at most 100.
	IDs []string `url:"ids,comma,omitempty"`
	// ExternalIDs keeps the transactions created with these external ids.
	ExternalIDs []string `url:"external_ids,comma,omitempty"`
	// Includes names related objects to send with each transaction: the
	// TransactionInclude constants.
	Includes []string `url:"includes,comma,omitempty"`
	// SortBy is "datetime" (the default) or "description"; Order is "asc"
	// or "desc" (the default).
	SortBy string `url:"sort_by,omitempty"`
	Order  string `url:"order,omitempty"`
	// PageSize is 1 to 100; zero lets the server choose.
	PageSize int `url:"page_size,omitempty"`
	// PageToken starts at a page a previous response named.
	PageToken string `url:"page_token,omitempty"`
}

// maxTransactionIDs is the API's limit on the ids filter.
const maxTransactionIDs = 100

// checkDecoded tells a transaction the API sent from the zero value an
// empty object decodes to.
func (t *Transaction) checkDecoded() error { return checkHasID("transaction", t.ID) }

func (c *TransactionCreate) number() string { return c.ExternalID }

func (*TransactionCreate) numberField() string { return "ExternalID" }

func (c *TransactionCreate) validate(field string) error {
	if err := checkText(field+".ExternalID", c.ExternalID, true, 255); err != nil {
		return err
	}
	if strings.Contains(c.ExternalID, ",") {
		return &InputError{Field: field + ".ExternalID", Reason: fmt.Sprintf("%q holds a comma: the external_ids filter, which finds a transaction whose creation had an unknown outcome, cannot carry it", c.ExternalID)}
	}
	if err := checkText(field+".Description", c.Description, true, 512); err != nil {
		return err
	}
	if c.Datetime.IsZero() {
		return &InputError{Field: field + ".Datetime", Reason: "is required"}
	}
	if !c.Amount.IsSet() || c.Amount.Sign() == 0 {
		return &InputError{Field: field + ".Amount", Reason: "is required and may not be zero"}
	}
	if c.ExternalAccountID == "" && c.LinkedAccountID == "" {
		return &InputError{Field: field + ".ExternalAccountID", Reason: "is required, or LinkedAccountID for the older API"}
	}
	for _, id := range []struct{ name, value string }{{"ExternalAccountID", c.ExternalAccountID}, {"LinkedAccountID", c.LinkedAccountID}} {
		if id.value != "" {
			if err := checkID(field+"."+id.name, id.value); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *TransactionListParams) validate() error {
	if err := checkPageSize(p.PageSize); err != nil {
		return err
	}
	if p.Type != "" && !p.Type.IsKnown() {
		return &InputError{Field: "params.Type", Reason: fmt.Sprintf("%q is not a transaction type", p.Type)}
	}
	if len(p.IDs) > maxTransactionIDs {
		return &InputError{Field: "params.IDs", Reason: fmt.Sprintf("has %d ids; the API takes at most %d", len(p.IDs), maxTransactionIDs)}
	}
	if !p.StartDatetime.IsZero() && !p.EndDatetime.IsZero() && p.EndDatetime.Before(p.StartDatetime) {
		return &InputError{Field: "params.EndDatetime", Reason: "is before StartDatetime"}
	}
	if p.SortBy != "" && p.SortBy != "datetime" && p.SortBy != "description" {
		return &InputError{Field: "params.SortBy", Reason: fmt.Sprintf("%q is not datetime or description", p.SortBy)}
	}
	if p.Order != "" && p.Order != "asc" && p.Order != "desc" {
		return &InputError{Field: "params.Order", Reason: fmt.Sprintf("%q is not asc or desc", p.Order)}
	}
	for _, l := range []struct {
		field  string
		values []string
	}{{"params.AccountIDs", p.AccountIDs}, {"params.IDs", p.IDs}, {"params.ExternalIDs", p.ExternalIDs}, {"params.Includes", p.Includes}} {
		if err := checkCommaList(l.field, l.values); err != nil {
			return err
		}
	}
	return nil
}

// checkCommaList refuses a value a comma-separated filter cannot carry:
// empty, or holding a comma, it would be read as other values.
func checkCommaList(field string, values []string) error {
	if i := slices.IndexFunc(values, func(v string) bool { return v == "" || strings.Contains(v, ",") }); i >= 0 {
		return &InputError{Field: fmt.Sprintf("%s[%d]", field, i), Reason: fmt.Sprintf("%q is empty or holds a comma, which the comma-separated filter cannot carry", values[i])}
	}
	return nil
}
