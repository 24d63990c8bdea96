package assettest

import (
	"net/http"

	"github.com/assetkit/asset-go"
)

// Customers. The docs leave open whether external_id is unique within a
// business; the fake makes it so, refusing a second with 409, because an
// invoice's customer_external_id must name one customer. An invoice that
// names an external id no customer has creates that customer, named after
// the id, as the fake always did.

// customer is a customer as stored.
type customer struct {
	seq                                uint64
	id, name, externalID, email, phone string
	billing, shipping                  map[string]any // nil: none
}

func (c *customer) position() uint64 { return c.seq }

// wireCustomer is a customer as the API sends it.
type wireCustomer struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	ExternalID      *string        `json:"external_id"`
	Email           *string        `json:"email"`
	PhoneNumber     *string        `json:"phone_number"`
	BillingAddress  map[string]any `json:"billing_address"`
	ShippingAddress map[string]any `json:"shipping_address"`
}

func (c *customer) wire() wireCustomer {
	return wireCustomer{ID: c.id, Name: c.name, ExternalID: nullable(c.externalID), Email: nullable(c.email),
		PhoneNumber: nullable(c.phone), BillingAddress: c.billing, ShippingAddress: c.shipping}
}

// addCustomer stores a new customer; s.mu must be held.
func (s *Server) addCustomer(b *business, c *customer) *customer {
	s.seq++
	c.seq = s.seq
	b.customerList = append(b.customerList, c)
	b.customerByID[c.id] = c
	if c.externalID != "" {
		b.customers[c.externalID] = c.id
	}
	return c
}

// addressFields are the documented fields of an address.
var addressFields = []string{"street_1", "street_2", "city", "state", "postal_code", "country"}

// address reads an address object; present is false when the key is
// absent, and the address nil when it is null.
func (v *validator) address(obj map[string]any, key string, loc []any) (addr map[string]any, present bool) {
	val, present := obj[key]
	if !present || val == nil {
		return nil, present
	}
	in, ok := v.object(val, at(loc, key))
	if !ok {
		return nil, true
	}
	addr = map[string]any{}
	for _, f := range addressFields {
		addr[f] = nullable(v.str(in, f, at(loc, key), false, 255))
	}
	return addr, true
}

// createCustomer is POST /customers.
func (s *Server) createCustomer(c *call) response {
	obj, bad := bodyObject(c.jsonBody())
	if bad != nil {
		return *bad
	}
	var v validator
	loc := []any{"body"}
	in := &customer{
		name:       v.str(obj, "name", loc, true, 255),
		externalID: v.str(obj, "external_id", loc, false, 255),
		email:      v.str(obj, "email", loc, false, 255),
		phone:      v.str(obj, "phone_number", loc, false, 255),
	}
	in.billing, _ = v.address(obj, "billing_address", loc)
	in.shipping, _ = v.address(obj, "shipping_address", loc)
	if !v.ok() {
		return *invalid(v.errs...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.business(c.business)
	if in.externalID != "" && b.customers[in.externalID] != "" {
		return detail(http.StatusConflict, "A customer with external_id "+in.externalID+" already exists")
	}
	in.id = s.newID("cus_")
	return dataResponse(http.StatusCreated, s.addCustomer(b, in).wire())
}

// findCustomer returns the customer or the API's 404; s.mu must be held.
func (s *Server) findCustomer(biz, id string) (*customer, *response) {
	if b := s.businesses[biz]; b != nil {
		if cu := b.customerByID[id]; cu != nil {
			return cu, nil
		}
	}
	res := detail(http.StatusNotFound, "Customer not found")
	return nil, &res
}

// getCustomer is GET /customers/{customer_id}.
func (s *Server) getCustomer(c *call) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	cu, nf := s.findCustomer(c.business, c.param("customer_id"))
	if nf != nil {
		return *nf
	}
	return dataResponse(http.StatusOK, cu.wire())
}

// updateCustomer is PATCH /customers/{customer_id}: a key left out is left
// alone, a null email, phone number or address clears it; a null name is
// refused, as a customer must have one. external_id is not in the
// documented body and is ignored, as pydantic ignores undeclared keys.
func (s *Server) updateCustomer(c *call) response {
	obj, bad := bodyObject(c.jsonBody())
	if bad != nil {
		return *bad
	}
	var v validator
	loc := []any{"body"}
	text := func(key string) (string, bool) {
		_, present := obj[key]
		return v.str(obj, key, loc, false, 255), present
	}
	name, hasName := obj["name"]
	if hasName {
		if name == nil {
			v.fail(at(loc, "name"), "string_type", "Input should be a valid string")
		} else {
			v.str(obj, "name", loc, true, 255)
		}
	}
	email, hasEmail := text("email")
	phone, hasPhone := text("phone_number")
	billing, hasBilling := v.address(obj, "billing_address", loc)
	shipping, hasShipping := v.address(obj, "shipping_address", loc)
	if !v.ok() {
		return *invalid(v.errs...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cu, nf := s.findCustomer(c.business, c.param("customer_id"))
	if nf != nil {
		return *nf
	}
	before := mustJSON(cu.wire())
	if hasName {
		cu.name = name.(string)
	}
	if hasEmail {
		cu.email = email
	}
	if hasPhone {
		cu.phone = phone
	}
	if hasBilling {
		cu.billing = billing
	}
	if hasShipping {
		cu.shipping = shipping
	}
	res := dataResponse(http.StatusOK, cu.wire())
	res.unchanged = string(before) == string(mustJSON(cu.wire()))
	return res
}

// listCustomers is GET /customers: creation order, paged; no filters are
// documented.
func (s *Server) listCustomers(c *call) response {
	var v validator
	pq := s.pageQuery(&v, c.r.URL.Query(), c.business, fingerprint(), "")
	if !v.ok() {
		return *invalid(v.errs...)
	}
	return listPage(s, pq, func(b *business) []*customer { return b.customerList }, func(*customer) bool { return true }, (*customer).wire)
}

// Customers returns a business's customers in creation order, straight
// from the server's state and exactly as the SDK would decode them.
// Customers an invoice created through its customer_external_id are among
// them.
func (s *Server) Customers(businessID string) []asset.Customer {
	return publicAll(s, businessID, func(b *business) []*customer { return b.customerList },
		func(c *customer) asset.Customer { return decodeAsSDK[asset.Customer]("a customer", c.wire()) })
}
