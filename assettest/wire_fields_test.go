package assettest

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/assetkit/asset-go"
)

// jsonNames are the JSON names of a struct's fields, and its fields'
// older names (alias:"metadata_"), each by the name it stands for.
func jsonNames(v any) (names []string, aliases map[string]string) {
	aliases = map[string]string{}
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
		if alias := t.Field(i).Tag.Get("alias"); alias != "" {
			aliases[alias] = name
		}
	}
	slices.Sort(names)
	return names, aliases
}

// The fake writes its answers with wire types of its own, so that it
// checks the SDK rather than mirroring it; this holds each to the SDK
// model it stands for, field by field, so that a field added to one and
// not the other fails here instead of going unnoticed.
func TestWireFormsNameTheModelsFields(t *testing.T) {
	for _, tc := range []struct {
		name        string
		wire, model any
		onlyInWire  []string // documented fields the SDK does not model
		onlyInModel []string // fields the fake does not send
	}{
		{"invoice", wireInvoice{}, asset.Invoice{}, nil, nil},
		{"line", wireLine{}, asset.InvoiceLine{}, nil, nil},
		{"payment", wirePayment{}, asset.InvoicePayment{}, []string{"invoice"}, nil},
		{"refund", wireRefund{}, asset.Refund{}, nil, nil},
		{"refund payment", wireRefundPayment{}, asset.RefundPayment{}, nil, nil},
		{"refunded invoice", wireRefundInvoice{}, asset.RefundedInvoice{}, nil, nil},
		{"credit memo", wireCreditMemo{}, asset.CreditMemo{}, nil, nil},
		{"customer", wireCustomer{}, asset.Customer{}, nil, nil},
		{"ledger", wireLedger{}, asset.Ledger{}, nil, nil},
		{"transaction", wireTransaction{}, asset.Transaction{}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			model, aliases := jsonNames(tc.model)
			model = slices.DeleteFunc(model, func(n string) bool { return slices.Contains(tc.onlyInModel, n) })
			wire, _ := jsonNames(tc.wire)
			wire = slices.DeleteFunc(wire, func(n string) bool { return slices.Contains(tc.onlyInWire, n) })
			for i, n := range wire {
				if name, ok := aliases[n]; ok {
					wire[i] = name // the older name the model also reads
				}
			}
			slices.Sort(wire)
			assert.Equal(t, model, wire)
		})
	}
}
