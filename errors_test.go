package asset

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go/internal/httpcore"
)

// maxErrorBody is how much of an error body APIError.Body and
// DecodeError.Body keep.
const maxErrorBody = httpcore.MaxErrorBody

var allSentinels = map[string]error{
	"ErrUnauthorized": ErrUnauthorized, "ErrForbidden": ErrForbidden, "ErrNotFound": ErrNotFound,
	"ErrConflict": ErrConflict, "ErrValidation": ErrValidation, "ErrRateLimited": ErrRateLimited,
	"ErrServer": ErrServer, "ErrNoMorePages": ErrNoMorePages, "ErrPageLoop": ErrPageLoop,
	"ErrInvalidReply": ErrInvalidReply, "ErrOutcomeUnknown": ErrOutcomeUnknown,
}

func TestErrorStatusToSentinel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		want   string // "" for none
	}{
		{400, "ErrValidation"}, {401, "ErrUnauthorized"}, {403, "ErrForbidden"}, {404, "ErrNotFound"},
		{409, "ErrConflict"}, {422, "ErrValidation"}, {429, "ErrRateLimited"},
		{500, "ErrServer"}, {501, "ErrServer"}, {502, "ErrServer"}, {503, "ErrServer"}, {504, "ErrServer"},
		{405, ""}, {410, ""}, {418, ""},
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, WithMaxRetries(0))
			srv.Handle(getCall.route, reply(tc.status, `{"detail": "no"}`))
			err := getCall.call(context.Background(), c)
			assert.Equal(t, 1, srv.Requests())
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			for name, sentinel := range allSentinels {
				assert.Equal(t, name == tc.want, errors.Is(err, sentinel), "errors.Is(%d, %s)", tc.status, name)
			}
			assert.Equal(t, tc.status == 429 || tc.status >= 500, apiErr.Temporary())
			assert.Contains(t, err.Error(), strconv.Itoa(tc.status))
			assertNoSecrets(t, err)
		})
	}
}

func TestErrorBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		status      int
		body        string
		wantMessage string
		wantDetails []ErrorDetail
		wantInText  []string
	}{
		{
			name:   "fastapi validation list",
			status: 422,
			body: `{"detail": [
				{"loc": ["body", 0, "number"], "msg": "field required", "type": "value_error.missing"},
				{"loc": ["body", 1, "lines", 2, "unit_price"], "msg": "ensure this value is greater than or equal to 0", "type": "value_error.number.not_ge", "ctx": {"limit_value": 0}}
			]}`,
			wantMessage: "field required",
			wantDetails: []ErrorDetail{
				{Location: []string{"body", "0", "number"}, Message: "field required", Type: "value_error.missing"},
				{Location: []string{"body", "1", "lines", "2", "unit_price"}, Message: "ensure this value is greater than or equal to 0", Type: "value_error.number.not_ge", Ctx: json.RawMessage(`{"limit_value": 0}`)},
			},
			wantInText: []string{"422 Unprocessable Entity", "body.0.number: field required", "body.1.lines.2.unit_price: ensure"},
		},
		{
			name:   "pydantic v2 entries with input, ctx and url",
			status: 422,
			body: `{"detail": [
				{"type": "decimal_max_places", "loc": ["body", 0, "lines", 0, "amount"], "msg": "Decimal input should have no more than 2 decimal places", "input": "1.005", "ctx": {"decimal_places": 2}, "url": "https://errors.pydantic.dev/2.5/v/decimal_max_places"},
				{"type": "missing", "loc": ["body", 0, "number"], "msg": "Field required", "input": {"customer_id": "cus_1"}, "url": "https://errors.pydantic.dev/2.5/v/missing"}
			]}`,
			wantMessage: "Decimal input should have no more than 2 decimal places",
			wantDetails: []ErrorDetail{
				{Location: []string{"body", "0", "lines", "0", "amount"}, Message: "Decimal input should have no more than 2 decimal places", Type: "decimal_max_places",
					Ctx: json.RawMessage(`{"decimal_places": 2}`), Input: json.RawMessage(`"1.005"`)},
				{Location: []string{"body", "0", "number"}, Message: "Field required", Type: "missing", Input: json.RawMessage(`{"customer_id": "cus_1"}`)},
			},
			wantInText: []string{"body.0.lines.0.amount: Decimal input should have no more than 2 decimal places"},
		},
		{
			name:        "fastapi detail without loc",
			status:      422,
			body:        `{"detail": [{"msg": "bad", "type": "x"}]}`,
			wantMessage: "bad",
			wantDetails: []ErrorDetail{{Message: "bad", Type: "x"}},
			wantInText:  []string{": bad"},
		},
		{
			name:        "detail string",
			status:      404,
			body:        `{"detail": "Invoice not found"}`,
			wantMessage: "Invoice not found",
			wantInText:  []string{"404 Not Found: Invoice not found"},
		},
		{
			name:        "error member",
			status:      429,
			body:        `{"error": "Rate limit exceeded: 300 per 1 minute"}`,
			wantMessage: "Rate limit exceeded: 300 per 1 minute",
			wantInText:  []string{"429 Too Many Requests: Rate limit exceeded"},
		},
		{
			name:        "message member",
			status:      409,
			body:        `{"message": "Invoice number already exists"}`,
			wantMessage: "Invoice number already exists",
			wantInText:  []string{"409 Conflict: Invoice number already exists"},
		},
		{
			name:        "detail wins over error",
			status:      400,
			body:        `{"detail": "from detail", "error": "from error"}`,
			wantMessage: "from detail",
		},
		{
			name:        "error object kept as text",
			status:      400,
			body:        `{"error": {"code": "E1"}}`,
			wantMessage: `{"code": "E1"}`,
		},
		{
			name:        "html from a proxy",
			status:      502,
			body:        "<html><body><h1>502 Bad Gateway</h1></body></html>",
			wantMessage: "Bad Gateway",
			wantInText:  []string{"502 Bad Gateway"},
		},
		{
			name:        "empty body",
			status:      403,
			body:        "",
			wantMessage: "Forbidden",
			wantInText:  []string{"403 Forbidden"},
		},
		{
			name:        "empty detail list",
			status:      422,
			body:        `{"detail": []}`,
			wantMessage: "Unprocessable Entity",
		},
		{
			name:        "null detail",
			status:      400,
			body:        `{"detail": null}`,
			wantMessage: "Bad Request",
		},
		{
			name:        "json that is not an object",
			status:      400,
			body:        `["a", "b"]`,
			wantMessage: "Bad Request",
		},
		{
			name:   "many details",
			status: 422,
			body: `{"detail": [{"loc": ["a"], "msg": "m1"}, {"loc": ["b"], "msg": "m2"}, {"loc": ["c"], "msg": "m3"},
				{"loc": ["d"], "msg": "m4"}, {"loc": ["e"], "msg": "m5"}]}`,
			wantMessage: "m1",
			wantDetails: []ErrorDetail{
				{Location: []string{"a"}, Message: "m1"}, {Location: []string{"b"}, Message: "m2"},
				{Location: []string{"c"}, Message: "m3"}, {Location: []string{"d"}, Message: "m4"},
				{Location: []string{"e"}, Message: "m5"},
			},
			wantInText: []string{"a: m1; b: m2; c: m3; and 2 more"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, WithMaxRetries(0))
			srv.Handle(getCall.route, replyHeaders(tc.status, map[string]string{"X-Request-Id": "req_abc"}, tc.body))
			err := getCall.call(context.Background(), c)
			assert.Equal(t, 1, srv.Requests())
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.wantMessage, apiErr.Message)
			assert.Equal(t, tc.wantDetails, apiErr.Details)
			assert.Equal(t, tc.body, string(apiErr.Body), "the raw body is kept")
			assert.Equal(t, "req_abc", apiErr.RequestID)
			text := err.Error()
			assert.True(t, strings.HasPrefix(text, "asset: GET /v0/business/"+testBiz+"/invoice/"+testInv+": "), text)
			assert.True(t, strings.HasSuffix(text, "(request id req_abc)"), text)
			for _, want := range tc.wantInText {
				assert.Contains(t, text, want)
			}
			assertNoSecrets(t, err)
		})
	}
}

func TestErrorTextExample(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle(mutatingCalls[0].route, replyHeaders(422, map[string]string{"X-Request-Id": "req_9"},
		`{"detail": [{"loc": ["body", 0, "number"], "msg": "field required", "type": "missing"}]}`))
	err := mutatingCalls[0].call(context.Background(), c)
	require.Error(t, err)
	assert.Equal(t, 1, srv.Requests())
	assert.Equal(t, "asset: POST /v0/business/"+testBiz+"/invoice: 422 Unprocessable Entity: body.0.number: field required (request id req_9)", err.Error())
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a 422 was refused, so nothing was applied")
}

func TestErrorBodyCapped(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, WithMaxRetries(0))
	big := strings.Repeat("0123456789abcdef", 100<<10/16)
	srv.Handle(getCall.route, reply(500, big))
	err := getCall.call(context.Background(), c)
	assert.Equal(t, 1, srv.Requests())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Len(t, apiErr.Body, 64<<10)
	assert.Equal(t, big[:64<<10], string(apiErr.Body))
	assert.Less(t, len(err.Error()), 1000, "the message does not carry the body")
	assertNoSecrets(t, err)
}

// The cases run in parallel with each other but not with the rest of the
// package: reset is a time, and must not age while they wait their turn.
func TestAPIErrorRetryAfter(t *testing.T) {
	reset := strconv.FormatInt(time.Now().Add(45*time.Second).Unix(), 10)
	cases := []struct {
		name    string
		status  int
		headers map[string]string
		want    time.Duration
	}{
		{"429 falls back to the window reset", 429, map[string]string{"X-Ratelimit-Reset": reset}, 45 * time.Second},
		{"429 prefers Retry-After", 429, map[string]string{"Retry-After": "7", "X-Ratelimit-Reset": reset}, 7 * time.Second},
		{"503 with Retry-After", 503, map[string]string{"Retry-After": "7"}, 7 * time.Second},
		// The reset header rides on every response: it does not mean the
		// unavailable server asked for a wait.
		{"503 ignores the window reset", 503, map[string]string{"X-Ratelimit-Reset": reset}, 0},
		{"500 never has one", 500, map[string]string{"Retry-After": "7"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, WithMaxRetries(0))
			srv.Handle(getCall.route, replyHeaders(tc.status, tc.headers, `{"detail": "x"}`))
			err := getCall.call(context.Background(), c)
			assert.Equal(t, 1, srv.Requests())
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.InDelta(t, tc.want, apiErr.RetryAfter, float64(2*time.Second))
		})
	}
}

func TestErrorNeverHoldsToken(t *testing.T) {
	// The token travels only in a header; even a server that echoes the
	// request's URL or headers in a Location cannot put it in the text.
	t.Parallel()
	c, srv := setup(t, WithMaxRetries(0))
	srv.Handle(getCall.route, replyHeaders(401, map[string]string{"WWW-Authenticate": `Bearer error="invalid_token"`}, `{"detail": "Not authenticated"}`))
	err := getCall.call(context.Background(), c)
	assert.Equal(t, 1, srv.Requests())
	assert.ErrorIs(t, err, ErrUnauthorized)
	assertNoSecrets(t, err)
	assert.Contains(t, err.Error(), "Not authenticated")
}

func TestRedirectNotFollowed(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, ac := range []apiCall{getCall, mutatingCalls[0]} {
			t.Run(strconv.Itoa(status)+" "+ac.method, func(t *testing.T) {
				srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
					w.Header().Set("Location", "https://elsewhere.example/v0/x?token=LEAKED")
					w.WriteHeader(status)
				})
				err := ac.call(context.Background(), srv.client(t))
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, status, apiErr.StatusCode)
				assert.Equal(t, 1, srv.count(), "a redirect is not followed, nor retried")
				assert.Contains(t, err.Error(), "redirect to https://elsewhere.example/v0/x")
				assert.Contains(t, err.Error(), "not followed")
				assert.Contains(t, err.Error(), "base URL")
				assert.NotContains(t, err.Error(), "LEAKED")
				assertNoSecrets(t, err)
			})
		}
	}
}

// A redirect answers a request the server has read: for a change, the
// server may have applied it before pointing elsewhere (303 See Other is
// the usual answer to a processed POST).
func TestRedirectAfterChangeIsOutcomeUnknown(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, ac := range append([]apiCall{getCall}, mutatingCalls...) {
			t.Run(strconv.Itoa(status)+" "+ac.name, func(t *testing.T) {
				srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
					w.Header().Set("Location", "/v0/elsewhere")
					w.WriteHeader(status)
				})
				err := ac.call(context.Background(), srv.client(t))
				require.Error(t, err)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				if ac.method == http.MethodGet {
					assert.NotErrorIs(t, err, ErrOutcomeUnknown)
					assert.False(t, apiErr.Temporary())
					return
				}
				assert.ErrorIs(t, err, ErrOutcomeUnknown)
				assert.False(t, apiErr.Temporary(), "a change that may have been applied is not to be repeated")
				assert.Contains(t, err.Error(), "may have been applied")
			})
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		contentType string
		body        string
		opts        []Option
		wantInText  string
	}{
		{"html page", "text/html", "<html><body>Welcome to the captive portal</body></html>", nil, "invalid character"},
		{"malformed json", "application/json", `{"data": {"id": "inv_1"`, nil, "unexpected end"},
		{"wrong shape", "application/json", `{"data": [1, 2]}`, nil, "cannot unmarshal"},
		{"too large", "application/json", invoiceBody, []Option{WithMaxResponseBytes(64)}, "WithMaxResponseBytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle(getCall.route, replyHeaders(200, map[string]string{"Content-Type": tc.contentType, "X-Request-Id": "req_d"}, tc.body))
			err := getCall.call(context.Background(), c, tc.opts...)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidReply)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, 200, de.StatusCode)
			assert.Equal(t, tc.contentType, de.ContentType)
			assert.Equal(t, "req_d", de.RequestID)
			assert.NotEmpty(t, de.Body)
			assert.True(t, strings.HasPrefix(tc.body, string(de.Body)), "Body is the start of the response")
			assert.NotNil(t, errors.Unwrap(err))
			assert.Contains(t, err.Error(), tc.wantInText)
			assert.Contains(t, err.Error(), "(request id req_d)")
			assert.NotContains(t, err.Error(), "applied", "a GET changes nothing")
			assert.Equal(t, 1, srv.Requests(), "a success is not retried")
			assertNoSecrets(t, err)
		})
	}
}

// A success whose body is valid JSON but not the documented response (a
// proxy's "{}", a status page) would otherwise come back as a zero invoice
// or an empty list, indistinguishable from real data.
func TestWrongShapeSuccessIsDecodeError(t *testing.T) {
	t.Parallel()
	listCall := apiCall{
		name: "list", method: http.MethodGet, route: "GET " + pathInvoices, ok: 200,
		call: func(ctx context.Context, c *Client, opts ...Option) error {
			_, err := c.Invoices.List(ctx, testBiz, nil, opts...)
			return err
		},
	}
	cases := []struct {
		call apiCall
		body string
	}{
		{getCall, `{}`},
		{getCall, `{"data": {}}`},
		{getCall, `{"data": null}`},
		{getCall, `{"detail": "ok"}`},
		{listCall, `{}`},
		{listCall, `{"status": "healthy"}`},
		{mutatingCalls[3], `{}`},
	}
	for _, tc := range cases {
		t.Run(tc.call.name+" "+tc.body, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle(tc.call.route, reply(200, tc.body))
			err := tc.call.call(context.Background(), c)
			assert.Equal(t, 1, srv.Requests())
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.ErrorIs(t, err, ErrInvalidReply)
			assert.Equal(t, tc.body, string(de.Body))
		})
	}
}

func TestListEmptyPagesAreNotWrongShape(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"data": [], "pagination": {"next_page_token": null, "previous_page_token": null}}`,
		`{"data": null, "pagination": {"next_page_token": null, "previous_page_token": null}}`,
		`{"data": null}`,
		`{"pagination": {}}`,
		`{"data": []}`,
		`{"data": null, "pagination": {"next_page_token": "p2"}}`,
	} {
		c, srv := setup(t)
		srv.Handle("GET "+pathInvoices, reply(200, body))
		page, err := c.Invoices.List(context.Background(), testBiz, nil)
		require.NoError(t, err, body)
		assert.Equal(t, 1, srv.Requests(), body)
		assert.Empty(t, page.Data, body)
	}
}

func TestDecodeErrorOnMutatingCallSaysApplied(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle(mutatingCalls[0].route, replyHeaders(201, map[string]string{"Content-Type": "text/html"}, "<html>ok</html>"))
	err := mutatingCalls[0].call(context.Background(), c)
	assert.ErrorIs(t, err, ErrInvalidReply)
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "a change answered with success but unreadable may have been applied")
	assert.Contains(t, err.Error(), "most likely applied")
	assert.Equal(t, 1, srv.Requests())
	assertNoSecrets(t, err)
}

func TestDecodeErrorOnReadIsNotOutcomeUnknown(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle(getCall.route, replyHeaders(200, map[string]string{"Content-Type": "text/html"}, "<html>ok</html>"))
	err := getCall.call(context.Background(), c)
	assert.Equal(t, 1, srv.Requests())
	assert.ErrorIs(t, err, ErrInvalidReply)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	assert.NotContains(t, err.Error(), "applied")
}

func TestTemporaryNeverInvitesRepeatingAChange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		call apiCall
		want bool
	}{{getCall, true}, {mutatingCalls[3], false}} {
		c, srv := setup(t, WithMaxRetries(0))
		srv.Handle(tc.call.route, reply(503, `{"detail": "down"}`))
		err := tc.call.call(context.Background(), c)
		assert.Equal(t, 1, srv.Requests(), tc.call.name)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, tc.want, apiErr.Temporary(), tc.call.name)
	}
}

func TestEmptyBatchErrorDoesNotPanic(t *testing.T) {
	var be BatchError
	assert.NotEmpty(t, be.Error())
	assert.Empty(t, be.Numbers())
}

func TestBatchErrorText(t *testing.T) {
	one := &BatchError{Failures: []BatchFailure{{Number: "INV-2", Index: 1, Message: "duplicate number"}}}
	assert.Equal(t, `asset: invoice "INV-2" was not created: duplicate number`, one.Error())
	two := &BatchError{Failures: []BatchFailure{{Number: "A", Message: "m"}, {Number: "B", Message: "n"}}}
	assert.Equal(t, `asset: 2 invoices were not created, the first "A": m`, two.Error())
	assert.Equal(t, []string{"A", "B"}, two.Numbers())
}

// fixedReply answers every request with the same response, so a fuzz
// target can drive the whole pipeline without a network.
type fixedReply struct {
	status int
	header http.Header
	body   []byte
}

func (f *fixedReply) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode: f.status, Status: strconv.Itoa(f.status), Header: f.header,
		Body: io.NopCloser(bytes.NewReader(f.body)), ContentLength: -1, Request: r,
	}, nil
}

func FuzzErrorBody(f *testing.F) {
	f.Add(422, []byte(`{"detail": [{"loc": ["body", 0, "number"], "msg": "field required", "type": "missing"}]}`), "", false)
	f.Add(404, []byte(`{"detail": "Invoice not found"}`), "", false)
	f.Add(429, []byte(`{"error": "Rate limit exceeded"}`), "30", false)
	f.Add(503, []byte(`<html>down</html>`), "Wed, 21 Oct 2015 07:28:00 GMT", true)
	f.Add(400, []byte(`{"message": {"nested": [1, 2, {"x": null}]}}`), "-1", false)
	f.Add(302, []byte{}, "", false)
	f.Add(500, []byte(`{"detail": [{"loc": [0, {"a": 1}, null, true], "msg": 5}]}`), "99999999999999999999", false)
	f.Add(-7, []byte("\xff\xfe\x00"), "\x00", true)

	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string, pad bool) {
		code := status % 300
		if code < 0 {
			code = -code
		}
		code += 300 // every status that is an error: 3xx, 4xx, 5xx
		served := body
		if pad {
			served = append(bytes.Clone(body), bytes.Repeat([]byte{'x'}, maxErrorBody)...)
		}
		h := http.Header{"Retry-After": {retryAfter}, "X-Request-Id": {"req_fuzz"}}
		hc := &http.Client{
			Transport:     &fixedReply{status: code, header: h, body: served},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		c, err := NewClient(WithToken(testToken), WithHTTPClient(hc), WithMaxRetries(0))
		require.NoError(t, err)

		err = getCall.call(context.Background(), c)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, code, apiErr.StatusCode)
		require.LessOrEqual(t, len(apiErr.Body), maxErrorBody)
		require.True(t, bytes.HasPrefix(served, apiErr.Body), "Body is the start of the response")
		if len(served) <= maxErrorBody {
			require.Equal(t, served, apiErr.Body)
		}
		require.GreaterOrEqual(t, apiErr.RetryAfter, time.Duration(0))
		text := err.Error()
		require.True(t, strings.HasPrefix(text, "asset: GET "), text)
		require.Contains(t, text, strconv.Itoa(code))
		if !bytes.Contains(body, []byte(testToken)) {
			require.NotContains(t, text, testToken)
		}
		require.Equal(t, code >= 500, errors.Is(err, ErrServer))
		require.False(t, errors.Is(err, ErrOutcomeUnknown), "a GET changes nothing")

		// The same body straight into the parser, uncapped.
		direct := &APIError{StatusCode: code}
		direct.parseErrorBody(body)
		require.NotEmpty(t, direct.Error())
		if len(direct.Details) > 0 && direct.Details[0].Message != "" {
			require.Equal(t, direct.Details[0].Message, direct.Message)
		}
	})
}

// A server may quote the request's credentials into a detail's input or
// ctx: they are redacted there like everywhere else in the error.
func TestErrorDetailInputAndCtxAreRedacted(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, WithMaxRetries(0))
	srv.Handle(getCall.route, reply(422, `{"detail": [{"loc": ["header", "authorization"], "msg": "bad", "type": "x",
		"input": "Bearer `+testToken+`", "ctx": {"got": "`+testToken+`"}}]}`))
	err := getCall.call(context.Background(), c)
	assert.Equal(t, 1, srv.Requests())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	require.Len(t, apiErr.Details, 1)
	d := apiErr.Details[0]
	assert.JSONEq(t, `"Bearer [redacted]"`, string(d.Input))
	assert.JSONEq(t, `{"got": "[redacted]"}`, string(d.Ctx))
}
