package httpcore

import (
	"errors"
	"strings"
)

// CheckHeaderValue refuses a value that cannot travel as a header value as
// given: a line break would split the header (or be refused by net/http at
// send time, far from the option that set it), and surrounding spaces are
// dropped by servers, so a credential with them would never match.
func CheckHeaderValue(v string) error {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return errors.New("holds a line break or control character")
		}
	}
	if strings.TrimSpace(v) != v {
		return errors.New("has leading or trailing spaces")
	}
	return nil
}

// CheckASCIIHeaderValue is CheckHeaderValue for a value that must also
// arrive as it was given: the API's server reads header values as latin-1,
// so "usr_José" (UTF-8) would arrive as "usr_JosÃ©".
func CheckASCIIHeaderValue(v string) error {
	if err := CheckHeaderValue(v); err != nil {
		return err
	}
	for i := 0; i < len(v); i++ {
		if v[i] >= 0x80 {
			return errors.New("holds characters outside ASCII, which the API would read as latin-1 and garble")
		}
	}
	return nil
}

// CheckHeaderName refuses a name that is not an HTTP token (RFC 9110,
// section 5.6.2): net/http would refuse it only at send time, as a
// transport failure.
func CheckHeaderName(name string) error {
	if name == "" {
		return errors.New("is empty")
	}
	for i := 0; i < len(name); i++ {
		if !isTokenChar(name[i]) {
			return errors.New("holds a character not allowed in a header name (letters, digits and !#$%&'*+-.^_`|~ are)")
		}
	}
	return nil
}

func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
