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
		return inputError("dueDate", "is required")
	}
	if y := c.DueDate.Year(); y < 1 || y > 9999 {
		return inputError("dueDate", fmt.Sprintf("year %d is outside 1..9999", y))
	}
	// encoding/json would replace invalid UTF-8 with U+FFFD: refuse it
	// rather than send text the caller did not write.
	for _, f := range []struct{ name, value string }{
		{"counterPartyName", c.CounterPartyName}, {"accountName", c.AccountName}, {"description", c.Description},
	} {
		if !utf8.ValidString(f.value) {
			return inputError(f.name, "is not valid UTF-8")
		}
	}
	if len(c.Products) == 0 {
		return inputError("products", "is empty: an invoice needs at least one product")
	}
	for i, p := range c.Products {
		field := fmt.Sprintf("products[%d]", i)
		if err := checkUUID(field+".productId", p.ProductID); err != nil {
			return err
		}
		if p.Quantity < 1 {
			return inputError(field+".quantity", fmt.Sprintf("is %d; it must be at least 1", p.Quantity))
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
				return inputError(fmt.Sprintf("%s[%d]", f.name, i), fmt.Sprintf("is %d; it must not be negative", d))
			}
		}
	}
	return nil
}

func checkMoney(field string, v asset.Decimal, required bool) error {
	switch {
	case !v.IsSet() && required:
		return inputError(field, "is required")
	case v.Sign() < 0:
		return inputError(field, v.String()+" is negative")
	}
	return nil
}

// checkUUID accepts the canonical 8-4-4-4-12 hex form, the one .NET writes
// and every Katsu example uses. The nil UUID is refused: it is what an unset
// .NET Guid holds, so the deployment would read it as absent.
func checkUUID(field, s string) error {
	if s == "" {
		return inputError(field, "is required")
	}
	if !uuid.Valid(s) {
		return inputError(field, fmt.Sprintf("%.64q is not a UUID (want the form 3fa85f64-5717-4562-b3fc-2c963f66afa6)", s))
	}
	if s == uuid.Nil {
		return inputError(field, "is the nil UUID")
	}
	return nil
}
