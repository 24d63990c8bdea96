package asset

import "fmt"

// validateCreditMemos checks a create call's batch: 1 to 100 memos, each
// valid, no number twice (the API would refuse the second).
func validateCreditMemos(memos []CreditMemoCreate) error {
	switch {
	case len(memos) == 0:
		return &InputError{Field: "memos", Reason: "is empty: give at least one credit memo"}
	case len(memos) > maxBatch:
		return &InputError{Field: "memos", Reason: fmt.Sprintf("has %d credit memos; the API takes at most %d per call", len(memos), maxBatch)}
	}
	seen := make(map[string]int, len(memos))
	for i := range memos {
		field := fmt.Sprintf("memos[%d]", i)
		if err := memos[i].validate(field); err != nil {
			return err
		}
		n := memos[i].Number
		if j, dup := seen[n]; dup {
			return &InputError{Field: field + ".number", Reason: fmt.Sprintf("%q is also memos[%d]'s number; numbers are unique per business", n, j)}
		}
		seen[n] = i
	}
	return nil
}

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
