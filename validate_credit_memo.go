package asset

import (
	"fmt"
	"maps"
	"slices"
)

func (c *CreditMemoCreate) number() string { return c.Number }

func (c *CreditMemoCreate) validate(field string) error {
	if c.CustomerID == "" {
		return &InputError{Field: field + ".customer_id", Reason: "is required: the customer whose credit pool the memo adds to"}
	}
	if err := checkText(field+".number", c.Number, true, 255); err != nil {
		return err
	}
	if err := checkText(field+".memo", c.Memo, false, 255); err != nil {
		return err
	}
	switch {
	case !c.Amount.IsSet():
		return &InputError{Field: field + ".amount", Reason: "is required"}
	case c.Amount.Sign() <= 0:
		return &InputError{Field: field + ".amount", Reason: c.Amount.String() + " is not greater than zero"}
	}
	return checkTagAllocations(field+".tags", c.Tags, c.TagAllocations)
}

// checkTagAllocations refuses list-shaped tags the API could not read: a
// name also set to a plain value, an empty list, an allocation without a
// value or an amount, or with a negative one. Names are checked in order,
// so that the error is the same from run to run.
func checkTagAllocations(field string, plain map[string]string, allocs map[string][]TagAllocation) error {
	for _, name := range slices.Sorted(maps.Keys(allocs)) {
		list, f := allocs[name], field+"."+name
		if _, ok := plain[name]; ok {
			return &InputError{Field: f, Reason: "is in both Tags and TagAllocations; give it one shape"}
		}
		if len(list) == 0 {
			return &InputError{Field: f, Reason: "has no allocations; leave the name out instead"}
		}
		for i, a := range list {
			af := fmt.Sprintf("%s[%d]", f, i)
			if a.Value == "" {
				return &InputError{Field: af + ".value", Reason: "is required"}
			}
			if !a.Amount.IsSet() {
				return &InputError{Field: af + ".amount", Reason: "is required"}
			}
			if err := checkPositive(af+".amount", a.Amount, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *CreditMemoListParams) validate() error {
	if err := checkPageSize(p.PageSize); err != nil {
		return err
	}
	if p.CustomerID != "" {
		return checkID("params.CustomerID", p.CustomerID)
	}
	return nil
}
