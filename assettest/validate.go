package assettest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/assetkit/asset-go"
)

// The validator reproduces what FastAPI and pydantic v2 answer for a body
// they refuse: every problem is collected, each with its location
// (["body", 0, "number"]), pydantic's message and its error type, so that
// code under test sees the same 422 bodies as from the real API.

// fieldError is one entry of a 422 body's "detail" list.
type fieldError struct {
	Type string `json:"type"`
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
}

type validator struct{ errs []fieldError }

func (v *validator) fail(loc []any, typ, msg string) {
	v.errs = append(v.errs, fieldError{Type: typ, Loc: slices.Clone(loc), Msg: msg})
}

func (v *validator) ok() bool { return len(v.errs) == 0 }

// at extends a location without aliasing the parent's backing array.
func at(loc []any, more ...any) []any {
	return append(slices.Clone(loc), more...)
}

// bodyObject decodes a request body that must be one JSON object.
func bodyObject(body []byte) (map[string]any, *response) {
	val, bad := decodeBody(body)
	if bad != nil {
		return nil, bad
	}
	var v validator
	obj, ok := v.object(val, []any{"body"})
	if !ok {
		return nil, invalid(v.errs...)
	}
	return obj, nil
}

// decodeBody parses a JSON body as pydantic sees it: numbers stay exact
// (json.Number), and an empty or unparsable body is a 422 like FastAPI's.
func decodeBody(body []byte) (any, *response) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, invalid(fieldError{Type: "missing", Loc: []any{"body"}, Msg: "Field required"})
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var val any
	err := dec.Decode(&val)
	if err == nil {
		if _, extra := dec.Token(); !errors.Is(extra, io.EOF) {
			err = errors.New("extra data after the JSON value")
		}
	}
	if err != nil {
		return nil, invalid(fieldError{Type: "json_invalid", Loc: []any{"body", dec.InputOffset()}, Msg: "JSON decode error"})
	}
	return val, nil
}

func (v *validator) object(val any, loc []any) (map[string]any, bool) {
	m, ok := val.(map[string]any)
	if !ok {
		v.fail(loc, "model_attributes_type", "Input should be a valid dictionary or object to extract fields from")
	}
	return m, ok
}

// lookup returns obj[key] when it is present and not null. A required field
// that is absent is reported as missing; a null one is left to the type
// check of the caller, as pydantic does.
func (v *validator) lookup(obj map[string]any, key string, loc []any, required bool) (any, bool) {
	val, present := obj[key]
	if !present {
		if required {
			v.fail(at(loc, key), "missing", "Field required")
		}
		return nil, false
	}
	if val == nil && !required {
		return nil, false
	}
	return val, true
}

func (v *validator) str(obj map[string]any, key string, loc []any, required bool, maxLen int) string {
	val, ok := v.lookup(obj, key, loc, required)
	if !ok {
		return ""
	}
	s, isStr := val.(string)
	switch {
	case !isStr:
		v.fail(at(loc, key), "string_type", "Input should be a valid string")
	case required && s == "":
		v.fail(at(loc, key), "string_too_short", "String should have at least 1 character")
	case maxLen > 0 && utf8.RuneCountInString(s) > maxLen:
		v.fail(at(loc, key), "string_too_long", "String should have at most "+strconv.Itoa(maxLen)+" characters")
	}
	return s
}

// bound is the constraint on a decimal field.
type bound int

const (
	atLeastZero bound = iota // ge=0
	aboveZero                // gt=0
	anySign                  // no bound: money in or out
)

// The places a decimal field may have: money the client sends is in
// cents, while prices, quantities and rates may be finer.
const (
	anyPlaces = -1
	cents     = 2
)

// decimal reads a number or a numeric string exactly, never through
// float64. As pydantic's decimal_places, trailing zeros do not count
// towards maxPlaces, and the places are checked before the bound.
func (v *validator) decimal(obj map[string]any, key string, loc []any, b bound, maxPlaces int) asset.Decimal {
	val, ok := v.lookup(obj, key, loc, false)
	if !ok {
		return asset.Decimal{}
	}
	var text string
	switch x := val.(type) {
	case json.Number:
		text = string(x)
	case string:
		text = strings.TrimSpace(x)
	default:
		v.fail(at(loc, key), "decimal_type", "Decimal input should be an integer, float, string or Decimal object")
		return asset.Decimal{}
	}
	d, err := asset.ParseDecimal(text)
	if err != nil {
		v.fail(at(loc, key), "decimal_parsing", "Input should be a valid decimal")
		return asset.Decimal{}
	}
	if maxPlaces == cents && !inCents(d) {
		v.fail(at(loc, key), "decimal_max_places", "Decimal input should have no more than 2 decimal places")
		return d
	}
	switch {
	case b == atLeastZero && d.Sign() < 0:
		v.fail(at(loc, key), "greater_than_equal", "Input should be greater than or equal to 0")
	case b == aboveZero && d.Sign() <= 0:
		v.fail(at(loc, key), "greater_than", "Input should be greater than 0")
	}
	return d
}

// requiredDecimal is decimal for a field that must be given: pydantic
// reports it missing when absent and, when null, not a decimal.
func (v *validator) requiredDecimal(obj map[string]any, key string, loc []any, b bound, maxPlaces int) asset.Decimal {
	val, present := v.lookup(obj, key, loc, true)
	switch {
	case !present:
		return asset.Decimal{}
	case val == nil:
		v.fail(at(loc, key), "decimal_type", "Decimal input should be an integer, float, string or Decimal object")
		return asset.Decimal{}
	}
	return v.decimal(obj, key, loc, b, maxPlaces)
}

// timeLayouts are the date-time forms accepted, as pydantic does: RFC 3339,
// a date-time without a zone (read as UTC), and a bare date.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return normalTime(t), true
		}
	}
	return time.Time{}, false
}

// normalTime is how times are stored: UTC, to the microsecond like Python's
// datetime, so that what is stored is exactly what is sent back.
func normalTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func (v *validator) datetime(obj map[string]any, key string, loc []any) time.Time {
	val, ok := v.lookup(obj, key, loc, false)
	if !ok {
		return time.Time{}
	}
	s, isStr := val.(string)
	if !isStr {
		v.fail(at(loc, key), "datetime_type", "Input should be a valid datetime")
		return time.Time{}
	}
	t, parsed := parseTime(s)
	if !parsed {
		v.fail(at(loc, key), "datetime_from_date_parsing", "Input should be a valid datetime or date")
	}
	return t
}

func (v *validator) boolean(obj map[string]any, key string, loc []any) bool {
	val, ok := v.lookup(obj, key, loc, false)
	if !ok {
		return false
	}
	b, isBool := val.(bool)
	if !isBool {
		v.fail(at(loc, key), "bool_parsing", "Input should be a valid boolean")
	}
	return b
}

func (v *validator) dict(obj map[string]any, key string, loc []any) map[string]any {
	val, ok := v.lookup(obj, key, loc, false)
	if !ok {
		return nil
	}
	m, isMap := val.(map[string]any)
	if !isMap {
		v.fail(at(loc, key), "dict_type", "Input should be a valid dictionary")
	}
	return m
}

func (v *validator) list(obj map[string]any, key string, loc []any) []any {
	val, ok := v.lookup(obj, key, loc, false)
	if !ok {
		return nil
	}
	l, isList := val.([]any)
	if !isList {
		v.fail(at(loc, key), "list_type", "Input should be a valid list")
	}
	return l
}

// parseBatch validates a batch create's body: a list of 1 to 100 items,
// each read by item. Any invalid item fails the whole request.
func parseBatch[T any](body []byte, item func(v *validator, val any, loc []any) T) ([]T, *response) {
	val, bad := decodeBody(body)
	if bad != nil {
		return nil, bad
	}
	var v validator
	list, ok := val.([]any)
	switch {
	case !ok:
		v.fail([]any{"body"}, "list_type", "Input should be a valid list")
	case len(list) == 0:
		v.fail([]any{"body"}, "too_short", "List should have at least 1 item after validation, not 0")
	case len(list) > maxBatch:
		v.fail([]any{"body"}, "too_long", "List should have at most 100 items after validation, not "+strconv.Itoa(len(list)))
	}
	if !v.ok() {
		return nil, invalid(v.errs...)
	}
	out := make([]T, len(list))
	for i, x := range list {
		out[i] = item(&v, x, []any{"body", i})
	}
	if !v.ok() {
		return nil, invalid(v.errs...)
	}
	return out, nil
}

// prefixed checks an id of the documented form prefix_xxx.
func prefixed(id, prefix string) bool { return len(id) > len(prefix) && strings.HasPrefix(id, prefix) }

// invoiceInput is a validated InvoiceCreate.
type invoiceInput struct {
	number, description, customerID, customerExternalID string
	dueAt, sentAt                                       time.Time
	credit                                              asset.Decimal
	lines                                               []lineInput
	metadata                                            map[string]any
	tags                                                map[string]string
}

// lineInput is a validated line to create.
type lineInput struct {
	description, ledgerID        string
	unitPrice, quantity          asset.Decimal
	discountAmount, discountRate asset.Decimal
	taxAmount, taxRate, amount   asset.Decimal
	isPrepayment                 bool
	metadata                     map[string]any
}

func (v *validator) invoiceCreate(val any, loc []any, businessID string) invoiceInput {
	obj, ok := v.object(val, loc)
	if !ok {
		return invoiceInput{}
	}
	in := invoiceInput{
		number:             v.str(obj, "number", loc, true, 255),
		description:        v.str(obj, "description", loc, false, 512),
		customerID:         v.str(obj, "customer_id", loc, false, 255),
		customerExternalID: v.str(obj, "customer_external_id", loc, false, 255),
		dueAt:              v.datetime(obj, "due_at", loc),
		sentAt:             v.datetime(obj, "sent_at", loc),
		credit:             v.decimal(obj, "credit_amount", loc, atLeastZero, cents),
		metadata:           v.metadata(obj, loc),
	}
	// The older schema repeats the business in the body; it must be the
	// path's, or the invoice would land somewhere the caller did not mean.
	if biz := v.str(obj, "business_id", loc, false, 255); biz != "" && biz != businessID {
		v.fail(at(loc, "business_id"), "value_error", "Value error, business_id does not match the business in the path")
	}
	for j, l := range v.list(obj, "lines", loc) {
		in.lines = append(in.lines, v.lineCreate(l, at(loc, "lines", j)))
	}
	in.tags = v.tags(obj, loc)
	return in
}

// tags reads a create call's tags: tag names to string values.
func (v *validator) tags(obj map[string]any, loc []any) map[string]string {
	tags := v.dict(obj, "tags", loc)
	if tags == nil {
		return nil
	}
	out := make(map[string]string, len(tags))
	for k, tv := range tags {
		s, isStr := tv.(string)
		if !isStr {
			v.fail(at(loc, "tags", k), "string_type", "Input should be a valid string")
		}
		out[k] = s
	}
	return out
}

// memoTags reads a credit memo's tags in either shape the docs show: a
// string, or a list of allocations {"amount": "60.00", "value": "..."},
// each amount kept as a string with its cents.
func (v *validator) memoTags(obj map[string]any, loc []any) map[string]any {
	tags := v.dict(obj, "tags", loc)
	if tags == nil {
		return nil
	}
	out := make(map[string]any, len(tags))
	for k, tv := range tags {
		switch x := tv.(type) {
		case string:
			out[k] = x
		case []any:
			list := make([]map[string]any, 0, len(x))
			for i, item := range x {
				iloc := at(loc, "tags", k, i)
				a, ok := v.object(item, iloc)
				if !ok {
					continue
				}
				amount := v.requiredDecimal(a, "amount", iloc, atLeastZero, cents)
				value := v.str(a, "value", iloc, true, 255)
				list = append(list, map[string]any{"amount": amount.String(), "value": value})
			}
			out[k] = list
		default:
			v.fail(at(loc, "tags", k), "string_type", "Input should be a valid string or a list of allocations")
		}
	}
	return out
}

// metadata reads the newer "metadata" or the older "metadata_"; the newer
// wins when both are sent.
func (v *validator) metadata(obj map[string]any, loc []any) map[string]any {
	if m := v.dict(obj, "metadata", loc); m != nil {
		return m
	}
	return v.dict(obj, "metadata_", loc)
}

func (v *validator) lineCreate(val any, loc []any) lineInput {
	obj, ok := v.object(val, loc)
	if !ok {
		return lineInput{}
	}
	if len(loc) >= 2 && loc[len(loc)-2] == "create_lines" {
		return v.lineUpdate(obj, loc)
	}
	before := len(v.errs)
	l := lineInput{
		description:    v.str(obj, "description", loc, false, 512),
		ledgerID:       v.str(obj, "ledger_id", loc, false, 255),
		unitPrice:      v.decimal(obj, "unit_price", loc, atLeastZero, anyPlaces),
		quantity:       v.decimal(obj, "quantity", loc, atLeastZero, anyPlaces),
		discountAmount: v.decimal(obj, "discount_amount", loc, atLeastZero, cents),
		discountRate:   v.decimal(obj, "discount_rate", loc, atLeastZero, anyPlaces),
		taxAmount:      v.decimal(obj, "tax_amount", loc, atLeastZero, cents),
		taxRate:        v.decimal(obj, "tax_rate", loc, atLeastZero, anyPlaces),
		amount:         v.decimal(obj, "amount", loc, atLeastZero, cents),
		isPrepayment:   v.boolean(obj, "is_prepayment", loc),
		metadata:       v.metadata(obj, loc),
	}
	if len(v.errs) > before {
		return l
	}
	switch {
	case !l.amount.IsSet() && (!l.unitPrice.IsSet() || !l.quantity.IsSet()):
		v.fail(loc, "value_error", "Value error, a line needs an amount, or a unit_price and a quantity")
	case l.total().Sign() < 0:
		v.fail(loc, "value_error", "Value error, discount_amount exceeds unit_price × quantity + tax_amount")
	}
	return l
}

// lineUpdate reads a line added by a PATCH (line_changes.create_lines),
// whose documented shape is description, amount, ledger_id and metadata,
// amount required; pydantic drops any other field without a word.
func (v *validator) lineUpdate(obj map[string]any, loc []any) lineInput {
	l := lineInput{
		description: v.str(obj, "description", loc, false, 512),
		ledgerID:    v.str(obj, "ledger_id", loc, false, 255),
		amount:      v.requiredDecimal(obj, "amount", loc, atLeastZero, cents),
		metadata:    v.metadata(obj, loc),
	}
	return l
}

// total is what the line counts for in the invoice's total: its amount when
// given, else unit_price × quantity − discount_amount + tax_amount rounded
// to cents, half away from zero, so that every total and balance is in
// whole cents and can be paid exactly. The rates are informational:
// applying them would need a rule the API does not document.
func (l *lineInput) total() asset.Decimal {
	if l.amount.IsSet() {
		return l.amount
	}
	t := l.unitPrice.Mul(l.quantity).Sub(l.discountAmount).Add(l.taxAmount)
	if inCents(t) {
		return t // as written, "450" stays "450"
	}
	return asset.NewDecimal(t.Decimal().Round(cents))
}

// inCents reports whether d has at most two decimal places, trailing zeros
// aside.
func inCents(d asset.Decimal) bool {
	x := d.Decimal()
	return x.Equal(x.Truncate(cents))
}
