package asset

import (
	"bytes"
	"encoding/json"
)

// TagValue is one tag field's value on an invoice. The API documents two
// shapes: a plain string ({"Location": "NYC"}) and a list of allocations
// ({"Job": [{"amount": "3000.00", "value": "Roof"}]}). Any other shape is
// kept verbatim in Raw.
type TagValue struct {
	// Value is the tag's value when the API sent a string.
	Value string
	// Allocations is the tag's value when the API sent a list.
	Allocations []TagAllocation
	// Raw holds a shape neither of the above, as received.
	Raw json.RawMessage
}

// TagAllocation is one entry of a list-shaped tag: part of the invoice's
// amount assigned to a tag value.
type TagAllocation struct {
	Amount Decimal `json:"amount,omitzero"`
	Value  string  `json:"value"`
}

// UnmarshalJSON accepts a string, a list of allocations, null, or anything
// else (kept in Raw).
func (v *TagValue) UnmarshalJSON(b []byte) error {
	*v = TagValue{}
	trimmed := bytes.TrimSpace(b)
	switch {
	case string(trimmed) == "null":
		return nil
	case len(trimmed) > 0 && trimmed[0] == '"':
		if plain, ok := plainString(trimmed); ok {
			v.Value = string(plain)
			return nil
		}
		return json.Unmarshal(trimmed, &v.Value)
	case len(trimmed) > 0 && trimmed[0] == '[':
		if json.Unmarshal(trimmed, &v.Allocations) == nil {
			return nil
		}
		v.Allocations = nil
	}
	v.Raw = append(json.RawMessage(nil), trimmed...)
	return nil
}

// MarshalJSON writes the value back in the shape it came in.
func (v TagValue) MarshalJSON() ([]byte, error) {
	switch {
	case v.Raw != nil:
		return v.Raw, nil
	case v.Allocations != nil:
		return json.Marshal(v.Allocations)
	}
	return json.Marshal(v.Value)
}

// String is the plain value, or the allocations' values joined by commas.
func (v TagValue) String() string {
	if v.Allocations == nil {
		if v.Raw != nil {
			return string(v.Raw)
		}
		return v.Value
	}
	var b bytes.Buffer
	for i, a := range v.Allocations {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(a.Value)
	}
	return b.String()
}

// TagSet is a Tags entry that sets a tag to value.
func TagSet(value string) *string { return &value }

// TagRemove is a Tags entry that removes a tag.
func TagRemove() *string { return nil }
