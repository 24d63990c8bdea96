package assettest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCompileRefusesABadTable(t *testing.T) {
	tests := []struct {
		name  string
		table []endpoint
	}{
		{"no method", []endpoint{{route: "/v0/thing"}}},
		{"no leading slash", []endpoint{{route: "GET v0/thing"}}},
		{"twice", []endpoint{{route: "GET /v0/thing"}, {route: "GET /v0/thing"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Panics(t, func() { compile(tt.table) })
		})
	}
	assert.NotPanics(t, func() { compile([]endpoint{{route: "GET /v0/thing"}, {route: "POST /v0/thing"}}) })
}
