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
