package katsupay_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/katsupay"
	"github.com/assetkit/asset-go/katsupay/katsupaytest"
)

// TestHooksAndMiddleware: a create is one call, named by its route, each
// try through the middleware without the credentials, and its end
// classified for every fault a create can meet.
func TestHooksAndMiddleware(t *testing.T) {
	for _, tc := range []struct {
		name    string
		faults  []katsupaytest.Fault
		outcome asset.Outcome
		status  int
		tries   int
	}{
		{"ok", nil, asset.OutcomeOK, 200, 1},
		{"refused 400", []katsupaytest.Fault{{Status: 400, Message: "bad"}}, asset.OutcomeRefused, 400, 1},
		{"refused by the envelope", []katsupaytest.Fault{{Message: "no"}}, asset.OutcomeRefused, 200, 1},
		{"rate limited", []katsupaytest.Fault{{Status: 429}, {Status: 429}}, asset.OutcomeRateLimited, 429, 2},
		{"unknown after a drop", []katsupaytest.Fault{{Drop: true, AfterCreate: true}}, asset.OutcomeUnknown, 0, 1},
		{"unknown after a 500", []katsupaytest.Fault{{Status: 500}}, asset.OutcomeUnknown, 500, 1},
		{"retried 429", []katsupaytest.Fault{{Status: 429}}, asset.OutcomeOK, 200, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := katsupaytest.NewServer(katsupaytest.WithToken("kp-secret-token"), katsupaytest.WithServiceKey("kp-key", "kp-code"))
			defer srv.Close()
			srv.FailNext(tc.faults...)
			var names []string
			var results []asset.CallResult
			var headers []string
			hooks := asset.Hooks{
				CallStart: func(ctx context.Context, call asset.CallInfo) context.Context {
					names = append(names, call.Name())
					return ctx
				},
				CallEnd: func(_ context.Context, _ asset.CallInfo, res asset.CallResult) { results = append(results, res) },
			}
			mw := func(req *http.Request, next asset.MiddlewareNext) (*http.Response, error) {
				for k, v := range req.Header {
					headers = append(headers, k+": "+strings.Join(v, ","))
				}
				return next(req)
			}
			c := srv.Client(katsupay.WithHooks(hooks), katsupay.WithMiddleware(mw), katsupay.WithMaxRetries(1),
				katsupay.WithRetryWait(0, 0))
			_, err := c.Invoices.Create(context.Background(), validInvoice())
			assert.Equal(t, []string{"POST /api/v1/Invoice/Create"}, names)
			require.Len(t, results, 1)
			assert.Equal(t, tc.outcome, results[0].Outcome, "%v", err)
			assert.Equal(t, tc.status, results[0].StatusCode)
			assert.Equal(t, tc.tries, results[0].Tries)
			require.NotEmpty(t, headers, "the middleware ran")
			for _, h := range headers {
				for _, secret := range []string{"kp-secret-token", "kp-key", "kp-code"} {
					assert.NotContains(t, h, secret)
				}
			}
		})
	}
}
