package httpcore

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// tryLog writes one record per try that will be retried (WARN) and one for
// how the call ended: its failure at ERROR, a refusal (4xx) or a
// cancellation at INFO, a success at DEBUG, or at INFO when it took retries.
// retryablehttp's own records are not used: it logs every failed try at
// ERROR, even one that the next try cures.
//
// Records carry the method, the route (the URL's path, with its ids, never
// its query: page tokens and filters are the caller's data), the status,
// the attempt, the request id and the try's duration. Headers, and so
// credentials, are never logged.
type tryLog struct {
	l     *slog.Logger
	name  string // of the client, starting each message
	r     *Request
	route string

	attempt int
	start   time.Time
	// resp and err are how the latest try ended.
	resp *http.Response
	err  error
}

// newTryLog returns nil, which logs nothing, when l is nil.
func newTryLog(l *slog.Logger, name string, r *Request) *tryLog {
	if l == nil {
		return nil
	}
	route := ""
	if u, err := url.Parse(r.URL); err == nil {
		route = u.Path
	}
	return &tryLog{l: l, name: name, r: r, route: route}
}

// begin records that try number i (from 0) begins.
func (t *tryLog) begin(i int) {
	if t == nil {
		return
	}
	t.attempt, t.start = i+1, time.Now()
	t.resp, t.err = nil, nil
}

// saw records how the latest try ended. retryablehttp reports a try again
// with the response handler's error; the later report holds the error that
// counts.
func (t *tryLog) saw(resp *http.Response, err error) {
	if t != nil {
		t.resp, t.err = resp, err
	}
}

// retrying logs the latest try, which will be retried after wait.
func (t *tryLog) retrying(wait time.Duration) {
	if t != nil {
		t.log(slog.LevelWarn, "try failed, retrying", t.resp, t.err, slog.Duration("retry_in", wait))
	}
}

// finish logs how the call ended: Send's response and error.
func (t *tryLog) finish(resp *http.Response, err error) {
	if t == nil {
		return
	}
	if resp == nil {
		resp = t.resp // the error handler dropped the last response
	}
	switch {
	case errors.Is(err, context.Canceled):
		t.log(slog.LevelInfo, "request cancelled", resp, err)
	case err != nil:
		t.log(slog.LevelError, "request failed", resp, err)
	case failed(resp.StatusCode):
		t.log(slog.LevelError, "request failed", resp, nil)
	case resp.StatusCode >= 400:
		t.log(slog.LevelInfo, "request refused", resp, nil)
	case t.attempt > 1:
		t.log(slog.LevelInfo, "request done after retries", resp, nil)
	default:
		t.log(slog.LevelDebug, "request done", resp, nil)
	}
}

// failed reports whether a final status is the service failing rather than
// refusing the request: what retries were there to cure.
func failed(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout
}

func (t *tryLog) log(level slog.Level, msg string, resp *http.Response, err error, extra ...slog.Attr) {
	ctx := context.Background()
	if !t.l.Enabled(ctx, level) {
		return
	}
	status, requestID := 0, ""
	if resp != nil {
		status, requestID = resp.StatusCode, t.requestID(resp.Header.Get("X-Request-Id"))
	}
	var took time.Duration
	if !t.start.IsZero() {
		took = time.Since(t.start)
	}
	attrs := append([]slog.Attr{
		slog.String("method", t.r.Method),
		slog.String("route", t.route),
		slog.Int("status", status),
		slog.Int("attempt", t.attempt),
		slog.String("request_id", requestID),
		slog.Duration("duration", took),
	}, extra...)
	if err != nil {
		// url.Error quotes the whole URL, query included.
		attrs = append(attrs, slog.String("error", RedactQuery(err.Error())))
	}
	t.l.LogAttrs(ctx, level, t.name+": "+msg, attrs...)
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// requestID returns id unless it could be something the request carried:
// a server or proxy that echoes the request into x-request-id would
// otherwise put a token or a client secret in the log.
func (t *tryLog) requestID(id string) string {
	if id == "" {
		return ""
	}
	if !idPattern.MatchString(id) || bytes.Contains(t.r.Body, []byte(id)) {
		return redactedID
	}
	for _, values := range t.r.Header {
		for _, v := range values {
			if strings.Contains(v, id) {
				return redactedID
			}
		}
	}
	return id
}

// redactedID stands in for a request id that was not logged.
const redactedID = "[not an id]"

var queryPattern = regexp.MustCompile(`\?[^\s"']*`)

// RedactQuery removes query strings from s, which may hold one or more URLs.
func RedactQuery(s string) string {
	return queryPattern.ReplaceAllString(s, "?…")
}
