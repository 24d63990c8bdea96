package asset

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"
)

// Decimal is an exact decimal number: every amount, quantity and rate in this
// package is one, so no cent is ever lost to binary floating point.
//
// The zero value means absent: it is left out of request bodies (fields carry
// omitzero) and is what a JSON null or a missing field decodes to. A present
// zero is DecimalFromInt(0) and is sent as 0.
type Decimal struct {
	// The value is coef × 10^exp, or *wide when the coefficient has more
	// than maxCompactDigits digits. Amounts as an API sends them fit the
	// compact form, which decoding fills without allocating; a page holds
	// thousands of them. Every value has one form, so equal inputs give
	// identical Decimals (reflect.DeepEqual included).
	coef int64
	exp  int32
	set  bool
	wide *decimal.Decimal
}

// maxCompactDigits is the most coefficient digits the compact form holds:
// every 18-digit number fits in an int64.
const maxCompactDigits = 18

// fromShopspring puts d in the form its size calls for.
func fromShopspring(d decimal.Decimal) Decimal {
	if d.NumDigits() <= maxCompactDigits {
		return Decimal{coef: d.CoefficientInt64(), exp: d.Exponent(), set: true}
	}
	return Decimal{wide: &d, set: true}
}

// dec is the value as a shopspring decimal; absent is zero.
func (x Decimal) dec() decimal.Decimal {
	switch {
	case x.wide != nil:
		return *x.wide
	case !x.set:
		return decimal.Decimal{}
	}
	return decimal.New(x.coef, x.exp)
}

// ParseDecimal parses a plain or exponent decimal string such as "520.56",
// "-3" or "1.5e2". It refuses NaN, infinities and empty input.
func ParseDecimal(s string) (Decimal, error) {
	if d, ok := parseShort(s); ok {
		return d, nil
	}
	return parseLong(s)
}

// MustDecimal is ParseDecimal for constants in code and tests; it panics on
// input that is not a number.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// NewDecimal wraps a shopspring decimal as a present value. It takes any
// value, but one ParseDecimal would refuse (an exponent beyond ±64, more than
// 80 characters written out) cannot be sent: encoding it fails with an
// *InputError before anything goes on the wire.
func NewDecimal(d decimal.Decimal) Decimal { return fromShopspring(d) }

// DecimalFromInt is the present whole number n.
func DecimalFromInt(n int64) Decimal {
	if n > -1e18 && n < 1e18 {
		return Decimal{coef: n, set: true}
	}
	return fromShopspring(decimal.NewFromInt(n))
}

// IsSet reports whether the value is present (a present zero is set).
func (x Decimal) IsSet() bool { return x.set }

// Decimal returns the value for arithmetic; absent is zero.
func (x Decimal) Decimal() decimal.Decimal { return x.dec() }

// String is the exact value in plain notation, keeping the scale it was
// written with ("10.50" stays "10.50"), or "" when absent. A value whose
// exponent is beyond what ParseDecimal accepts (made by NewDecimal or
// arithmetic) is written as coefficient and exponent, e.g. "1e50000000",
// rather than as millions of digits.
func (x Decimal) String() string {
	if !x.set {
		return ""
	}
	if !x.exponentInRange() {
		return x.scientific()
	}
	return x.plain()
}

// exponentInRange reports whether the exponent is one ParseDecimal accepts.
func (x Decimal) exponentInRange() bool {
	e := x.exp
	if x.wide != nil {
		e = x.wide.Exponent()
	}
	return e >= -maxExponent && e <= maxExponent
}

// scientific is the value as coefficient "e" exponent, whatever its size.
func (x Decimal) scientific() string {
	if x.wide != nil {
		return x.wide.Coefficient().String() + "e" + strconv.Itoa(int(x.wide.Exponent()))
	}
	return strconv.FormatInt(x.coef, 10) + "e" + strconv.Itoa(int(x.exp))
}

// appendEncoded appends the plain form for MarshalJSON and MarshalText, and
// refuses what ParseDecimal would refuse to read back: written out, such a
// value can take megabytes, and no amount is one.
func (x Decimal) appendEncoded(b []byte) ([]byte, error) {
	if !x.exponentInRange() || x.wide != nil && x.wide.NumDigits() > maxDecimalLen {
		return nil, x.rangeError()
	}
	start := len(b)
	b = x.appendPlain(b)
	if len(b)-start > maxDecimalLen {
		return nil, x.rangeError()
	}
	return b, nil
}

func (x Decimal) rangeError() *InputError {
	return &InputError{Field: "Decimal", Reason: fmt.Sprintf(
		"%.30s is beyond what can be sent: at most %d characters written out, with an exponent within ±%d",
		x.scientific(), maxDecimalLen, maxExponent)}
}

func (x Decimal) plain() string { return string(x.appendPlain(nil)) }

// appendPlain appends the value in plain notation at its own scale.
func (x Decimal) appendPlain(b []byte) []byte {
	if x.wide != nil {
		if e := x.wide.Exponent(); e < 0 {
			return append(b, x.wide.StringFixed(-e)...)
		}
		return append(b, x.wide.String()...)
	}
	if x.exp >= 0 {
		b = strconv.AppendInt(b, x.coef, 10)
		if x.coef != 0 {
			for range x.exp {
				b = append(b, '0')
			}
		}
		return b
	}
	u := uint64(x.coef)
	if x.coef < 0 {
		b = append(b, '-')
		u = -u
	}
	var buf [20]byte
	digits := strconv.AppendUint(buf[:0], u, 10)
	scale := int(-x.exp)
	if len(digits) <= scale {
		b = append(b, '0', '.')
		for range scale - len(digits) {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	b = append(b, digits[:len(digits)-scale]...)
	b = append(b, '.')
	return append(b, digits[len(digits)-scale:]...)
}

// StringFixed is the value rounded half away from zero to places digits,
// e.g. StringFixed(2) for cents; "" when absent.
func (x Decimal) StringFixed(places int32) string {
	if !x.set {
		return ""
	}
	if x.wide == nil && places == -x.exp {
		return x.plain()
	}
	return x.dec().StringFixed(places)
}

// Float64 is the nearest float64, for display or statistics only: never use
// it to compute money. exact reports whether no precision was lost.
func (x Decimal) Float64() (f float64, exact bool) { return x.dec().Float64() }

// Cmp compares x and y as numbers (absent counts as zero): -1, 0 or +1.
func (x Decimal) Cmp(y Decimal) int {
	if x.wide == nil && y.wide == nil && x.exp == y.exp {
		return cmpInt(x.coef, y.coef)
	}
	return x.dec().Cmp(y.dec())
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Equal reports whether x and y are the same number ("1.50" equals "1.5").
func (x Decimal) Equal(y Decimal) bool { return x.Cmp(y) == 0 }

// Sign is -1, 0 or +1.
func (x Decimal) Sign() int {
	if x.wide != nil {
		return x.wide.Sign()
	}
	return cmpInt(x.coef, 0)
}

// Add is x + y, present.
func (x Decimal) Add(y Decimal) Decimal { return fromShopspring(x.dec().Add(y.dec())) }

// Sub is x - y, present.
func (x Decimal) Sub(y Decimal) Decimal { return fromShopspring(x.dec().Sub(y.dec())) }

// Mul is x × y, present and exact.
func (x Decimal) Mul(y Decimal) Decimal { return fromShopspring(x.dec().Mul(y.dec())) }

// MarshalJSON writes a bare JSON number, or null when absent. A value
// ParseDecimal would refuse is an *InputError.
func (x Decimal) MarshalJSON() ([]byte, error) {
	if !x.set {
		return []byte("null"), nil
	}
	return x.appendEncoded(make([]byte, 0, 24))
}

// UnmarshalJSON reads a JSON number, a numeric string or null (absent)
// without passing through float64.
func (x *Decimal) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*x = Decimal{}
		return nil
	}
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
		if bytes.IndexByte(b, '\\') >= 0 {
			return fmt.Errorf("asset: %s is not a decimal number", b)
		}
	}
	d, err := parseBytes(b)
	if err != nil {
		return err
	}
	*x = d
	return nil
}

// MarshalText writes the plain decimal, for CSV, query strings and maps. A
// value ParseDecimal would refuse is an *InputError.
func (x Decimal) MarshalText() ([]byte, error) {
	if !x.set {
		return []byte{}, nil
	}
	return x.appendEncoded(nil)
}

// UnmarshalText parses a plain decimal; empty text is absent.
func (x *Decimal) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*x = Decimal{}
		return nil
	}
	d, err := parseBytes(b)
	if err != nil {
		return err
	}
	*x = d
	return nil
}

// maxDecimalLen and maxExponent bound what is parsed: money never needs more,
// and an unbounded exponent would let a hostile response make String build a
// string of millions of zeros.
const (
	maxDecimalLen = 80
	maxExponent   = 64
)

func parseBytes(b []byte) (Decimal, error) {
	if d, ok := parseShort(b); ok {
		return d, nil
	}
	return parseLong(string(b))
}

// parseShort is the fast path for the amounts an API sends: an optional sign,
// up to 18 digits and at most one point. It builds the compact form
// directly, so the common case never parses twice, never goes through
// float64 and never allocates.
func parseShort[T string | []byte](s T) (Decimal, bool) {
	n := len(s)
	if n == 0 || n > 20 {
		return Decimal{}, false
	}
	i := 0
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		i++
	}
	var coef int64
	digits, frac := 0, -1
	for ; i < n; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			coef = coef*10 + int64(c-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0:
			frac = 0
		default:
			return Decimal{}, false
		}
	}
	if digits == 0 || digits > maxCompactDigits || frac == 0 {
		return Decimal{}, false
	}
	if neg {
		coef = -coef
	}
	exp := int32(0)
	if frac > 0 {
		exp = -int32(frac)
	}
	return Decimal{coef: coef, exp: exp, set: true}, true
}

// parseLong handles what the fast path does not: long numbers and exponents.
// It refuses NaN, infinities, hex and anything outside the bounds above.
func parseLong(s string) (Decimal, error) {
	if len(s) > maxDecimalLen {
		return Decimal{}, fmt.Errorf("asset: decimal %.20q... is longer than %d characters", s, maxDecimalLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return Decimal{}, fmt.Errorf("asset: %q is not a decimal number", s)
		}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Decimal{}, fmt.Errorf("asset: %q is not a decimal number", s)
	}
	if e := d.Exponent(); e > maxExponent || e < -maxExponent {
		return Decimal{}, fmt.Errorf("asset: decimal %q has an exponent outside ±%d", s, maxExponent)
	}
	x := fromShopspring(d)
	// The plain form is what MarshalJSON writes, so it must parse again: a
	// long coefficient with a positive exponent can write out past the bound.
	if len(x.plain()) > maxDecimalLen {
		return Decimal{}, fmt.Errorf("asset: decimal %q is longer than %d characters written out", s, maxDecimalLen)
	}
	return x, nil
}
