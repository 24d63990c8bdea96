package katsupay

import (
	"fmt"
	"unicode/utf8"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/internal/uuid"
)

// validate refuses, before anything is sent, input that Katsu Pay would
// refuse or that cannot be what the caller meant. Field names are the wire
// names, as the deployment's own errors would give them.
func (c *CreateInvoice) validate() error {
	if err := checkUUID("counterPartyId", c.CounterPartyID); err != nil {
		return err
	}
	if err := checkUUID("receivingAccountId", c.ReceivingAccountID); err != nil {
		return err
	}
	if c.DueDate.IsZero() {
		return &asset.InputError{Field: "dueDate", Reason: "is required"}
	}
	if y := c.DueDate.Year(); y < 1 || y > 9999 {
		return &asset.InputError{Field: "dueDate", Reason: fmt.Sprintf("year %d is outside 1..9999", y)}
	}
	// encoding/json would replace invalid UTF-8 with U+FFFD: refuse it
	// rather than send text the caller did not write.
	for _, f := range []struct{ name, value string }{
		{"counterPartyName", c.CounterPartyName}, {"accountName", c.AccountName}, {"description", c.Description},
	} {
		if !utf8.ValidString(f.value) {
			return &asset.InputError{Field: f.name, Reason: "is not valid UTF-8"}
		}
	}
	if len(c.Products) == 0 {
		return &asset.InputError{Field: "products", Reason: "is empty: an invoice needs at least one product"}
	}
	for i, p := range c.Products {
		field := fmt.Sprintf("products[%d]", i)
		if err := checkUUID(field+".productId", p.ProductID); err != nil {
			return err
		}
		if p.Quantity < 1 {
			return &asset.InputError{Field: field + ".quantity", Reason: fmt.Sprintf("is %d; it must be at least 1", p.Quantity)}
		}
		if err := checkMoney(field+".unitPrice", p.UnitPrice, true); err != nil {
			return err
		}
	}
	for i, t := range c.Taxes {
		field := fmt.Sprintf("taxes[%d]", i)
		if err := checkUUID(field+".taxId", t.TaxID); err != nil {
			return err
		}
		if err := checkMoney(field+".taxPercentageValue", t.TaxPercentageValue, true); err != nil {
			return err
		}
	}
	if err := checkMoney("discount.discountValue", c.Discount.DiscountValue, false); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		days []int
	}{{"beforeDueDates", c.BeforeDueDates}, {"afterDueDates", c.AfterDueDates}} {
		for i, d := range f.days {
			if d < 0 {
				return &asset.InputError{Field: fmt.Sprintf("%s[%d]", f.name, i), Reason: fmt.Sprintf("is %d; it must not be negative", d)}
			}
		}
	}
	return nil
}

func checkMoney(field string, v asset.Decimal, required bool) error {
	switch {
	case !v.IsSet() && required:
		return &asset.InputError{Field: field, Reason: "is required"}
	case v.Sign() < 0:
		return &asset.InputError{Field: field, Reason: v.String() + " is negative"}
	}
	return nil
}

// checkUUID accepts the canonical 8-4-4-4-12 hex form, the one .NET writes
// and every Katsu example uses. The nil UUID is refused: it is what an unset
// .NET Guid holds, so the deployment would read it as absent.
func checkUUID(field, s string) error {
	if s == "" {
		return &asset.InputError{Field: field, Reason: "is required"}
	}
	if !uuid.Valid(s) {
		return &asset.InputError{Field: field, Reason: fmt.Sprintf("%.64q is not a UUID (want the form 3fa85f64-5717-4562-b3fc-2c963f66afa6)", s)}
	}
	if s == uuid.Nil {
		return &asset.InputError{Field: field, Reason: "is the nil UUID"}
	}
	return nil
}
