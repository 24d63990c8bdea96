// Package otelasset traces and measures every call of an asset.Client, or
// of a katsupay.Client, with OpenTelemetry:
//
//	client, err := asset.NewClient(asset.WithToken(tok), otelasset.Instrument())
//
// Each call is one client span named by its route template, e.g. "GET
// /v0/business/{business_id}/invoice/{invoice_id}" (ids never name a span),
// with its outcome (ok, refused, rate_limited, outcome_unknown, failed, see
// asset.Outcome), final status, number of tries, request id and business
// id; each try is a child span, with the backoff and the rate limiter's
// wait before it. CreateMany and walks by All are one span over their
// calls, reporting each batch or page as an event.
//
// Metrics, per route (method and template) and outcome:
//
//	asset.client.call.duration          histogram, s: a call, retries and waits included
//	asset.client.call.tries             histogram: the tries a call took
//	asset.client.rate_limited           counter: answers 429, retried or not
//	asset.client.outcome_unknown        counter: changes that may have been applied
//	asset.client.ratelimit.remaining    gauge: x-ratelimit-remaining, per business
//	asset.client.limiter.wait           histogram, s: a call's wait for the rate limiter
//	http.client.request.duration        histogram, s: each try, as the HTTP semantic conventions say
//
// Spans and metrics follow OpenTelemetry's HTTP client semantic conventions
// where they apply (http.request.method, url.template,
// http.response.status_code, server.address, server.port, error.type,
// http.request.resend_count). No attribute holds a token, a query string,
// a body or an error message (messages may quote what was sent): an error
// is described by error.type and the outcome.
package otelasset

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/katsupay"
)

// ScopeName is the instrumentation scope of the tracer and meter.
const ScopeName = "github.com/assetkit/asset-go/otelasset"

// The attributes of this package's own, beside the semantic conventions'.
const (
	// OutcomeKey is how the call ended: an asset.Outcome.
	OutcomeKey = attribute.Key("asset.outcome")
	// TriesKey is how many tries a call took.
	TriesKey = attribute.Key("asset.tries")
	// RequestIDKey is the last answer's x-request-id.
	RequestIDKey = attribute.Key("asset.request_id")
	// BusinessIDKey is the business a call is for (see WithoutBusinessID).
	BusinessIDKey = attribute.Key("asset.business_id")
	// BackoffKey is the retry policy's pause before a try, in seconds.
	BackoffKey = attribute.Key("asset.try.backoff")
	// LimiterWaitKey is the rate limiter's wait before a try, or a whole
	// call's, in seconds.
	LimiterWaitKey = attribute.Key("asset.limiter.wait")
	// OperationKey names the operation of many calls: CreateMany or All.
	OperationKey = attribute.Key("asset.operation")
)

// Option configures Instrument.
type Option func(*config)

type config struct {
	tp         trace.TracerProvider
	mp         metric.MeterProvider
	noBusiness bool
}

// WithTracerProvider makes spans with tp instead of the global provider
// (otel.GetTracerProvider at the time Instrument is called).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// WithMeterProvider records metrics with mp instead of the global provider
// (otel.GetMeterProvider at the time Instrument is called).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// WithoutBusinessID leaves the business id out of every span and metric,
// for backends that treat it as confidential or that want fewer series;
// the x-ratelimit-remaining gauge is then one series per route instead of
// per business.
func WithoutBusinessID() Option {
	return func(c *config) { c.noBusiness = true }
}

// Instrument traces and measures every call of the client it is given to
// (asset.NewClient), or one call's. It installs asset.Hooks.
func Instrument(opts ...Option) asset.Option {
	return asset.WithHooks(newInstrumentation(opts).hooks())
}

// InstrumentKatsuPay is Instrument for a katsupay.Client
// (katsupay.NewClient): the same spans and metrics, its calls named by
// Katsu Pay's route ("POST /api/v1/Invoice/Create"), without a business.
func InstrumentKatsuPay(opts ...Option) katsupay.Option {
	return katsupay.WithHooks(newInstrumentation(opts).hooks())
}

// instrumentation is one Instrument's tracer and instruments.
type instrumentation struct {
	tracer     trace.Tracer
	noBusiness bool

	duration    metric.Float64Histogram
	tries       metric.Int64Histogram
	rateLimited metric.Int64Counter
	unknown     metric.Int64Counter
	remaining   metric.Int64Gauge
	limiterWait metric.Float64Histogram
	tryDuration metric.Float64Histogram
}

func newInstrumentation(opts []Option) *instrumentation {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	in := &instrumentation{
		tracer:     c.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(asset.Version)),
		noBusiness: c.noBusiness,
	}
	m := c.mp.Meter(ScopeName, metric.WithInstrumentationVersion(asset.Version))
	// An instrument that cannot be made is a no-op one (the API returns
	// one with its error), and the error goes to OpenTelemetry's handler:
	// telemetry never fails a call.
	var err error
	handle := func(e error) {
		if e != nil {
			otel.Handle(e)
		}
	}
	seconds := metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60)
	in.duration, err = m.Float64Histogram("asset.client.call.duration", metric.WithUnit("s"), seconds,
		metric.WithDescription("Duration of a call, retries and waits included."))
	handle(err)
	in.tries, err = m.Int64Histogram("asset.client.call.tries", metric.WithUnit("{try}"),
		metric.WithExplicitBucketBoundaries(1, 2, 3, 4, 5, 7, 10),
		metric.WithDescription("Tries a call took."))
	handle(err)
	in.rateLimited, err = m.Int64Counter("asset.client.rate_limited", metric.WithUnit("{response}"),
		metric.WithDescription("Answers with status 429, retried or not."))
	handle(err)
	in.unknown, err = m.Int64Counter("asset.client.outcome_unknown", metric.WithUnit("{call}"),
		metric.WithDescription("Changes that may have been applied though the call failed."))
	handle(err)
	in.remaining, err = m.Int64Gauge("asset.client.ratelimit.remaining", metric.WithUnit("{request}"),
		metric.WithDescription("x-ratelimit-remaining of the last answer, per business."))
	handle(err)
	in.limiterWait, err = m.Float64Histogram("asset.client.limiter.wait", metric.WithUnit("s"), seconds,
		metric.WithDescription("A call's wait for the client's rate limiter, all its tries together."))
	handle(err)
	in.tryDuration, err = m.Float64Histogram("http.client.request.duration", metric.WithUnit("s"), seconds,
		metric.WithDescription("Duration of HTTP client requests."))
	handle(err)
	return in
}

func (in *instrumentation) hooks() asset.Hooks {
	return asset.Hooks{
		Try:            in.try,
		CallStart:      in.callStart,
		CallEnd:        in.callEnd,
		OperationStart: in.operationStart,
		OperationEvent: in.operationEvent,
		OperationEnd:   in.operationEnd,
	}
}

// callKey finds a call's span and start in its context; one per
// instrumentation, so that two of them on one client keep their own.
type callKey struct{ in *instrumentation }

type callState struct {
	span  trace.Span
	start time.Time
}

type opKey struct{ in *instrumentation }

func (in *instrumentation) routeAttrs(method, route string) []attribute.KeyValue {
	return []attribute.KeyValue{semconv.HTTPRequestMethodKey.String(method), semconv.URLTemplate(route)}
}

func (in *instrumentation) callStart(ctx context.Context, call asset.CallInfo) context.Context {
	attrs := in.routeAttrs(call.Method, call.Route)
	if call.BusinessID != "" && !in.noBusiness {
		attrs = append(attrs, BusinessIDKey.String(call.BusinessID))
	}
	ctx, span := in.tracer.Start(ctx, call.Name(), trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return context.WithValue(ctx, callKey{in}, &callState{span: span, start: time.Now()})
}

func (in *instrumentation) callEnd(ctx context.Context, call asset.CallInfo, res asset.CallResult) {
	st, ok := ctx.Value(callKey{in}).(*callState)
	if !ok {
		return
	}
	attrs := []attribute.KeyValue{OutcomeKey.String(string(res.Outcome)), TriesKey.Int(res.Tries)}
	if res.StatusCode != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(res.StatusCode))
	}
	if res.RequestID != "" {
		attrs = append(attrs, RequestIDKey.String(res.RequestID))
	}
	if res.LimiterWait > 0 {
		attrs = append(attrs, LimiterWaitKey.Float64(res.LimiterWait.Seconds()))
	}
	if res.Err != nil {
		attrs = append(attrs, errorType(res.StatusCode, res.Err))
		st.span.SetStatus(codes.Error, string(res.Outcome))
	}
	st.span.SetAttributes(attrs...)
	st.span.End()

	metricAttrs := in.routeAttrs(call.Method, call.Route)
	metricAttrs = append(metricAttrs, OutcomeKey.String(string(res.Outcome)))
	set := metric.WithAttributeSet(attribute.NewSet(metricAttrs...))
	in.duration.Record(ctx, time.Since(st.start).Seconds(), set)
	in.tries.Record(ctx, int64(res.Tries), set)
	in.limiterWait.Record(ctx, res.LimiterWait.Seconds(), set)
	if res.Outcome == asset.OutcomeUnknown {
		in.unknown.Add(ctx, 1, set)
	}
	if res.RateLimitOK {
		gauge := in.routeAttrs(call.Method, call.Route)
		if call.BusinessID != "" && !in.noBusiness {
			// The API's budget is per business, whatever the route.
			gauge = []attribute.KeyValue{BusinessIDKey.String(call.BusinessID)}
		}
		in.remaining.Record(ctx, int64(res.RateLimit.Remaining), metric.WithAttributes(gauge...))
	}
}

// try is a child span of the call's for each try, and the HTTP client
// duration metric.
func (in *instrumentation) try(req *http.Request, next asset.MiddlewareNext) (*http.Response, error) {
	ctx := req.Context()
	call, _ := asset.CallInfoFrom(ctx)
	try, _ := asset.TryInfoFrom(ctx)
	attrs := in.routeAttrs(call.Method, call.Route)
	if host, port := hostPort(req); host != "" {
		attrs = append(attrs, semconv.ServerAddress(host))
		if port > 0 {
			attrs = append(attrs, semconv.ServerPort(port))
		}
	}
	spanAttrs := append(attrs[:len(attrs):len(attrs)], BackoffKey.Float64(try.Backoff.Seconds()), LimiterWaitKey.Float64(try.LimiterWait.Seconds()))
	if try.Attempt > 1 {
		spanAttrs = append(spanAttrs, semconv.HTTPRequestResendCount(try.Attempt-1))
	}
	start := time.Now()
	ctx, span := in.tracer.Start(ctx, call.Name(), trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(spanAttrs...))
	resp, err := next(req.WithContext(ctx))
	elapsed := time.Since(start)
	var end []attribute.KeyValue
	switch {
	case err != nil:
		end = append(end, errorType(0, err))
		span.SetStatus(codes.Error, "no answer")
	default:
		end = append(end, semconv.HTTPResponseStatusCode(resp.StatusCode))
		if resp.StatusCode >= 400 {
			end = append(end, errorType(resp.StatusCode, nil))
			span.SetStatus(codes.Error, "")
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			in.rateLimited.Add(ctx, 1, metric.WithAttributes(attrs...))
		}
	}
	span.SetAttributes(end...)
	span.End()
	in.tryDuration.Record(ctx, elapsed.Seconds(), metric.WithAttributes(append(attrs, end...)...))
	return resp, err
}

// hostPort is the server's address and port, without user info.
func hostPort(req *http.Request) (string, int) {
	if req.URL == nil {
		return "", 0
	}
	host, port := req.URL.Hostname(), req.URL.Port()
	if port == "" {
		switch req.URL.Scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	p, _ := strconv.Atoi(port)
	return host, p
}

// errorType is error.type: the status when there is one, else the error's
// Go type, never its message.
func errorType(status int, err error) attribute.KeyValue {
	if status >= 400 {
		return semconv.ErrorTypeKey.String(strconv.Itoa(status))
	}
	if err == nil {
		return semconv.ErrorTypeOther
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return semconv.ErrorTypeKey.String("timeout")
	}
	return semconv.ErrorTypeKey.String(reflect.TypeOf(err).String())
}

func (in *instrumentation) operationStart(ctx context.Context, op asset.Operation) context.Context {
	attrs := append(in.routeAttrs(op.Method, op.Route), OperationKey.String(op.Name))
	if op.BusinessID != "" && !in.noBusiness {
		attrs = append(attrs, BusinessIDKey.String(op.BusinessID))
	}
	ctx, span := in.tracer.Start(ctx, op.Name+" "+op.Method+" "+op.Route, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	return context.WithValue(ctx, opKey{in}, span)
}

func (in *instrumentation) operationEvent(ctx context.Context, _ asset.Operation, name string, attrs ...slog.Attr) {
	span, ok := ctx.Value(opKey{in}).(trace.Span)
	if !ok {
		return
	}
	kvs := make([]attribute.KeyValue, 0, len(attrs))
	for _, a := range attrs {
		kvs = append(kvs, fromSlog(a))
	}
	span.AddEvent(name, trace.WithAttributes(kvs...))
}

func (in *instrumentation) operationEnd(ctx context.Context, _ asset.Operation, err error) {
	span, ok := ctx.Value(opKey{in}).(trace.Span)
	if !ok {
		return
	}
	if err != nil {
		outcome := asset.OutcomeOf(err)
		span.SetAttributes(OutcomeKey.String(string(outcome)), errorType(0, err))
		span.SetStatus(codes.Error, string(outcome))
	} else {
		span.SetAttributes(OutcomeKey.String(string(asset.OutcomeOK)))
	}
	span.End()
}

// fromSlog is a progress attribute as OpenTelemetry's.
func fromSlog(a slog.Attr) attribute.KeyValue {
	k := attribute.Key("asset." + a.Key)
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindInt64:
		return k.Int64(v.Int64())
	case slog.KindUint64:
		return k.Int64(int64(v.Uint64()))
	case slog.KindFloat64:
		return k.Float64(v.Float64())
	case slog.KindBool:
		return k.Bool(v.Bool())
	case slog.KindDuration:
		return k.Float64(v.Duration().Seconds())
	}
	return k.String(v.String())
}
