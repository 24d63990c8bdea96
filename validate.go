package asset

import (
	"fmt"
	"unicode/utf8"
)

// The checks here refuse, before anything is sent, input the API would
// refuse or that would do something the caller cannot have meant.

// validateBatch checks a batch create's items: 1 to maxBatch of them, as
// validateNumbered checks them. field is the argument's name, kind the
// items' ("invoice", "credit memo").
func validateBatch[T any, PT interface {
	*T
	batchItem
}](field, kind string, items []T) error {
	switch n := len(items); {
	case n == 0:
		return &InputError{Field: field, Reason: "is empty: give at least one " + kind}
	case n > maxBatch:
		return &InputError{Field: field, Reason: fmt.Sprintf("has %d %ss; the API takes at most %d per call", n, kind, maxBatch)}
	}
	return validateNumbered[T, PT](field, items)
}

// validateNumbered checks each item, and that no number is used twice: the
// API would refuse the second.
func validateNumbered[T any, PT interface {
	*T
	batchItem
}](field string, items []T) error {
	seen := make(map[string]int, len(items))
	for i := range items {
		item, itemField := PT(&items[i]), fmt.Sprintf("%s[%d]", field, i)
		if err := item.validate(itemField); err != nil {
			return err
		}
		if err := checkEncodable(itemField, item); err != nil {
			return err
		}
		n := item.number()
		if j, dup := seen[n]; dup {
			return &InputError{Field: itemField + ".number", Reason: fmt.Sprintf("%q is also %s[%d]'s number; numbers are unique per business", n, field, j)}
		}
		seen[n] = i
	}
	return nil
}

func (c *InvoiceCreate) number() string { return c.Number }

func (c *InvoiceCreate) validate(field string) error {
	if err := checkText(field+".number", c.Number, true, 255); err != nil {
		return err
	}
	if err := checkText(field+".description", c.Description, false, 512); err != nil {
		return err
	}
	if err := checkPositive(field+".credit_amount", c.CreditAmount, true); err != nil {
		return err
	}
	return validateLines(field+".lines", c.Lines)
}

func validateLines(field string, lines []InvoiceLineCreate) error {
	for i, l := range lines {
		if utf8.RuneCountInString(l.Description) > 512 {
			return &InputError{Field: fmt.Sprintf("%s[%d].description", field, i), Reason: "is longer than 512 characters"}
		}
		for _, m := range []struct {
			name  string
			value Decimal
		}{
			{"unit_price", l.UnitPrice}, {"quantity", l.Quantity}, {"discount_amount", l.DiscountAmount},
			{"discount_rate", l.DiscountRate}, {"tax_amount", l.TaxAmount}, {"tax_rate", l.TaxRate}, {"amount", l.Amount},
		} {
			// Only a negative amount fails here; naming the field only
			// then keeps a valid batch from allocating a name per amount.
			if m.value.Sign() < 0 {
				return checkPositive(fmt.Sprintf("%s[%d].%s", field, i, m.name), m.value, true)
			}
		}
	}
	return nil
}

// checkPositive refuses a negative amount, and a zero one unless zeroOK. An
// absent amount passes: the server's default applies.
func checkPositive(field string, d Decimal, zeroOK bool) error {
	if !d.IsSet() {
		return nil
	}
	switch s := d.Sign(); {
	case s < 0:
		return &InputError{Field: field, Reason: d.String() + " is negative"}
	case s == 0 && !zeroOK:
		return &InputError{Field: field, Reason: "is zero; leave it unset for the default"}
	}
	return nil
}

// checkText refuses a required text that is empty, and any text longer than
// limit characters, the API's bound for it.
func checkText(field, s string, required bool, limit int) error {
	switch {
	case required && s == "":
		return &InputError{Field: field, Reason: "is required"}
	case utf8.RuneCountInString(s) > limit:
		return &InputError{Field: field, Reason: fmt.Sprintf("is longer than %d characters", limit)}
	}
	return nil
}

// checkPageSize refuses a page size the API would; zero lets the server
// choose.
func checkPageSize(n int) error {
	if n != 0 && (n < 1 || n > 100) {
		return &InputError{Field: "params.PageSize", Reason: fmt.Sprintf("%d is outside 1..100", n)}
	}
	return nil
}

func (p *InvoiceListParams) validate() error {
	if err := checkPageSize(p.PageSize); err != nil {
		return err
	}
	if !p.DueAtStart.IsZero() && !p.DueAtEnd.IsZero() && p.DueAtEnd.Before(p.DueAtStart) {
		return &InputError{Field: "params.DueAtEnd", Reason: "is before DueAtStart"}
	}
	return checkStatuses(p.Status, "an invoice status")
}

// checkStatuses refuses a list filter's status the SDK does not know: the
// API would refuse it. what names the statuses ("an invoice status").
func checkStatuses[S interface {
	~string
	IsKnown() bool
}](statuses []S, what string) error {
	for i, st := range statuses {
		if !st.IsKnown() {
			return &InputError{Field: fmt.Sprintf("params.Status[%d]", i), Reason: fmt.Sprintf("%q is not %s", st, what)}
		}
	}
	return nil
}

func (u *InvoiceUpdate) validate() error {
	if u.Status != "" && !u.Status.IsKnown() {
		return &InputError{Field: "update.Status", Reason: fmt.Sprintf("%q is not an invoice status", u.Status)}
	}
	if u.Status == "" && u.LineChanges.empty() && len(u.Tags) == 0 {
		return &InputError{Field: "update", Reason: "changes nothing: set Status, LineChanges or Tags"}
	}
	if lc := u.LineChanges; lc != nil {
		for i, l := range lc.CreateLines {
			if err := l.validate(fmt.Sprintf("update.LineChanges.CreateLines[%d]", i)); err != nil {
				return err
			}
		}
		for i, id := range lc.DeleteLines {
			if err := checkID(fmt.Sprintf("update.LineChanges.DeleteLines[%d]", i), id); err != nil {
				return err
			}
		}
	}
	for name := range u.Tags {
		if name == "" {
			return &InputError{Field: "update.Tags", Reason: "has an empty tag name"}
		}
	}
	return nil
}

func (l *InvoiceUpdateLine) validate(field string) error {
	if err := checkText(field+".description", l.Description, false, 512); err != nil {
		return err
	}
	if !l.Amount.IsSet() {
		return &InputError{Field: field + ".amount", Reason: "is required: a line added by an update has an amount, not a price and quantity"}
	}
	return checkPositive(field+".amount", l.Amount, true)
}

func (lc *InvoiceLineChanges) empty() bool {
	return lc == nil || len(lc.CreateLines) == 0 && len(lc.DeleteLines) == 0 && len(lc.Metadata) == 0
}

func (p *InvoicePaymentCreate) validate() error {
	if err := checkID("payment.InvoiceID", p.InvoiceID); err != nil {
		return err
	}
	if p.TransactionID != "" {
		if err := checkID("payment.TransactionID", p.TransactionID); err != nil {
			return err
		}
	} else if !p.PaymentAmount.IsSet() {
		return &InputError{Field: "payment.PaymentAmount", Reason: "is required when there is no TransactionID (the payment is drawn from the customer's credit)"}
	}
	return checkPositive("payment.PaymentAmount", p.PaymentAmount, false)
}
