package asset

import (
	"fmt"
	"unicode/utf8"
)

// The checks here refuse, before anything is sent, input the API would
// refuse or that would do something the caller cannot have meant.

// maxBatch is the API's limit on items per batch create call, for
// invoices, credit memos and transactions alike.
const maxBatch = 100

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
			key := item.numberField()
			return &InputError{Field: itemField + "." + key, Reason: fmt.Sprintf("%q is also %s[%d]'s %s; each is unique per business", n, field, j, key)}
		}
		seen[n] = i
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
