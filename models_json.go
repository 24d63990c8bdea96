package asset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// The model decoders accept both documented versions of the API: metadata is
// read from "metadata" or the older "metadata_", and times from RFC 3339 or
// the naive form pydantic writes for dates without a zone.

// UnmarshalJSON decodes either documented version of an invoice.
func (inv *Invoice) UnmarshalJSON(b []byte) error {
	type plain Invoice
	aux := struct {
		*plain
		LegacyMetadata map[string]any `json:"metadata_"`
		DueAt          flexTime       `json:"due_at"`
		SentAt         flexTime       `json:"sent_at"`
		VoidedAt       flexTime       `json:"voided_at"`
	}{plain: (*plain)(inv)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	if inv.Metadata == nil {
		inv.Metadata = aux.LegacyMetadata
	}
	aux.DueAt.into(&inv.DueAt)
	aux.SentAt.into(&inv.SentAt)
	aux.VoidedAt.into(&inv.VoidedAt)
	return nil
}

// UnmarshalJSON decodes either documented version of a line.
func (l *InvoiceLine) UnmarshalJSON(b []byte) error {
	type plain InvoiceLine
	aux := struct {
		*plain
		LegacyMetadata map[string]any `json:"metadata_"`
	}{plain: (*plain)(l)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	if l.Metadata == nil {
		l.Metadata = aux.LegacyMetadata
	}
	return nil
}

// UnmarshalJSON decodes a payment, whatever its "invoice" back reference holds.
func (p *InvoicePayment) UnmarshalJSON(b []byte) error {
	type plain InvoicePayment
	aux := struct {
		*plain
		Datetime flexTime `json:"datetime"`
	}{plain: (*plain)(p)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	aux.Datetime.into(&p.Datetime)
	return nil
}

// flexTime decodes RFC 3339, a date-time without a zone (read as UTC), or a
// bare date.
type flexTime struct {
	t   time.Time
	set bool
}

var flexLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"}

func (f *flexTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("asset: time %s is not a string", b)
	}
	if s == "" {
		return nil
	}
	for _, layout := range flexLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			f.t, f.set = t, true
			return nil
		}
	}
	return fmt.Errorf("asset: %q is not an ISO 8601 time", s)
}

func (f flexTime) into(dst *time.Time) {
	if f.set {
		*dst = f.t
	}
}

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
