package asset

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // String() of the result
	}{
		{"520.56", "520.56"},
		{"0", "0"},
		{"0.00", "0.00"},
		{"10.50", "10.50"},
		{"-3", "-3"},
		{"+7.5", "7.5"},
		{"-0.01", "-0.01"},
		{"00012.340", "12.340"},
		{".5", "0.5"},
		{"1.5e2", "150"},
		{"1.5E-2", "0.015"},
		{"-2.50e1", "-25.0"},
		{"1e+3", "1000"},
		{"123456789012345678", "123456789012345678"},           // the fast path's limit
		{"1234567890123456789", "1234567890123456789"},         // one digit past it
		{"12345678901234567890.12", "12345678901234567890.12"}, // past int64
		{"-99999999999999999999999999999999.999999", "-99999999999999999999999999999999.999999"},
		{"0.000000000000000000000000000001", "0.000000000000000000000000000001"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDecimal(tt.in)
			require.NoError(t, err)
			assert.True(t, d.IsSet())
			assert.Equal(t, tt.want, d.String())
			want, err := decimal.NewFromString(tt.in)
			require.NoError(t, err)
			assert.True(t, want.Equal(d.Decimal()), "value %s, want %s", d.Decimal(), want)
		})
	}
}

func TestParseDecimalRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"letters", "abc"},
		{"NaN", "NaN"},
		{"nan", "nan"},
		{"Inf", "Inf"},
		{"-Infinity", "-Infinity"},
		{"hex", "0x10"},
		{"huge exponent", "1e999"},
		{"tiny exponent", "1e-999"},
		{"exponent overflow", "1e99999999999"},
		{"underscores", "1_000"},
		{"comma", "1,50"},
		{"leading space", " 1"},
		{"trailing space", "1 "},
		{"two points", "1.2.3"},
		{"two signs", "--1"},
		{"sign only", "-"},
		{"point only", "."},
		{"dangling exponent", "1e"},
		{"exponent only", "e5"},
		{"100 digits", strings.Repeat("1", 100)},
		{"100 characters with a point", "0." + strings.Repeat("0", 97) + "1"},
		// Short, but MarshalJSON would write 81 digits that could not be read back.
		{"too long written out", "123456789012345678901e60"},
		{"unicode digit", "١٢"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDecimal(tt.in)
			require.Error(t, err)
			assert.False(t, d.IsSet())
			assert.Panics(t, func() { MustDecimal(tt.in) })
		})
	}
}

func TestParseDecimalLongestWrittenOut(t *testing.T) {
	t.Parallel()
	d, err := ParseDecimal("12345678901234567890e60")
	require.NoError(t, err)
	want := "12345678901234567890" + strings.Repeat("0", 60)
	assert.Equal(t, want, d.String())
	out, err := json.Marshal(d)
	require.NoError(t, err)
	var back Decimal
	require.NoError(t, json.Unmarshal(out, &back))
	assert.True(t, back.Equal(d))
}

func TestDecimalUnmarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     string
		set      bool
	}{
		{"number", `520.56`, "520.56", true},
		{"scale kept", `10.50`, "10.50", true},
		{"integer", `123`, "123", true},
		{"zero", `0`, "0", true},
		{"negative", `-1.25`, "-1.25", true},
		{"exponent", `2.5e3`, "2500", true},
		{"numeric string", `"3000.00"`, "3000.00", true},
		{"string exponent", `"1e2"`, "100", true},
		{"null", `null`, "", false},
		{"long number", `12345678901234567890.12`, "12345678901234567890.12", true},
		{"long string", `"12345678901234567890.12"`, "12345678901234567890.12", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := MustDecimal("99") // null must reset a present value
			require.NoError(t, json.Unmarshal([]byte(tt.in), &d))
			assert.Equal(t, tt.set, d.IsSet())
			assert.Equal(t, tt.want, d.String())
		})
	}
}

func TestDecimalUnmarshalJSONRefuses(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`"abc"`, `""`, `"NaN"`, `"Infinity"`, `"1e999"`, `true`, `{}`, `[1]`, `"\u0031"`, `" 1"`, `"0x1F"`} {
		t.Run(in, func(t *testing.T) {
			var d Decimal
			require.Error(t, json.Unmarshal([]byte(in), &d))
			assert.False(t, d.IsSet())
		})
	}
}

func TestDecimalNeverThroughFloat(t *testing.T) {
	t.Parallel()
	var v struct {
		A, B, Big Decimal
	}
	require.NoError(t, json.Unmarshal([]byte(`{"A":0.1,"B":0.2,"Big":12345678901234567890.12}`), &v))
	// In float64 these give 0.30000000000000004 and 12345678901234567000.
	sum := v.A.Add(v.B)
	assert.Equal(t, "0.3", sum.String())
	assert.True(t, sum.Equal(MustDecimal("0.3")))
	assert.Equal(t, "12345678901234567890.12", v.Big.String())
	out, err := json.Marshal(v.Big)
	require.NoError(t, err)
	assert.Equal(t, "12345678901234567890.12", string(out))
	_, exact := v.Big.Float64()
	assert.False(t, exact, "a float64 cannot hold it, which is why money never goes through one")
}

func TestDecimalMarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Decimal
		want string
	}{
		{"scale kept", MustDecimal("10.50"), "10.50"},
		{"cents", MustDecimal("520.56"), "520.56"},
		{"present zero", DecimalFromInt(0), "0"},
		{"present zero with scale", MustDecimal("0.00"), "0.00"},
		{"negative", MustDecimal("-3.5"), "-3.5"},
		{"exponent written plain", MustDecimal("1.5e2"), "150"},
		{"small exponent written plain", MustDecimal("15e-4"), "0.0015"},
		{"absent", Decimal{}, "null"},
		{"from shopspring", NewDecimal(decimal.RequireFromString("7.25")), "7.25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := json.Marshal(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out))
		})
	}
}

func TestDecimalInStructs(t *testing.T) {
	t.Parallel()
	type withOmit struct {
		A Decimal `json:"a,omitzero"`
		B Decimal `json:"b,omitzero"`
		C Decimal `json:"c,omitzero"`
	}
	out, err := json.Marshal(withOmit{B: DecimalFromInt(0), C: MustDecimal("1.10")})
	require.NoError(t, err)
	assert.Equal(t, `{"b":0,"c":1.10}`, string(out), "absent omitted, present zero sent as 0")

	type withoutOmit struct {
		A Decimal `json:"a"`
	}
	out, err = json.Marshal(withoutOmit{})
	require.NoError(t, err)
	assert.Equal(t, `{"a":null}`, string(out))

	// A pointer receiver must not be needed to marshal: values in maps and
	// slices are not addressable.
	out, err = json.Marshal(map[string]Decimal{"x": MustDecimal("2.50")})
	require.NoError(t, err)
	assert.Equal(t, `{"x":2.50}`, string(out))

	var back withOmit
	require.NoError(t, json.Unmarshal([]byte(`{"b":0,"c":1.10}`), &back))
	assert.False(t, back.A.IsSet(), "a missing field is absent")
	assert.True(t, back.B.IsSet(), "a zero in the JSON is present")
	assert.Equal(t, 0, back.B.Sign())
	assert.Equal(t, "1.10", back.C.String())
}

func TestDecimalPresentZeroVsAbsent(t *testing.T) {
	t.Parallel()
	var absent Decimal
	zero := DecimalFromInt(0)
	assert.False(t, absent.IsSet())
	assert.True(t, zero.IsSet())
	assert.Equal(t, "", absent.String())
	assert.Equal(t, "0", zero.String())
	assert.Equal(t, 0, absent.Sign())
	assert.True(t, absent.Equal(zero), "as numbers, absent counts as zero")
	assert.Equal(t, 0, absent.Cmp(zero))
	assert.True(t, absent.Decimal().IsZero())
	assert.Equal(t, "", absent.StringFixed(2))
	assert.Equal(t, "0.00", zero.StringFixed(2))
}

func TestDecimalText(t *testing.T) {
	t.Parallel()
	b, err := MustDecimal("10.50").MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "10.50", string(b))
	b, err = Decimal{}.MarshalText()
	require.NoError(t, err)
	assert.Empty(t, b)

	var d Decimal
	require.NoError(t, d.UnmarshalText([]byte("-7.250")))
	assert.Equal(t, "-7.250", d.String())
	require.NoError(t, d.UnmarshalText(nil))
	assert.False(t, d.IsSet(), "empty text is absent")
	require.Error(t, d.UnmarshalText([]byte("NaN")))
	require.Error(t, d.UnmarshalText([]byte(`"1"`)), "text is not JSON: quotes are not stripped")

	// Text marshalling is what makes Decimal usable as a JSON map key.
	var m map[Decimal]string
	require.NoError(t, json.Unmarshal([]byte(`{"1.50":"a"}`), &m))
	for k, v := range m {
		assert.Equal(t, "1.50", k.String())
		assert.Equal(t, "a", v)
	}
}

func TestDecimalArithmetic(t *testing.T) {
	t.Parallel()
	a, b := MustDecimal("10.50"), MustDecimal("0.25")
	tests := []struct {
		name string
		got  Decimal
		want string
	}{
		{"Add", a.Add(b), "10.75"},
		{"Sub", a.Sub(b), "10.25"},
		{"Mul", a.Mul(b), "2.6250"},
		{"Sub below zero", b.Sub(a), "-10.25"},
		{"Add absent", a.Add(Decimal{}), "10.50"},
		{"absent Add absent is a present zero", Decimal{}.Add(Decimal{}), "0"},
		{"Mul by zero", a.Mul(DecimalFromInt(0)), "0.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, tt.got.IsSet())
			assert.Equal(t, tt.want, tt.got.String())
		})
	}
	// Operands are values: arithmetic must not change them.
	assert.Equal(t, "10.50", a.String())
	assert.Equal(t, "0.25", b.String())

	assert.Equal(t, 1, a.Cmp(b))
	assert.Equal(t, -1, b.Cmp(a))
	assert.Equal(t, 0, MustDecimal("1.50").Cmp(MustDecimal("1.5")))
	assert.True(t, MustDecimal("1.50").Equal(MustDecimal("1.5")))
	assert.False(t, MustDecimal("1.51").Equal(MustDecimal("1.5")))
	assert.Equal(t, -1, MustDecimal("-0.01").Sign())
	assert.Equal(t, 0, MustDecimal("0.00").Sign())
	assert.Equal(t, 1, a.Sign())

	inv := Invoice{TotalAmount: MustDecimal("520.56"), TotalPaid: MustDecimal("20.06")}
	assert.Equal(t, "500.50", inv.Balance().String())
}

func TestDecimalConstructors(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "42", DecimalFromInt(42).String())
	assert.Equal(t, "-9223372036854775808", DecimalFromInt(-1<<63).String())
	d := NewDecimal(decimal.New(12345, -3))
	assert.True(t, d.IsSet())
	assert.Equal(t, "12.345", d.String())
	assert.True(t, decimal.New(12345, -3).Equal(d.Decimal()))
	assert.True(t, NewDecimal(decimal.Zero).IsSet(), "a wrapped zero is present")
}

func TestDecimalStringFixed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		places int32
		want   string
	}{
		{"10.555", 2, "10.56"},
		{"-10.555", 2, "-10.56"}, // half away from zero
		{"10.554", 2, "10.55"},
		{"10.5", 2, "10.50"},
		{"10", 2, "10.00"},
		{"2.5", 0, "3"},
		{"1234.5678", 1, "1234.6"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, MustDecimal(tt.in).StringFixed(tt.places), "%s to %d places", tt.in, tt.places)
	}
}

func TestDecimalFloat64(t *testing.T) {
	t.Parallel()
	f, exact := MustDecimal("0.5").Float64()
	assert.Equal(t, 0.5, f)
	assert.True(t, exact)
	f, exact = MustDecimal("0.1").Float64()
	assert.Equal(t, 0.1, f)
	assert.False(t, exact)
}

// Amounts of up to 18 digits decode without allocating; 19 digits, one
// past what an int64 always holds, still decode exactly.
func TestDecimalDigitsBoundary(t *testing.T) {
	tests := []struct {
		in, want string
		digits   int
	}{
		{`999999999999999999`, "999999999999999999", 18},
		{`-9999999999999999.99`, "-9999999999999999.99", 18},
		{`"+0.00000000000000001"`, "0.00000000000000001", 18},
		{`"123456789012345678"`, "123456789012345678", 18},
		{`9999999999999999999`, "9999999999999999999", 19},
		{`-99999999999999999.99`, "-99999999999999999.99", 19},
		{`"9223372036854775808"`, "9223372036854775808", 19}, // 2^63
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var d Decimal
			require.NoError(t, d.UnmarshalJSON([]byte(tt.in)))
			assert.Equal(t, tt.want, d.String())
			want, err := decimal.NewFromString(tt.want)
			require.NoError(t, err)
			assert.True(t, d.Decimal().Equal(want), "%s decoded as %s", tt.in, d.Decimal())
			if tt.digits > 18 {
				return
			}
			b := []byte(tt.in)
			allocs := testing.AllocsPerRun(100, func() {
				var d Decimal
				if err := d.UnmarshalJSON(b); err != nil {
					panic(err)
				}
			})
			assert.Zero(t, allocs, "allocations decoding %d digits", tt.digits)
		})
	}
}

// NewDecimal and arithmetic can make values ParseDecimal refuses; they are
// refused when encoded, before anything is sent, instead of writing out
// millions of digits.
func TestDecimalOutOfRangeRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		d    Decimal
		text string // what String shows
	}{
		{"huge exponent", NewDecimal(decimal.New(1, 5e7)), "1e50000000"},
		{"tiny exponent", NewDecimal(decimal.New(-15, -5e7)), "-15e-50000000"},
		{"exponent past the bound", NewDecimal(decimal.New(1, maxExponent+1)), "1e65"},
		{"too long written out", NewDecimal(decimal.New(123456789012345678, maxExponent)), "123456789012345678" + strings.Repeat("0", maxExponent)},
		{"wide and too long", NewDecimal(decimal.RequireFromString(strings.Repeat("9", 100))), strings.Repeat("9", 100)},
		{"product past the bound", MustDecimal("1e60").Mul(MustDecimal("1e60")), "1e120"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.text, tc.d.String())
			_, err := json.Marshal(tc.d)
			var in *InputError
			require.ErrorAs(t, err, &in)
			_, err = tc.d.MarshalText()
			require.ErrorAs(t, err, &in)

			srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				replyJSON(w, 200, invoiceBody)
			})
			_, err = srv.client(t).Payments.Apply(context.Background(), testBiz, InvoicePaymentCreate{
				InvoiceID: testInv, TransactionID: "txn_1", PaymentAmount: tc.d,
			})
			require.ErrorAs(t, err, &in)
			assert.ErrorIs(t, err, ErrValidation)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown)
			assert.Less(t, len(err.Error()), 400, "the error quotes the value briefly")
			assert.Zero(t, srv.count(), "nothing is sent")
		})
	}
}

func TestDecimalAtTheBoundsEncodes(t *testing.T) {
	t.Parallel()
	for _, d := range []Decimal{
		NewDecimal(decimal.New(1, maxExponent)),
		NewDecimal(decimal.New(-1, -maxExponent)),
		NewDecimal(decimal.New(12345678901234567, maxExponent-4)),
	} {
		out, err := json.Marshal(d)
		require.NoError(t, err, d.String())
		var back Decimal
		require.NoError(t, json.Unmarshal(out, &back), string(out))
		assert.True(t, back.Equal(d))
	}
}
