// Package redact removes credentials from what a server sends back. A
// server or a proxy may quote the request in its reply (the Authorization
// header, a service key, the token request's form) in whatever encoding its
// format uses, and replies end up in errors and logs.
package redact

import (
	"bytes"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// Mark stands in for a credential that a server quoted back.
const Mark = "[redacted]"

// String is s with every quoting of a secret (see Bytes) replaced by Mark.
func String(s string, secrets []string) string {
	if _, n := findQuoted([]byte(s), secrets); n == 0 {
		return s
	}
	return string(Bytes([]byte(s), secrets))
}

// Bytes replaces every quoting of a secret in b (see quotedLen) by Mark,
// leaving b as it is (even an empty, non-nil b) when it holds none.
func Bytes(b []byte, secrets []string) []byte {
	at, n := findQuoted(b, secrets)
	if n == 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for n > 0 {
		out = append(out, b[:at]...)
		out = append(out, Mark...)
		b = b[at+n:]
		at, n = findQuoted(b, secrets)
	}
	return append(out, b...)
}

// findQuoted is the offset and length of the first quoting of a secret in
// b; n is 0 when there is none.
func findQuoted(b []byte, secrets []string) (at, n int) {
	// The bytes a quoting can start with: a secret's first byte, or that of
	// an escape.
	var starts [256]bool
	starts['+'], starts['%'], starts['\\'], starts['&'] = true, true, true, true
	for _, s := range secrets {
		if s != "" {
			starts[s[0]] = true
		}
	}
	for i, c := range b {
		if !starts[c] {
			continue
		}
		for _, s := range secrets {
			if n := quotedLen(b[i:], s); n > 0 {
				return i, n
			}
		}
	}
	return 0, 0
}

// quotedLen is the length of secret written at the start of b, or 0. Each
// of its characters may be written as it is, or escaped as a server quotes
// a request back: form or URL escaping (%2F, %2f, "+" for a space, and
// escaped twice, %252F), JSON escaping (\/, \u002f) or HTML escaping
// (&amp;, &#47;, &#x2F;). Servers and frameworks escape different sets of
// characters, so each character is matched on its own; where two readings
// fit ("&" itself, or the start of "&amp;"), both are followed, and the
// longest match wins.
func quotedLen(b []byte, secret string) int {
	if secret == "" {
		return 0
	}
	ends := []int{0} // the offsets in b where the secret's prefix so far can end
	var next []int
	for _, r := range secret {
		next = next[:0]
		for _, at := range ends {
			for _, k := range runeQuotedLens(b[at:], r) {
				if k > 0 && !slices.Contains(next, at+k) {
					next = append(next, at+k)
				}
			}
		}
		if len(next) == 0 {
			return 0
		}
		ends, next = next, ends
	}
	return slices.Max(ends)
}

// runeQuotedLens are the lengths of the ways r is written at the start of b,
// 0 for a way that does not match: verbatim, and one escape.
func runeQuotedLens(b []byte, r rune) [2]int {
	var enc [utf8.UTFMax]byte
	raw := enc[:utf8.EncodeRune(enc[:], r)]
	var out [2]int
	if len(b) == 0 {
		return out
	}
	if bytes.HasPrefix(b, raw) {
		out[0] = len(raw)
	}
	switch b[0] {
	case '+':
		if r == ' ' {
			out[1] = 1
		}
	case '%':
		out[1] = percentLen(b, r, raw)
	case '\\':
		out[1] = jsonEscapeLen(b, r)
	case '&':
		out[1] = entityLen(b, r)
	}
	return out
}

// percentLen matches raw's bytes each escaped as %XX, or twice as %25XX;
// a space may also be a "+" escaped again, %2B.
func percentLen(b []byte, r rune, raw []byte) int {
	if r == ' ' && len(b) >= 3 && hexValue(b[1:3]) == '+' {
		return 3
	}
	n := 0
	for _, c := range raw {
		rest := b[n:]
		switch {
		case len(rest) >= 3 && rest[0] == '%' && hexValue(rest[1:3]) == int(c):
			n += 3
		case len(rest) >= 5 && rest[0] == '%' && hexValue(rest[1:3]) == '%' && hexValue(rest[3:5]) == int(c):
			n += 5
		default:
			return 0
		}
	}
	return n
}

// jsonEscapeLen matches a JSON escape of r: \/ \" \\ or \uXXXX, with a
// surrogate pair beyond the basic plane.
func jsonEscapeLen(b []byte, r rune) int {
	if len(b) >= 2 && rune(b[1]) == r && (r == '/' || r == '"' || r == '\\') {
		return 2
	}
	if len(b) < 6 || b[1] != 'u' {
		return 0
	}
	v := rune(hexValue(b[2:6]))
	if v == r {
		return 6
	}
	if utf16.IsSurrogate(v) && len(b) >= 12 && b[6] == '\\' && b[7] == 'u' &&
		utf16.DecodeRune(v, rune(hexValue(b[8:12]))) == r {
		return 12
	}
	return 0
}

// entityLen matches an HTML character reference to r: a named one for the
// characters html.EscapeString escapes, or &#NN; and &#xHH;.
func entityLen(b []byte, r rune) int {
	for _, e := range [...]struct {
		r    rune
		name string
	}{{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&apos;"}} {
		if e.r == r && bytes.HasPrefix(b, []byte(e.name)) {
			return len(e.name)
		}
	}
	if len(b) < 4 || b[1] != '#' {
		return 0
	}
	i, base := 2, 10
	if b[2] == 'x' || b[2] == 'X' {
		i, base = 3, 16
	}
	start, v := i, 0
	for ; i < len(b) && i-start < 8; i++ {
		d := digitValue(b[i])
		if d < 0 || d >= base {
			break
		}
		v = v*base + d
	}
	if i > start && i < len(b) && b[i] == ';' && v == int(r) {
		return i + 1
	}
	return 0
}

// hexValue is the value of the hex digits h, or -1.
func hexValue(h []byte) int {
	v := 0
	for _, c := range h {
		d := digitValue(c)
		if d < 0 || d >= 16 {
			return -1
		}
		v = v*16 + d
	}
	return v
}

func digitValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
