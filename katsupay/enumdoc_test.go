package katsupay_test

import (
	"encoding/json"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Katsu's docs give its integer codes no names, so go doc must say so on
// each code type, where a reader looks for constants, and show how to name
// a deployment's codes; the codes quoted are the ones the docs' example
// request sends.
func TestCodeTypesSayWhyTheyHaveNoConstants(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	var astFiles []*ast.File
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
			require.NoError(t, err)
			astFiles = append(astFiles, f)
		}
	}
	pkg, err := doc.NewFromFiles(fset, astFiles, "github.com/assetkit/asset-go/katsupay")
	require.NoError(t, err)
	docs := map[string]string{}
	for _, typ := range pkg.Types {
		docs[typ.Name] = typ.Doc
	}

	var example map[string]any
	require.NoError(t, json.Unmarshal(readTestdata(t, "docs_create_request_template.json"), &example))
	discount := example["discount"].(map[string]any)
	tests := []struct {
		typ     string
		example string // how the docs' example value is written in Go
	}{
		{"Currency", "katsupay.Currency(" + jsonInt(example["currency"]) + ")"},
		{"BillingCycle", "katsupay.BillingCycle(" + jsonInt(example["billingCycle"]) + ")"},
		{"DiscountType", "katsupay.DiscountType(" + jsonInt(discount["discountType"]) + ")"},
		{"NotificationChannel", "katsupay.NotificationChannel("},
		{"PaymentMethod", "katsupay.PaymentMethod("},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			d := docs[tt.typ]
			assert.Contains(t, d, "do not say which code", "the doc says why there are no constants")
			assert.Contains(t, d, tt.example, "the doc shows how to name a code")
		})
	}
}

func jsonInt(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
