package uuid

import "testing"

func TestValid(t *testing.T) {
	cases := []struct {
		s    string
		want bool
	}{
		{"3c90c3cc-0d44-4b50-8888-8dd25736052a", true},
		{"3C90C3CC-0D44-4B50-8888-8DD25736052A", true},
		{Nil, true},
		{"", false},
		{"3c90c3cc0d444b5088888dd25736052a", false},       // no dashes
		{"{3c90c3cc-0d44-4b50-8888-8dd25736052a}", false}, // braces
		{"3c90c3cc-0d44-4b50-8888-8dd25736052g", false},   // not hex
		{"3c90c3cc-0d44-4b50-8888_8dd25736052a", false},   // wrong separator
		{"3c90c3cc-0d44-4b50-8888-8dd25736052", false},    // short
	}
	for _, tc := range cases {
		if got := Valid(tc.s); got != tc.want {
			t.Errorf("Valid(%q) = %t, want %t", tc.s, got, tc.want)
		}
	}
}
