package otelasset_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/katsupay"
	"github.com/assetkit/asset-go/katsupay/katsupaytest"
	"github.com/assetkit/asset-go/otelasset"
)

const (
	biz     = "biz_Otel00000000000000000001"
	invPath = "/v0/business/{business_id}/invoice"
)

// telemetry is an SDK tracer and meter provider that keep what they get in
// memory.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
}

func newTelemetry(t *testing.T) *telemetry {
	t.Helper()
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tel.spans))
	tel.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	t.Cleanup(func() {
		_ = tel.tp.Shutdown(context.Background())
		_ = tel.mp.Shutdown(context.Background())
	})
	return tel
}

func (tel *telemetry) instrument(opts ...otelasset.Option) asset.Option {
	return otelasset.Instrument(append([]otelasset.Option{otelasset.WithTracerProvider(tel.tp), otelasset.WithMeterProvider(tel.mp)}, opts...)...)
}

// calls are the ended spans of calls (client spans with an outcome).
func (tel *telemetry) calls() []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range tel.spans.Ended() {
		if _, ok := attr(s, otelasset.TriesKey); ok {
			out = append(out, s)
		}
	}
	return out
}

// triesOf are the try spans whose parent is call.
func (tel *telemetry) triesOf(call sdktrace.ReadOnlySpan) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range tel.spans.Ended() {
		if s.Parent().SpanID() == call.SpanContext().SpanID() && s.SpanKind() == trace.SpanKindClient {
			out = append(out, s)
		}
	}
	return out
}

func (tel *telemetry) metrics(t *testing.T) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	return rm
}

func attr(s sdktrace.ReadOnlySpan, k attribute.Key) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if kv.Key == k {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func attrString(s sdktrace.ReadOnlySpan, k attribute.Key) string {
	v, ok := attr(s, k)
	if !ok {
		return ""
	}
	return v.Emit()
}

// find is the metric named name.
func find(rm metricdata.ResourceMetrics, name string) (metricdata.Metrics, bool) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m, true
			}
		}
	}
	return metricdata.Metrics{}, false
}

// TestCallSpan: a Get is one client span named by its route template, with
// its outcome, status, tries, request id and business, and one child span
// per try.
func TestCallSpan(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer()
	defer srv.Close()
	tel := newTelemetry(t)
	c := srv.Client(tel.instrument())
	ctx := context.Background()
	invs, err := c.Invoices.Create(ctx, biz, []asset.InvoiceCreate{invoice("span-1")})
	require.NoError(t, err)
	srv.FailNext(assettest.RouteGetInvoice, 1, http.StatusServiceUnavailable)
	_, err = c.Invoices.Get(ctx, biz, invs[0].ID)
	require.NoError(t, err)

	calls := tel.calls()
	require.Len(t, calls, 2)
	get := calls[1]
	assert.Equal(t, "GET /v0/business/{business_id}/invoice/{invoice_id}", get.Name())
	assert.Equal(t, trace.SpanKindClient, get.SpanKind())
	assert.NotContains(t, get.Name(), invs[0].ID)
	assert.Equal(t, "ok", attrString(get, otelasset.OutcomeKey))
	assert.Equal(t, "200", attrString(get, "http.response.status_code"))
	assert.Equal(t, "2", attrString(get, otelasset.TriesKey))
	assert.Equal(t, biz, attrString(get, otelasset.BusinessIDKey))
	assert.Equal(t, "GET", attrString(get, "http.request.method"))
	assert.Equal(t, "/v0/business/{business_id}/invoice/{invoice_id}", attrString(get, "url.template"))
	assert.True(t, strings.HasPrefix(attrString(get, otelasset.RequestIDKey), "req_"), attrString(get, otelasset.RequestIDKey))
	assert.Equal(t, codes.Unset, get.Status().Code)

	tries := tel.triesOf(get)
	require.Len(t, tries, 2, "one child span per try")
	assert.Equal(t, "503", attrString(tries[0], "http.response.status_code"))
	assert.Equal(t, codes.Error, tries[0].Status().Code)
	assert.Equal(t, "200", attrString(tries[1], "http.response.status_code"))
	assert.Equal(t, "1", attrString(tries[1], "http.request.resend_count"))
	backoff, ok := attr(tries[1], otelasset.BackoffKey)
	require.True(t, ok)
	assert.Positive(t, backoff.AsFloat64(), "the try after a 503 waited")
	assert.Equal(t, "127.0.0.1", attrString(tries[0], "server.address"))
	for _, s := range tries {
		assert.Equal(t, get.SpanContext().TraceID(), s.SpanContext().TraceID())
	}
}

func invoice(number string) asset.InvoiceCreate {
	return asset.InvoiceCreate{
		Number:             number,
		CustomerExternalID: "erp-42",
		Lines:              []asset.InvoiceLineCreate{{Description: "Service", Amount: asset.MustDecimal("12.50")}},
	}
}

// TestFaultOutcomes: each fault of the fault matrix the fake can play ends
// the call's span with the outcome it is, on a read and on a change, and
// the unknown outcomes and 429s are counted.
func TestFaultOutcomes(t *testing.T) {
	t.Parallel()
	type want struct {
		outcome asset.Outcome
		status  string
		tries   int
	}
	for _, tc := range []struct {
		name          string
		fault         func(*assettest.Server, assettest.Route)
		read, write   want
		rateLimited   int64 // 429 answers, read and write together
		unknownWrites int64
	}{
		{
			name:  "dropped before the request is read",
			fault: func(s *assettest.Server, r assettest.Route) { s.DropNext(r, 1, assettest.DropBeforeApply) },
			read:  want{asset.OutcomeOK, "200", 2}, write: want{asset.OutcomeUnknown, "", 1}, unknownWrites: 1,
		},
		{
			name:  "dropped after the change was applied",
			fault: func(s *assettest.Server, r assettest.Route) { s.DropNext(r, 1, assettest.DropAfterApply) },
			read:  want{asset.OutcomeOK, "200", 2}, write: want{asset.OutcomeUnknown, "", 1}, unknownWrites: 1,
		},
		{
			name: "429 Retry-After 0 seconds, then success",
			fault: func(s *assettest.Server, r assettest.Route) {
				s.FailNextWith(r, 1, assettest.Failure{Status: 429, Header: http.Header{"Retry-After": {"0"}}})
			},
			read: want{asset.OutcomeOK, "200", 2}, write: want{asset.OutcomeOK, "201", 2}, rateLimited: 2,
		},
		{
			name: "429 past the retries",
			fault: func(s *assettest.Server, r assettest.Route) {
				s.FailNextWith(r, 3, assettest.Failure{Status: 429, Header: http.Header{"Retry-After": {"0"}}})
			},
			read: want{asset.OutcomeRateLimited, "429", 3}, write: want{asset.OutcomeRateLimited, "429", 3}, rateLimited: 6,
		},
		{
			name: "429 asking for longer than allowed",
			fault: func(s *assettest.Server, r assettest.Route) {
				s.FailNextWith(r, 1, assettest.Failure{Status: 429, Header: http.Header{"Retry-After": {"1000000000000"}}})
			},
			read: want{asset.OutcomeRateLimited, "429", 1}, write: want{asset.OutcomeRateLimited, "429", 1}, rateLimited: 2,
		},
		{
			name:  "408",
			fault: func(s *assettest.Server, r assettest.Route) { s.FailNext(r, 1, 408) },
			read:  want{asset.OutcomeOK, "200", 2}, write: want{asset.OutcomeRefused, "408", 1},
		},
		{
			name:  "422",
			fault: func(s *assettest.Server, r assettest.Route) { s.FailNext(r, 1, 422) },
			read:  want{asset.OutcomeRefused, "422", 1}, write: want{asset.OutcomeRefused, "422", 1},
		},
		{
			name:  "404",
			fault: func(s *assettest.Server, r assettest.Route) { s.FailNext(r, 1, 404) },
			read:  want{asset.OutcomeRefused, "404", 1}, write: want{asset.OutcomeRefused, "404", 1},
		},
		{
			name:  "500 on every try",
			fault: func(s *assettest.Server, r assettest.Route) { s.FailNext(r, 3, 500) },
			read:  want{asset.OutcomeFailed, "500", 3}, write: want{asset.OutcomeUnknown, "500", 1}, unknownWrites: 1,
		},
		{
			name:  "503 then success",
			fault: func(s *assettest.Server, r assettest.Route) { s.FailNext(r, 1, 503) },
			read:  want{asset.OutcomeOK, "200", 2}, write: want{asset.OutcomeUnknown, "503", 1}, unknownWrites: 1,
		},
		{
			name:  "malformed JSON",
			fault: func(s *assettest.Server, r assettest.Route) { s.MalformedNext(r, 1) },
			read:  want{asset.OutcomeFailed, "200", 1}, write: want{asset.OutcomeUnknown, "201", 1}, unknownWrites: 1,
		},
		{
			name:  "slow headers past the per-try timeout",
			fault: func(s *assettest.Server, r assettest.Route) { s.DelayNext(r, 1, time.Second) },
			read:  want{asset.OutcomeOK, "200", 2}, write: want{asset.OutcomeUnknown, "", 1}, unknownWrites: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := assettest.NewServer()
			defer srv.Close()
			tel := newTelemetry(t)
			c := srv.Client(tel.instrument(), asset.WithMaxRetries(2), asset.WithAttemptTimeout(100*time.Millisecond))
			ctx := context.Background()

			tc.fault(srv, assettest.RouteListInvoices)
			_, readErr := c.Invoices.List(ctx, biz, nil)
			tc.fault(srv, assettest.RouteCreateInvoices)
			_, writeErr := c.Invoices.Create(ctx, biz, []asset.InvoiceCreate{invoice("fault-1")})

			calls := tel.calls()
			require.Len(t, calls, 2)
			for i, w := range []want{tc.read, tc.write} {
				s := calls[i]
				err := []error{readErr, writeErr}[i]
				assert.Equal(t, string(w.outcome), attrString(s, otelasset.OutcomeKey), "%s: %v", s.Name(), err)
				assert.Equal(t, w.status, attrString(s, "http.response.status_code"), s.Name())
				assert.Equal(t, fmt.Sprint(w.tries), attrString(s, otelasset.TriesKey), s.Name())
				assert.Len(t, tel.triesOf(s), w.tries, s.Name())
				if w.outcome == asset.OutcomeOK {
					assert.Equal(t, codes.Unset, s.Status().Code)
				} else {
					assert.Equal(t, codes.Error, s.Status().Code)
					assert.Equal(t, string(w.outcome), s.Status().Description)
					assert.NotEmpty(t, attrString(s, "error.type"))
				}
			}
			rm := tel.metrics(t)
			assert.Equal(t, tc.rateLimited, counterSum(rm, "asset.client.rate_limited"))
			assert.Equal(t, tc.unknownWrites, counterSum(rm, "asset.client.outcome_unknown"))
		})
	}
}

func counterSum(rm metricdata.ResourceMetrics, name string) int64 {
	m, ok := find(rm, name)
	if !ok {
		return 0
	}
	var n int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		n += dp.Value
	}
	return n
}

// TestMetrics: the call duration and tries by route and outcome, the
// limiter's wait, and x-ratelimit-remaining per business.
func TestMetrics(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer()
	defer srv.Close()
	tel := newTelemetry(t)
	c := srv.Client(tel.instrument(), asset.WithRateLimit(300, time.Minute))
	ctx := context.Background()
	for range 3 {
		_, err := c.Invoices.List(ctx, biz, nil)
		require.NoError(t, err)
	}
	_, err := c.Invoices.Get(ctx, biz, "inv_Missing00000000000000001")
	require.Error(t, err)
	rm := tel.metrics(t)

	m, ok := find(rm, "asset.client.call.duration")
	require.True(t, ok)
	assert.Equal(t, "s", m.Unit)
	counts := map[string]uint64{}
	for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
		route, _ := dp.Attributes.Value("url.template")
		outcome, _ := dp.Attributes.Value(otelasset.OutcomeKey)
		method, _ := dp.Attributes.Value("http.request.method")
		counts[method.AsString()+" "+route.AsString()+" "+outcome.AsString()] += dp.Count
		_, hasBiz := dp.Attributes.Value(otelasset.BusinessIDKey)
		assert.False(t, hasBiz, "durations are per route, not per business")
	}
	assert.Equal(t, map[string]uint64{
		"GET " + invPath + " ok":                   3,
		"GET " + invPath + "/{invoice_id} refused": 1,
	}, counts)

	tries, ok := find(rm, "asset.client.call.tries")
	require.True(t, ok)
	var triesSum int64
	for _, dp := range tries.Data.(metricdata.Histogram[int64]).DataPoints {
		triesSum += dp.Sum
	}
	assert.EqualValues(t, 4, triesSum)

	wait, ok := find(rm, "asset.client.limiter.wait")
	require.True(t, ok)
	var waits uint64
	for _, dp := range wait.Data.(metricdata.Histogram[float64]).DataPoints {
		waits += dp.Count
	}
	assert.EqualValues(t, 4, waits)

	remaining, ok := find(rm, "asset.client.ratelimit.remaining")
	require.True(t, ok)
	points := remaining.Data.(metricdata.Gauge[int64]).DataPoints
	require.Len(t, points, 1)
	b, _ := points[0].Attributes.Value(otelasset.BusinessIDKey)
	assert.Equal(t, biz, b.AsString())
	assert.Less(t, points[0].Value, int64(300))

	perTry, ok := find(rm, "http.client.request.duration")
	require.True(t, ok)
	var tryCount uint64
	for _, dp := range perTry.Data.(metricdata.Histogram[float64]).DataPoints {
		tryCount += dp.Count
	}
	assert.EqualValues(t, 4, tryCount)
}

// TestOperationSpans: CreateMany and a walk are each one span over their
// calls, with progress as events.
func TestOperationSpans(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer()
	defer srv.Close()
	tel := newTelemetry(t)
	c := srv.Client(tel.instrument())
	ctx := context.Background()
	in := make([]asset.InvoiceCreate, 150)
	for i := range in {
		in[i] = invoice(fmt.Sprint("op-", i))
	}
	_, err := c.Invoices.CreateMany(ctx, biz, in, asset.WithConcurrency(1))
	require.NoError(t, err)
	for _, err := range c.Invoices.All(ctx, biz, &asset.InvoiceListParams{PageSize: 100}) {
		require.NoError(t, err)
	}

	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range tel.spans.Ended() {
		if s.SpanKind() == trace.SpanKindInternal {
			byName[s.Name()] = s
		}
	}
	for name, want := range map[string]struct {
		event  string
		events int
		last   map[attribute.Key]int64
	}{
		"CreateMany POST " + invPath: {"batch", 2, map[attribute.Key]int64{"asset.done": 150, "asset.total": 150, "asset.created": 150, "asset.failed": 0}},
		"All GET " + invPath:         {"page", 2, map[attribute.Key]int64{"asset.page": 2, "asset.items": 50, "asset.items_total": 150}},
	} {
		op, ok := byName[name]
		require.True(t, ok, "a span named %q", name)
		assert.Equal(t, "ok", attrString(op, otelasset.OutcomeKey))
		events := op.Events()
		require.Len(t, events, want.events, name)
		last := map[attribute.Key]int64{}
		for _, kv := range events[len(events)-1].Attributes {
			last[kv.Key] = kv.Value.AsInt64()
		}
		assert.Equal(t, want.event, events[0].Name)
		assert.Equal(t, want.last, last, name)
		children := 0
		for _, s := range tel.calls() {
			if s.Parent().SpanID() == op.SpanContext().SpanID() {
				children++
			}
		}
		assert.Equal(t, 2, children, "%s: its calls are its children", name)
	}
}

// TestNoCredentialInTelemetry: neither the token, nor a client secret, nor
// a query string, nor a body reaches a span or a metric, whatever the
// outcome.
func TestNoCredentialInTelemetry(t *testing.T) {
	t.Parallel()
	const clientID, secret = "client_otel", "very-secret-client-secret"
	srv := assettest.NewServer(assettest.WithClientCredentials(clientID, secret))
	defer srv.Close()
	tel := newTelemetry(t)
	c := srv.Client(tel.instrument(), asset.WithClientCredentials(asset.ClientCredentials{ClientID: clientID, ClientSecret: secret}))
	tokenClient := srv.Client(tel.instrument())
	ctx := context.Background()
	_, err := c.Invoices.Create(ctx, biz, []asset.InvoiceCreate{invoice("secret-number-77")})
	require.NoError(t, err)
	_, err = c.Invoices.List(ctx, biz, &asset.InvoiceListParams{Status: []asset.InvoiceStatus{asset.InvoiceStatusOpen}, PageSize: 7})
	require.NoError(t, err)
	srv.FailNext(assettest.RouteCreateInvoices, 1, 422)
	_, err = tokenClient.Invoices.Create(ctx, biz, []asset.InvoiceCreate{invoice("secret-number-78")})
	require.Error(t, err)
	srv.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropAfterApply)
	_, err = tokenClient.Invoices.Create(ctx, biz, []asset.InvoiceCreate{invoice("secret-number-79")})
	require.Error(t, err)

	var texts []string
	for _, s := range tel.spans.Ended() {
		texts = append(texts, s.Name(), s.Status().Description)
		for _, kv := range s.Attributes() {
			texts = append(texts, string(kv.Key)+"="+kv.Value.Emit())
		}
		for _, e := range s.Events() {
			texts = append(texts, e.Name)
			for _, kv := range e.Attributes {
				texts = append(texts, string(kv.Key)+"="+kv.Value.Emit())
			}
		}
	}
	rm := tel.metrics(t)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			texts = append(texts, m.Name, fmt.Sprintf("%+v", m.Data))
		}
	}
	require.NotEmpty(t, tel.calls())
	all := strings.Join(texts, "\n")
	for _, bad := range []string{srv.Token(), secret, "Bearer", "page_size", "status=open", "?", "secret-number", "Service", "erp-42"} {
		assert.NotContains(t, all, bad)
	}
}

// TestWithoutBusinessID: the business id is in no span and no metric.
func TestWithoutBusinessID(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer()
	defer srv.Close()
	tel := newTelemetry(t)
	c := srv.Client(tel.instrument(otelasset.WithoutBusinessID()))
	ctx := context.Background()
	_, err := c.Invoices.List(ctx, biz, nil)
	require.NoError(t, err)
	for range c.Invoices.All(ctx, biz, nil) {
	}
	for _, s := range tel.spans.Ended() {
		_, ok := attr(s, otelasset.BusinessIDKey)
		assert.False(t, ok, s.Name())
	}
	rm := tel.metrics(t)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			assert.NotContains(t, fmt.Sprintf("%+v", m.Data), biz, m.Name)
		}
	}
	_, ok := find(rm, "asset.client.ratelimit.remaining")
	assert.True(t, ok, "the gauge is kept, per route")
}

// TestKatsuPay: a Katsu Pay create is one span by its route, with its
// outcome, and its credentials in no attribute.
func TestKatsuPay(t *testing.T) {
	t.Parallel()
	srv := katsupaytest.NewServer(katsupaytest.WithToken("kp-token-secret"))
	defer srv.Close()
	tel := newTelemetry(t)
	c := srv.Client(otelasset.InstrumentKatsuPay(otelasset.WithTracerProvider(tel.tp), otelasset.WithMeterProvider(tel.mp)))
	srv.FailNext(katsupaytest.Fault{Status: 500})
	_, err := c.Invoices.Create(context.Background(), katsupay.CreateInvoice{
		CounterPartyID:     "3fa85f64-5717-4562-b3fc-2c963f66afa6",
		ReceivingAccountID: "9b2e6c1a-4d3f-4e8b-a5c7-1f0d2e3b4a5c",
		DueDate:            time.Date(2024, 3, 20, 0, 0, 0, 0, time.UTC),
		Currency:           2,
		Products: []katsupay.Product{
			{ProductID: "1c8f4a2e-7b6d-4c5e-9a8b-0f1e2d3c4b5a", Quantity: 2, UnitPrice: asset.MustDecimal("500.00")},
		},
	})
	require.ErrorIs(t, err, katsupay.ErrOutcomeUnknown)
	calls := tel.calls()
	require.Len(t, calls, 1)
	assert.Equal(t, "POST /api/v1/Invoice/Create", calls[0].Name())
	assert.Equal(t, "outcome_unknown", attrString(calls[0], otelasset.OutcomeKey))
	assert.Equal(t, "500", attrString(calls[0], "http.response.status_code"))
	for _, kv := range calls[0].Attributes() {
		assert.NotContains(t, kv.Value.Emit(), "kp-token-secret")
	}
	assert.Len(t, tel.triesOf(calls[0]), 1)
}

// TestConnectionRefused: a server that cannot be reached fails a read and
// a change alike after every retry, and neither is an unknown outcome:
// nothing was sent.
func TestConnectionRefused(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer()
	tel := newTelemetry(t)
	c := srv.Client(tel.instrument(), asset.WithMaxRetries(2))
	srv.Close()
	ctx := context.Background()
	_, readErr := c.Invoices.List(ctx, biz, nil)
	require.Error(t, readErr)
	_, writeErr := c.Invoices.Create(ctx, biz, []asset.InvoiceCreate{invoice("refused-1")})
	require.Error(t, writeErr)
	calls := tel.calls()
	require.Len(t, calls, 2)
	for _, s := range calls {
		assert.Equal(t, "failed", attrString(s, otelasset.OutcomeKey), s.Name())
		assert.Equal(t, "3", attrString(s, otelasset.TriesKey), s.Name())
		assert.Empty(t, attrString(s, "http.response.status_code"))
		assert.Len(t, tel.triesOf(s), 3)
	}
	assert.Zero(t, counterSum(tel.metrics(t), "asset.client.outcome_unknown"))
}
