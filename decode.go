package asset

import (
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

//go:generate go run ./internal/cmd/wiregen -out wire_gen.go

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
