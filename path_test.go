package asset

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ids that a server or a proxy would resolve as a path segment of their
// own: "." names the collection, ".." its parent.
func TestCheckIDRefusesDotSegments(t *testing.T) {
	t.Parallel()
	for _, id := range []string{".", "..", "..inv", "inv..", "in..v", "..."} {
		t.Run(id, func(t *testing.T) {
			err := checkID("invoiceID", id)
			var in *InputError
			if assert.True(t, errors.As(err, &in), "refused with an *InputError, got %v", err) {
				assert.Equal(t, "invoiceID", in.Field)
			}
		})
	}
}

func TestCheckIDAcceptsDotsInside(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"inv.1", ".inv", "inv.", "a.b.c"} {
		assert.NoError(t, checkID("invoiceID", id), id)
	}
}

// TestPathfTemplate: the template names each id after its argument, as the
// API's docs do, and holds none of the ids.
func TestPathfTemplate(t *testing.T) {
	for _, tc := range []struct {
		format string
		ids    []idArg
		want   string
	}{
		{"/v0/business/%s/invoice", []idArg{{"businessID", "biz_1"}}, "/v0/business/{business_id}/invoice"},
		{"/v0/business/%s/invoice/%s/write-off", []idArg{{"businessID", "biz_1"}, {"invoiceID", "inv_2"}},
			"/v0/business/{business_id}/invoice/{invoice_id}/write-off"},
		{"/v0/business/%s/credit-memo/%s", []idArg{{"businessID", "biz_1"}, {"creditMemoID", "cm_3"}},
			"/v0/business/{business_id}/credit-memo/{credit_memo_id}"},
	} {
		p, err := pathf(tc.format, tc.ids...)
		require.NoError(t, err)
		assert.Equal(t, tc.want, p.template)
		assert.Equal(t, "biz_1", p.business)
	}
}
