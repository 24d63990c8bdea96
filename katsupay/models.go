package katsupay

import (
	"encoding/json"
	"time"

	"github.com/assetkit/asset-go"
)

// Currency is the invoice's currency, as Katsu Pay's integer code. Katsu's
// docs do not say which code is which currency (their example request
// sends 2), so the SDK defines no constants: a guessed name would bill in
// the wrong currency. Name your deployment's codes yourself, e.g.
//
//	const invoiceCurrency = katsupay.Currency(2) // as your deployment defines it
//
// Any value is sent as the number it is.
type Currency int

// BillingCycle is how often a recurring invoice repeats, as Katsu Pay's
// integer code. Katsu's docs do not say which code is which cycle (their
// example sends 7), so the SDK defines no constants. Name your
// deployment's codes yourself, e.g.
//
//	const monthly = katsupay.BillingCycle(7) // as your deployment defines it
type BillingCycle int

// DiscountType is how Discount.DiscountValue applies, as Katsu Pay's integer
// code. Katsu's docs do not say which code is which type (their example
// sends 1; a percentage and a fixed amount are the usual two), so the SDK
// defines no constants: a guess could turn a 10% discount into 10 off.
// Name your deployment's codes yourself, e.g.
//
//	const percentOff = katsupay.DiscountType(1) // as your deployment defines it
type DiscountType int

// NotificationChannel is one way of notifying the counterparty, as Katsu
// Pay's integer code. Katsu's docs do not say which code is which channel,
// so the SDK defines no constants; name your deployment's, e.g.
// katsupay.NotificationChannel(1).
type NotificationChannel int

// PaymentMethod is one way the counterparty may pay, as Katsu Pay's integer
// code. Katsu's docs do not say which code is which method, so the SDK
// defines no constants; name your deployment's, e.g. katsupay.PaymentMethod(1).
type PaymentMethod int

// CreateInvoice is the body of Invoices.Create. Field names on the wire are
// Katsu Pay's, including its spelling "recuringInvoice". Katsu's docs give
// only the fields' names and JSON types; the comments below read the names,
// and mark what the SDK requires before sending.
//
// Every field is sent, zero or not, so the deployment always receives the
// documented shape: nil lists go as [], and a zero Discount as a discount of
// type 0 and value 0.
type CreateInvoice struct {
	// CounterPartyID is the UUID of the party invoiced. Required.
	CounterPartyID string `json:"counterPartyId"`
	// ReceivingAccountID is the UUID of the account that receives the
	// payment. Required.
	ReceivingAccountID string `json:"receivingAccountId"`
	// CounterPartyName is the invoiced party's name as shown on the invoice.
	CounterPartyName string `json:"counterPartyName"`
	// AccountName is the receiving account's name as shown on the invoice.
	AccountName string `json:"accountName"`
	// DueDate is when payment is due. Required. It is sent in RFC 3339
	// with its offset, to 100 ns (the resolution of Katsu's .NET dates).
	DueDate time.Time `json:"dueDate"`
	// Currency is the currency code.
	Currency Currency `json:"currency"`
	// Products are the invoice's lines; at least one is required.
	Products []Product `json:"products"`
	// Taxes apply to the invoice.
	Taxes []Tax `json:"taxes"`
	// Discount applies to the invoice; its zero value sends a zero discount.
	Discount Discount `json:"discount"`
	// Description is free text shown on the invoice.
	Description string `json:"description"`
	// BillingCycle is how often the invoice repeats when RecurringInvoice.
	BillingCycle BillingCycle `json:"billingCycle"`
	// RecurringInvoice makes the invoice repeat every BillingCycle.
	RecurringInvoice bool `json:"recuringInvoice"`
	// Notification lists the channels the counterparty is notified on.
	Notification []NotificationChannel `json:"notification"`
	// PaymentMethods lists the ways the counterparty may pay.
	PaymentMethods []PaymentMethod `json:"paymentMethods"`
	// BeforeDueDates and AfterDueDates are documented only as lists of
	// integers; by their names, the days before and after DueDate on which
	// reminders go out. Negative values are refused.
	BeforeDueDates []int `json:"beforeDueDates"`
	AfterDueDates  []int `json:"afterDueDates"`
	// OnDueDate sends a reminder on DueDate itself.
	OnDueDate bool `json:"onDueDate"`
	// SendInvoice sends the invoice to the counterparty once created.
	SendInvoice bool `json:"sendInvoice"`
}

// Product is one line of an invoice.
type Product struct {
	// ProductID is the product's UUID. Required.
	ProductID string `json:"productId"`
	// Quantity is how many units are invoiced, at least 1.
	Quantity int `json:"quantity"`
	// UnitPrice is the price of one unit. Required, and not negative.
	UnitPrice asset.Decimal `json:"unitPrice"`
}

// Tax is a tax applied to an invoice.
type Tax struct {
	// TaxID is the tax's UUID. Required.
	TaxID string `json:"taxId"`
	// TaxPercentageValue is the rate in percent, e.g. 7.5 for 7.5%.
	// Required, and not negative.
	TaxPercentageValue asset.Decimal `json:"taxPercentageValue"`
}

// Discount is a discount applied to an invoice.
type Discount struct {
	// DiscountType says how DiscountValue applies.
	DiscountType DiscountType `json:"discountType"`
	// DiscountValue is the discount, not negative; unset sends 0.
	DiscountValue asset.Decimal `json:"discountValue"`
}

// CreatedInvoice is what Katsu Pay returns for a created invoice.
type CreatedInvoice struct {
	// InvoiceID is the new invoice's id, a UUID in the documented reply.
	InvoiceID string `json:"invoiceId"`
	// Amount is the invoice's total as the deployment computed it; unset
	// when the reply carried none.
	Amount asset.Decimal `json:"amount,omitzero"`
}

// dueDateLayout is RFC 3339 cut to .NET's 100 ns ticks: some .NET JSON
// readers refuse more than seven fractional digits.
const dueDateLayout = "2006-01-02T15:04:05.9999999Z07:00"

// MarshalJSON writes the documented body, in the documented order: every
// field present, lists as [] rather than null (a .NET service may iterate
// them without a null check), and DueDate to at most seven fractional digits.
func (c CreateInvoice) MarshalJSON() ([]byte, error) {
	discount := c.Discount
	if !discount.DiscountValue.IsSet() {
		discount.DiscountValue = asset.DecimalFromInt(0)
	}
	return json.Marshal(struct {
		CounterPartyID     string                `json:"counterPartyId"`
		ReceivingAccountID string                `json:"receivingAccountId"`
		CounterPartyName   string                `json:"counterPartyName"`
		AccountName        string                `json:"accountName"`
		DueDate            string                `json:"dueDate"`
		Currency           Currency              `json:"currency"`
		Products           []Product             `json:"products"`
		Taxes              []Tax                 `json:"taxes"`
		Discount           Discount              `json:"discount"`
		Description        string                `json:"description"`
		BillingCycle       BillingCycle          `json:"billingCycle"`
		RecurringInvoice   bool                  `json:"recuringInvoice"`
		Notification       []NotificationChannel `json:"notification"`
		PaymentMethods     []PaymentMethod       `json:"paymentMethods"`
		BeforeDueDates     []int                 `json:"beforeDueDates"`
		AfterDueDates      []int                 `json:"afterDueDates"`
		OnDueDate          bool                  `json:"onDueDate"`
		SendInvoice        bool                  `json:"sendInvoice"`
	}{
		CounterPartyID:     c.CounterPartyID,
		ReceivingAccountID: c.ReceivingAccountID,
		CounterPartyName:   c.CounterPartyName,
		AccountName:        c.AccountName,
		DueDate:            c.DueDate.Format(dueDateLayout),
		Currency:           c.Currency,
		Products:           orEmpty(c.Products),
		Taxes:              orEmpty(c.Taxes),
		Discount:           discount,
		Description:        c.Description,
		BillingCycle:       c.BillingCycle,
		RecurringInvoice:   c.RecurringInvoice,
		Notification:       orEmpty(c.Notification),
		PaymentMethods:     orEmpty(c.PaymentMethods),
		BeforeDueDates:     orEmpty(c.BeforeDueDates),
		AfterDueDates:      orEmpty(c.AfterDueDates),
		OnDueDate:          c.OnDueDate,
		SendInvoice:        c.SendInvoice,
	})
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
