package asset

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
