// Package uuid checks the UUID strings the Katsu Pay API takes as ids.
package uuid

// Nil is the all-zero UUID, well formed but never a real id.
const Nil = "00000000-0000-0000-0000-000000000000"

// Valid reports whether s is a UUID in its canonical 8-4-4-4-12 hex form,
// in either case.
func Valid(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
