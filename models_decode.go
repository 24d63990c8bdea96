package asset

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A single-pass decoder for the envelopes that carry invoices. encoding/json
// validates a body in one pass and decodes it by reflection in another; on
// a page of invoices that costs as much as the network, and it sits on the
// critical path of a prefetching walk. This decoder reads the common shape
// of a response directly into the models.
//
// It stays exact by giving up: whenever it meets something it does not
// handle as encoding/json would (an escaped key, a key that matches a field
// only case-insensitively, a repeated key, a type mismatch, invalid JSON,
// deep nesting) it stops, and the caller decodes the whole body again with
// encoding/json through the wire types; FuzzFastDecode holds the two to the
// same results. The known keys come from the wire types' tags, so a field
// added there and not here is handed to encoding/json, never dropped.
// Everything retained is copied: the body is a pooled buffer.

// fastBail is the panic by which the decoder gives up.
type fastBail struct{}

// maxFastDepth bounds nesting in the fast path; deeper documents are left to
// encoding/json and its own limit.
const maxFastDepth = 100

type fastDecoder struct {
	b     []byte
	i     int
	depth int
}

// decodeFast runs fill over b and reports whether it decoded the whole body.
// On false, whatever fill wrote must be discarded.
func decodeFast(b []byte, fill func(*fastDecoder)) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, bail := r.(fastBail); !bail {
				panic(r)
			}
			ok = false
		}
	}()
	d := &fastDecoder{b: b}
	fill(d)
	d.ws()
	return d.i == len(d.b)
}

func (d *fastDecoder) fail() { panic(fastBail{}) }

func (d *fastDecoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek is the next byte after white space, 0 at the end.
func (d *fastDecoder) peek() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *fastDecoder) eat(c byte) bool {
	if d.peek() == c {
		d.i++
		return true
	}
	return false
}

func (d *fastDecoder) must(c byte) {
	if !d.eat(c) {
		d.fail()
	}
}

func (d *fastDecoder) literal(lit string) {
	if !bytes.HasPrefix(d.b[d.i:], []byte(lit)) {
		d.fail()
	}
	d.i += len(lit)
}

// null consumes a null if one is next.
func (d *fastDecoder) null() bool {
	if d.peek() != 'n' {
		return false
	}
	d.literal("null")
	return true
}

// stringToken consumes a string and returns it with its quotes. plain says
// that its contents are its value: no escapes, valid UTF-8.
func (d *fastDecoder) stringToken() (tok []byte, plain bool) {
	if d.peek() != '"' {
		d.fail()
	}
	start := d.i
	d.i++
	plain = true
	ascii := true
	for d.i < len(d.b) {
		c := d.b[d.i]
		if plainByte[c] {
			d.i++
			continue
		}
		switch {
		case c == '"':
			d.i++
			tok = d.b[start:d.i]
			if plain && !ascii {
				plain = utf8.Valid(tok)
			}
			return tok, plain
		case c == '\\':
			plain = false
			d.i++
			if d.i >= len(d.b) {
				d.fail()
			}
			switch d.b[d.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if d.i+4 >= len(d.b) {
					d.fail()
				}
				for _, h := range d.b[d.i+1 : d.i+5] {
					if !isHex(h) {
						d.fail()
					}
				}
				d.i += 4
			default:
				d.fail()
			}
		case c < 0x20:
			d.fail()
		case c >= utf8.RuneSelf:
			ascii = false
		}
		d.i++
	}
	d.fail()
	return nil, false
}

// plainByte marks the bytes a string holds as they are: printable ASCII
// other than the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// str consumes a string and returns its value.
func (d *fastDecoder) str() string {
	tok, plain := d.stringToken()
	if plain {
		return string(tok[1 : len(tok)-1])
	}
	var s string
	if json.Unmarshal(tok, &s) != nil {
		d.fail()
	}
	return s
}

func (d *fastDecoder) number() []byte {
	b, i := d.b, d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		d.fail()
	}
	if i < len(b) && b[i] == '.' {
		i++
		j := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == j {
			d.fail()
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == j {
			d.fail()
		}
	}
	tok := b[d.i:i]
	d.i = i
	return tok
}

// skip consumes any value, checking it as strictly as encoding/json does.
func (d *fastDecoder) skip() {
	switch d.peek() {
	case '"':
		d.stringToken()
	case '{':
		d.enter()
		d.i++
		if !d.eat('}') {
			for {
				d.stringToken()
				d.must(':')
				d.skip()
				if d.eat(',') {
					continue
				}
				d.must('}')
				break
			}
		}
		d.depth--
	case '[':
		d.enter()
		d.i++
		if !d.eat(']') {
			for {
				d.skip()
				if d.eat(',') {
					continue
				}
				d.must(']')
				break
			}
		}
		d.depth--
	case 't':
		d.literal("true")
	case 'f':
		d.literal("false")
	case 'n':
		d.literal("null")
	default:
		d.number()
	}
}

func (d *fastDecoder) enter() {
	d.depth++
	if d.depth > maxFastDepth {
		d.fail()
	}
}

// raw consumes a value and returns its bytes, as encoding/json hands them
// to an UnmarshalJSON method.
func (d *fastDecoder) raw() []byte {
	d.ws()
	start := d.i
	d.skip()
	return d.b[start:d.i]
}

// object calls member for each member of the object that is next, with the
// key's contents; member consumes the value. A key with escapes is left to
// encoding/json.
func (d *fastDecoder) object(member func(key []byte)) {
	d.must('{')
	d.enter()
	if !d.eat('}') {
		for {
			tok, plain := d.stringToken()
			if !plain {
				d.fail()
			}
			d.must(':')
			member(tok[1 : len(tok)-1])
			if d.eat(',') {
				continue
			}
			d.must('}')
			break
		}
	}
	d.depth--
}

// unknown skips the value of a key that names no field exactly, unless it
// names one case-insensitively, which encoding/json would decode.
func (d *fastDecoder) unknown(key []byte, known map[string]bool) {
	if known[string(foldName(key))] {
		d.fail()
	}
	d.skip()
}

// once fails on a key seen before in this object: encoding/json would
// decode it again over the first, merging, which is not worth copying.
func (d *fastDecoder) once(seen *uint32, bit uint) {
	if *seen&(1<<bit) != 0 {
		d.fail()
	}
	*seen |= 1 << bit
}

func (d *fastDecoder) setString(dst *string) {
	if d.null() {
		return
	}
	*dst = d.str()
}

func (d *fastDecoder) setBool(dst *bool) {
	switch d.peek() {
	case 't':
		d.literal("true")
		*dst = true
	case 'f':
		d.literal("false")
		*dst = false
	case 'n':
		d.literal("null")
	default:
		d.fail()
	}
}

func (d *fastDecoder) setDecimal(dst *Decimal) {
	if dst.UnmarshalJSON(d.raw()) != nil {
		d.fail()
	}
}

func (d *fastDecoder) setTime(dst *time.Time) {
	f := flexTime{*dst}
	if f.UnmarshalJSON(d.raw()) != nil {
		d.fail()
	}
	*dst = f.t
}

func (d *fastDecoder) setTokenPtr(dst **string) {
	if d.null() {
		*dst = nil
		return
	}
	s := d.str()
	*dst = &s
}

// anyMap decodes a JSON object into map[string]any as encoding/json does:
// numbers as float64, nested values through encoding/json itself.
func (d *fastDecoder) anyMap(dst *map[string]any) {
	objectMap(d, dst, func() any {
		switch d.peek() {
		case '"':
			return d.str()
		case 't', 'f':
			var b bool
			d.setBool(&b)
			return b
		case 'n':
			d.literal("null")
			return nil
		case '{', '[':
			var v any
			if json.Unmarshal(d.raw(), &v) != nil {
				d.fail()
			}
			return v
		}
		f, err := strconv.ParseFloat(string(d.number()), 64)
		if err != nil {
			d.fail()
		}
		return f
	})
}

func (d *fastDecoder) tags(dst *map[string]TagValue) {
	objectMap(d, dst, func() TagValue {
		var v TagValue
		if v.UnmarshalJSON(d.raw()) != nil {
			d.fail()
		}
		return v
	})
}

// objectMap decodes a JSON object, or null, into *dst, each member's value
// with value. Like encoding/json it adds to a map already there.
func objectMap[V any](d *fastDecoder, dst *map[string]V, value func() V) {
	if d.null() {
		*dst = nil
		return
	}
	m := *dst
	if m == nil {
		m = map[string]V{}
	}
	d.object(func(key []byte) { m[string(key)] = value() })
	*dst = m
}

// array calls elem for each element of the array that is next and reports
// whether there was an array (false for null).
func (d *fastDecoder) array(elem func()) bool {
	if d.null() {
		return false
	}
	d.must('[')
	d.enter()
	if !d.eat(']') {
		for {
			elem()
			if d.eat(',') {
				continue
			}
			d.must(']')
			break
		}
	}
	d.depth--
	return true
}

// Keys that name a field, folded as encoding/json folds them.
var (
	invoiceKeys  = wireKeys(reflect.TypeFor[invoiceWire]())
	lineKeys     = wireKeys(reflect.TypeFor[lineWire]())
	paymentKeys  = wireKeys(reflect.TypeFor[paymentWire]())
	listKeys     = wireKeys(reflect.TypeFor[listEnvelope[invoiceWire]]())
	paginateKeys = wireKeys(reflect.TypeFor[listEnvelope[invoiceWire]]().Field(1).Type)
	dataKeys     = wireKeys(reflect.TypeFor[dataEnvelope[invoiceWire]]())
	batchKeys    = wireKeys(reflect.TypeFor[batchEnvelope]())
)

func wireKeys(t reflect.Type) map[string]bool {
	keys := make(map[string]bool, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		keys[string(foldName([]byte(name)))] = true
	}
	return keys
}

// foldName is encoding/json's case folding of keys.
func foldName(in []byte) []byte {
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); {
		if c := in[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		out = utf8.AppendRune(out, unicode.ToUpper(unicode.ToLower(r)))
		i += n
	}
	return out
}

func (d *fastDecoder) invoice(inv *Invoice) {
	var seen uint32
	var legacy map[string]any
	d.object(func(key []byte) {
		switch string(key) {
		case "id":
			d.once(&seen, 0)
			d.setString(&inv.ID)
		case "business_id":
			d.once(&seen, 1)
			d.setString(&inv.BusinessID)
		case "number":
			d.once(&seen, 2)
			d.setString(&inv.Number)
		case "description":
			d.once(&seen, 3)
			d.setString(&inv.Description)
		case "customer_id":
			d.once(&seen, 4)
			d.setString(&inv.CustomerID)
		case "total_amount":
			d.once(&seen, 5)
			d.setDecimal(&inv.TotalAmount)
		case "total_paid":
			d.once(&seen, 6)
			d.setDecimal(&inv.TotalPaid)
		case "credit_amount":
			d.once(&seen, 7)
			d.setDecimal(&inv.CreditAmount)
		case "source":
			d.once(&seen, 8)
			d.setString((*string)(&inv.Source))
		case "status":
			d.once(&seen, 9)
			d.setString((*string)(&inv.Status))
		case "due_at":
			d.once(&seen, 10)
			d.setTime(&inv.DueAt)
		case "sent_at":
			d.once(&seen, 11)
			d.setTime(&inv.SentAt)
		case "voided_at":
			d.once(&seen, 12)
			d.setTime(&inv.VoidedAt)
		case "metadata":
			d.once(&seen, 13)
			d.anyMap(&inv.Metadata)
		case "metadata_":
			d.once(&seen, 14)
			d.anyMap(&legacy)
		case "tags":
			d.once(&seen, 15)
			d.tags(&inv.Tags)
		case "lines":
			d.once(&seen, 16)
			var lines []InvoiceLine
			if d.array(func() {
				if lines == nil {
					lines = make([]InvoiceLine, 0, 4) // three lines is common; growing from one is not free
				}
				lines = append(lines, InvoiceLine{})
				d.line(&lines[len(lines)-1])
			}) && lines == nil {
				lines = []InvoiceLine{}
			}
			inv.Lines = lines
		case "payments":
			d.once(&seen, 17)
			var payments []InvoicePayment
			if d.array(func() {
				if payments == nil {
					payments = make([]InvoicePayment, 0, 2)
				}
				payments = append(payments, InvoicePayment{})
				d.payment(&payments[len(payments)-1])
			}) && payments == nil {
				payments = []InvoicePayment{}
			}
			inv.Payments = payments
		default:
			d.unknown(key, invoiceKeys)
		}
	})
	if inv.Metadata == nil {
		inv.Metadata = legacy
	}
}

func (d *fastDecoder) line(l *InvoiceLine) {
	var seen uint32
	var legacy map[string]any
	d.object(func(key []byte) {
		switch string(key) {
		case "id":
			d.once(&seen, 0)
			d.setString(&l.ID)
		case "invoice_id":
			d.once(&seen, 1)
			d.setString(&l.InvoiceID)
		case "description":
			d.once(&seen, 2)
			d.setString(&l.Description)
		case "ledger_id":
			d.once(&seen, 3)
			d.setString(&l.LedgerID)
		case "unit_price":
			d.once(&seen, 4)
			d.setDecimal(&l.UnitPrice)
		case "quantity":
			d.once(&seen, 5)
			d.setDecimal(&l.Quantity)
		case "discount_amount":
			d.once(&seen, 6)
			d.setDecimal(&l.DiscountAmount)
		case "discount_rate":
			d.once(&seen, 7)
			d.setDecimal(&l.DiscountRate)
		case "tax_amount":
			d.once(&seen, 8)
			d.setDecimal(&l.TaxAmount)
		case "tax_rate":
			d.once(&seen, 9)
			d.setDecimal(&l.TaxRate)
		case "amount":
			d.once(&seen, 10)
			d.setDecimal(&l.Amount)
		case "is_prepayment":
			d.once(&seen, 11)
			d.setBool(&l.IsPrepayment)
		case "metadata":
			d.once(&seen, 12)
			d.anyMap(&l.Metadata)
		case "metadata_":
			d.once(&seen, 13)
			d.anyMap(&legacy)
		default:
			d.unknown(key, lineKeys)
		}
	})
	if l.Metadata == nil {
		l.Metadata = legacy
	}
}

func (d *fastDecoder) payment(p *InvoicePayment) {
	var seen uint32
	d.object(func(key []byte) {
		switch string(key) {
		case "id":
			d.once(&seen, 0)
			d.setString(&p.ID)
		case "invoice_id":
			d.once(&seen, 1)
			d.setString(&p.InvoiceID)
		case "transaction_id":
			d.once(&seen, 2)
			d.setString(&p.TransactionID)
		case "payment_id":
			d.once(&seen, 3)
			d.setString(&p.PaymentID)
		case "datetime":
			d.once(&seen, 4)
			d.setTime(&p.Datetime)
		case "payment_amount":
			d.once(&seen, 5)
			d.setDecimal(&p.PaymentAmount)
		case "credit_journal_entry_id":
			d.once(&seen, 6)
			d.setString(&p.CreditJournalEntryID)
		case "credit_memo_id":
			d.once(&seen, 7)
			d.setString(&p.CreditMemoID)
		case "is_write_off":
			d.once(&seen, 8)
			d.setBool(&p.IsWriteOff)
		default:
			d.unknown(key, paymentKeys)
		}
	})
}

// invoices decodes the array at "data" into dst, which is nil.
func (d *fastDecoder) invoices(dst *[]Invoice) {
	var out []Invoice
	if d.array(func() {
		out = append(out, Invoice{})
		d.invoice(&out[len(out)-1])
	}) && out == nil {
		out = []Invoice{}
	}
	*dst = out
}

func (d *fastDecoder) list(e *listEnvelope[Invoice]) {
	var seen uint32
	d.object(func(key []byte) {
		switch string(key) {
		case "data":
			d.once(&seen, 0)
			d.invoices(&e.Data)
		case "pagination":
			d.once(&seen, 1)
			if d.null() {
				return
			}
			var pseen uint32
			d.object(func(key []byte) {
				switch string(key) {
				case "next_page_token":
					d.once(&pseen, 0)
					d.setTokenPtr(&e.Pagination.NextPageToken)
				case "previous_page_token":
					d.once(&pseen, 1)
					d.setTokenPtr(&e.Pagination.PreviousPageToken)
				default:
					d.unknown(key, paginateKeys)
				}
			})
		default:
			d.unknown(key, listKeys)
		}
	})
}

func (d *fastDecoder) data(e *dataEnvelope[Invoice]) {
	var seen uint32
	d.object(func(key []byte) {
		switch string(key) {
		case "data":
			d.once(&seen, 0)
			if !d.null() {
				d.invoice(&e.Data)
			}
		default:
			d.unknown(key, dataKeys)
		}
	})
}

func (d *fastDecoder) batch(e *batchEnvelope) {
	var seen uint32
	d.object(func(key []byte) {
		switch string(key) {
		case "data":
			d.once(&seen, 0)
			d.invoices(&e.Data)
		case "errors":
			d.once(&seen, 1)
			if json.Unmarshal(d.raw(), &e.Errors) != nil {
				d.fail()
			}
		default:
			d.unknown(key, batchKeys)
		}
	})
}
