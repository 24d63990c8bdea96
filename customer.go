package asset

import "encoding/json"

// Customer is a customer of a business, as the API returns it (ids cus_).
// Invoices and credit memos name it by ID, or an invoice by ExternalID.
type Customer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// ExternalID is the caller's own id for the customer: the key to find
	// it again (CustomerService.FindByExternalID).
	ExternalID      string   `json:"external_id,omitempty"`
	Email           string   `json:"email,omitempty"`
	PhoneNumber     string   `json:"phone_number,omitempty"`
	BillingAddress  *Address `json:"billing_address,omitempty"`
	ShippingAddress *Address `json:"shipping_address,omitempty"`
}

// Address is a customer's billing or shipping address.
type Address struct {
	Street1    string `json:"street_1,omitempty"`
	Street2    string `json:"street_2,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
}

// CustomerCreate is a customer to create. Name is required; every text is
// at most 255 characters.
type CustomerCreate struct {
	Name string `json:"name"`
	// ExternalID is your own id for the customer. Give one: it is how a
	// customer whose creation had an unknown outcome is found again.
	ExternalID      string   `json:"external_id,omitempty"`
	Email           string   `json:"email,omitempty"`
	PhoneNumber     string   `json:"phone_number,omitempty"`
	BillingAddress  *Address `json:"billing_address,omitempty"`
	ShippingAddress *Address `json:"shipping_address,omitempty"`
}

// CustomerUpdate is a change to a customer; only what is set is sent. The
// documented PATCH has no external_id: a customer's external id is set
// once, at creation.
type CustomerUpdate struct {
	// Name, when not nil, renames the customer; it cannot be cleared.
	Name *string
	// Email and PhoneNumber: nil leaves them alone, a pointer to "" clears
	// them (sent as null, which the docs allow), any other value sets them.
	Email, PhoneNumber *string
	// BillingAddress and ShippingAddress: nil leaves them alone, a pointer
	// to the zero Address clears them (null), any other value replaces the
	// whole address.
	BillingAddress, ShippingAddress *Address
}

// CustomerListParams pages a business's customers; the API documents no
// filter. Zero fields are left out of the query.
type CustomerListParams struct {
	// PageSize is 1 to 100; zero lets the server choose.
	PageSize int `url:"page_size,omitempty"`
	// PageToken starts at a page a previous response named.
	PageToken string `url:"page_token,omitempty"`
}

// checkDecoded tells a customer the API sent from the zero value an empty
// object decodes to.
func (c *Customer) checkDecoded() error { return checkHasID("customer", c.ID) }

func (c *CustomerCreate) validate() error {
	for _, f := range []struct {
		field, value string
		required     bool
	}{
		{"customer.Name", c.Name, true}, {"customer.ExternalID", c.ExternalID, false},
		{"customer.Email", c.Email, false}, {"customer.PhoneNumber", c.PhoneNumber, false},
	} {
		if err := checkText(f.field, f.value, f.required, 255); err != nil {
			return err
		}
	}
	if err := c.BillingAddress.validate("customer.BillingAddress"); err != nil {
		return err
	}
	return c.ShippingAddress.validate("customer.ShippingAddress")
}

func (u *CustomerUpdate) validate() error {
	if u.Name == nil && u.Email == nil && u.PhoneNumber == nil && u.BillingAddress == nil && u.ShippingAddress == nil {
		return &InputError{Field: "update", Reason: "changes nothing"}
	}
	if u.Name != nil {
		if err := checkText("update.Name", *u.Name, true, 255); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		field string
		value *string
	}{{"update.Email", u.Email}, {"update.PhoneNumber", u.PhoneNumber}} {
		if f.value != nil {
			if err := checkText(f.field, *f.value, false, 255); err != nil {
				return err
			}
		}
	}
	if err := u.BillingAddress.validate("update.BillingAddress"); err != nil {
		return err
	}
	return u.ShippingAddress.validate("update.ShippingAddress")
}

// validate checks each line of an address; nil passes.
func (a *Address) validate(field string) error {
	if a == nil {
		return nil
	}
	for _, f := range []struct{ name, value string }{
		{"Street1", a.Street1}, {"Street2", a.Street2}, {"City", a.City},
		{"State", a.State}, {"PostalCode", a.PostalCode}, {"Country", a.Country},
	} {
		if err := checkText(field+"."+f.name, f.value, false, 255); err != nil {
			return err
		}
	}
	return nil
}

// MarshalJSON writes only what the update sets, an empty text or address
// as null.
func (u CustomerUpdate) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	if u.Name != nil {
		m["name"] = *u.Name
	}
	for key, v := range map[string]*string{"email": u.Email, "phone_number": u.PhoneNumber} {
		if v != nil {
			m[key] = nullIfZero(*v)
		}
	}
	for key, a := range map[string]*Address{"billing_address": u.BillingAddress, "shipping_address": u.ShippingAddress} {
		if a != nil {
			m[key] = nullIfZero(*a)
		}
	}
	return json.Marshal(m)
}

// nullIfZero is v, or nil (JSON null) when v is its type's zero value.
func nullIfZero[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

func (p *CustomerListParams) validate() error { return checkPageSize(p.PageSize) }
