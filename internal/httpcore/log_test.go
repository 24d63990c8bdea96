package httpcore

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/assetkit/asset-go/internal/wiretest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// record is one log record as a handler received it.
type record struct {
	level slog.Level
	msg   string
	attrs map[string]slog.Value
}

// recorder is a slog.Handler that keeps every record at or above its level.
type recorder struct {
	mu      sync.Mutex
	level   slog.Level
	records []record
}

func (h *recorder) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *recorder) Handle(_ context.Context, r slog.Record) error {
	rec := record{level: r.Level, msg: r.Message, attrs: map[string]slog.Value{}}
	r.Attrs(func(a slog.Attr) bool {
		rec.attrs[a.Key] = a.Value
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, rec)
	return nil
}

func (h *recorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recorder) WithGroup(string) slog.Handler      { return h }

func (h *recorder) levels() []slog.Level {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]slog.Level, len(h.records))
	for i, r := range h.records {
		out[i] = r.level
	}
	return out
}

func (h *recorder) all() []record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]record(nil), h.records...)
}

// statusSequence answers the nth request with statuses[n-1], the last one
// from then on, each with request id "req_<n>".
func statusSequence(t *testing.T, statuses ...int) string {
	t.Helper()
	srv, _ := countingServer(t, func(w http.ResponseWriter, n int) {
		w.Header().Set("X-Request-Id", "req_"+string(rune('0'+n)))
		w.WriteHeader(statuses[min(n, len(statuses))-1])
	})
	return srv.URL
}

func TestLogLevelsPerTry(t *testing.T) {
	for _, tc := range []struct {
		name     string
		method   string
		statuses []int
		want     []slog.Level
	}{
		{"retried tries warn, a cured call is info", http.MethodGet, []int{503, 502, 200}, []slog.Level{slog.LevelWarn, slog.LevelWarn, slog.LevelInfo}},
		{"the final failure is one error", http.MethodGet, []int{503}, []slog.Level{slog.LevelWarn, slog.LevelWarn, slog.LevelError}},
		{"a change not retried after a 5xx", http.MethodPost, []int{500}, []slog.Level{slog.LevelError}},
		{"a rate limit retried, then done", http.MethodPost, []int{429, 201}, []slog.Level{slog.LevelWarn, slog.LevelInfo}},
		{"a refusal is the caller's to handle", http.MethodGet, []int{404}, []slog.Level{slog.LevelInfo}},
		{"a success at first try", http.MethodGet, []int{200}, []slog.Level{slog.LevelDebug}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &recorder{level: slog.LevelDebug}
			s := NewSender(http.DefaultClient, slog.New(h), nil)
			p := fastPolicy
			p.MaxRetries = 2
			resp, _, err := s.Send(context.Background(), p, &Request{Method: tc.method, URL: statusSequence(t, tc.statuses...) + "/v0/x", Idempotent: tc.method == http.MethodGet})
			require.NoError(t, err)
			resp.Release()
			assert.Equal(t, tc.want, h.levels())
		})
	}
}

func TestLogRecordAttributes(t *testing.T) {
	h := &recorder{level: slog.LevelDebug}
	s := NewSender(http.DefaultClient, slog.New(h), nil)
	p := fastPolicy
	p.MaxRetries = 1
	url := statusSequence(t, 503) + "/v0/business/biz_1/invoice/inv_9?page_token=SECRETQUERY"
	resp, _, err := s.Send(context.Background(), p, &Request{
		Method: http.MethodGet, URL: url, Idempotent: true,
		Header: http.Header{"Authorization": {"Bearer SECRETTOKEN"}},
	})
	require.NoError(t, err)
	resp.Release()

	recs := h.all()
	require.Len(t, recs, 2)
	for i, r := range recs {
		assert.Equal(t, "GET", r.attrs["method"].String())
		assert.Equal(t, "/v0/business/biz_1/invoice/inv_9", r.attrs["route"].String())
		assert.EqualValues(t, 503, r.attrs["status"].Int64())
		assert.EqualValues(t, i+1, r.attrs["attempt"].Int64())
		assert.Equal(t, "req_"+string(rune('1'+i)), r.attrs["request_id"].String())
		assert.Equal(t, slog.KindDuration, r.attrs["duration"].Kind())
		for k, v := range r.attrs {
			assert.NotContains(t, v.String(), "SECRET", k)
		}
		assert.NotContains(t, r.msg, "SECRET")
	}
	assert.Equal(t, slog.KindDuration, recs[0].attrs["retry_in"].Kind(), "a retried try says when the next comes")
}

func TestLogTransportErrorsWithoutQuery(t *testing.T) {
	base := wiretest.RefusedURL(t) // nothing listens: every dial is refused

	h := &recorder{level: slog.LevelDebug}
	s := NewSender(http.DefaultClient, slog.New(h), nil)
	p := fastPolicy
	p.MaxRetries = 1
	_, _, err := s.Send(context.Background(), p, &Request{Method: http.MethodPost, URL: base + "/v0/x?status=SECRETQUERY"})
	require.Error(t, err)

	recs := h.all()
	require.Len(t, recs, 2, "a refused connection is retried even for a change: it was never sent")
	assert.Equal(t, []slog.Level{slog.LevelWarn, slog.LevelError}, h.levels())
	for _, r := range recs {
		assert.EqualValues(t, 0, r.attrs["status"].Int64(), "no answer, no status")
		assert.Contains(t, r.attrs["error"].String(), "refused")
		assert.NotContains(t, r.attrs["error"].String(), "SECRETQUERY")
	}
}

func TestLogHonoursLevel(t *testing.T) {
	h := &recorder{level: slog.LevelWarn}
	s := NewSender(http.DefaultClient, slog.New(h), nil)
	resp, _, err := s.Send(context.Background(), fastPolicy, &Request{Method: http.MethodGet, URL: statusSequence(t, 503, 200), Idempotent: true})
	require.NoError(t, err)
	resp.Release()
	assert.Equal(t, []slog.Level{slog.LevelWarn}, h.levels())
}

// A server or proxy that echoes the request into x-request-id must not put
// a credential in the log.
func TestLogRequestIDNeverEchoesTheRequest(t *testing.T) {
	tl := newTryLog(slog.New(&recorder{}), "asset-go", &Request{
		Method: http.MethodPost,
		URL:    "https://api.example/v0/auth/token",
		Header: http.Header{"Authorization": {"Bearer tok_SECRET"}, "Service-Api-Key": {"key_SECRET"}},
		Body:   []byte("grant_type=client_credentials&client_secret=sec_SECRET"),
	})
	for id, want := range map[string]string{
		"req_9fK2":                "req_9fK2",
		"":                        "",
		"tok_SECRET":              redactedID,
		"Bearer tok_SECRET":       redactedID,
		"key_SECRET":              redactedID,
		"sec_SECRET":              redactedID,
		"client_secret=sec_SECRE": redactedID,
		strings.Repeat("a", 129):  redactedID,
	} {
		assert.Equal(t, want, tl.requestID(id), id)
	}
}
