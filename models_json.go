package asset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// The model decoders accept both documented versions of the API: metadata is
// read from "metadata" or the older "metadata_", and times from RFC 3339 or
// the naive form pydantic writes for dates without a zone.
//
// encoding/json decodes into wire types, which stand for the models without
// methods of their own, and each wire type's into method is the one place
// where it becomes a model. The wire types, their conversions and the
// models' UnmarshalJSON are written by wiregen (wire_gen.go) from the
// models marked //asset:wire, so that a field is added in one place. They
// nest wire types, not models: encoding/json scans the bytes of every value
// that has an UnmarshalJSON again before decoding it, so an invoice is
// scanned once for itself and not once more for each line and payment.

// checkDecoded tells an invoice the API sent from the zero value an empty
// object decodes to.
func (inv *Invoice) checkDecoded() error { return checkHasID("invoice", inv.ID) }

// unmarshalWire decodes b into m through its wire form, which toWire starts
// from m's current values: like encoding/json's own decoding, fields absent
// from b keep their value.
func unmarshalWire[M, W any, PW interface {
	*W
	into(*M)
}](b []byte, m *M, toWire func(*M) W) error {
	w := toWire(m)
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	PW(&w).into(m)
	return nil
}

// toWire and fromWire convert slices, keeping nil apart from empty as
// encoding/json does.
func toWire[M, W any](ms []M, conv func(*M) W) []W {
	if ms == nil {
		return nil
	}
	ws := make([]W, len(ms))
	for i := range ms {
		ws[i] = conv(&ms[i])
	}
	return ws
}

func fromWire[W any, M any, PW interface {
	*W
	into(*M)
}](ws []W) []M {
	if ws == nil {
		return nil
	}
	ms := make([]M, len(ws))
	for i := range ws {
		PW(&ws[i]).into(&ms[i])
	}
	return ms
}

// flexTime decodes RFC 3339, a date-time without a zone (read as UTC), or a
// bare date. null and "" leave it as it was.
type flexTime struct{ t time.Time }

var flexLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"}

func (f *flexTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	// Most times are RFC 3339 strings without escapes: parse them in place,
	// which time.Time does without allocating. Anything else takes the
	// general path.
	if s, ok := plainString(b); ok {
		if len(s) == 0 {
			return nil
		}
		var t time.Time
		if t.UnmarshalText(s) == nil {
			f.t = t
			return nil
		}
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
			f.t = t
			return nil
		}
	}
	return fmt.Errorf("asset: %q is not an ISO 8601 time", s)
}

// plainString returns the contents of a JSON string that encoding/json
// would decode to exactly those bytes: no escapes, no control characters,
// valid UTF-8.
func plainString(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil, false
	}
	s := b[1 : len(b)-1]
	ascii := true
	for _, c := range s {
		if c < 0x20 || c == '"' || c == '\\' {
			return nil, false
		}
		ascii = ascii && c < utf8.RuneSelf
	}
	return s, ascii || utf8.Valid(s)
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

//go:generate go run ./internal/cmd/wiregen -out wire_gen.go
