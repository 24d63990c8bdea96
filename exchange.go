package asset

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/assetkit/asset-go/internal/httpcore"
)

// baseHeader is the header every request of s starts from.
func baseHeader(s *settings) http.Header {
	h := make(http.Header, len(s.header)+5)
	for k, v := range s.header {
		h[k] = v
	}
	h.Set("User-Agent", userAgent)
	h.Set("Accept", "application/json")
	return h
}

// authzSecrets is the credential an Authorization value carries, for errors
// to leave out.
func authzSecrets(authz string) []string {
	if _, tok, ok := strings.Cut(authz, " "); ok && tok != "" {
		return []string{tok}
	}
	return nil
}

// exchanged is what an exchange saw: the final status and header when an
// answer arrived (0 and nil when none did), its tries and its wait for
// the rate limiter.
type exchanged struct {
	status      int
	header      http.Header
	attempts    int
	limiterWait time.Duration
}

// exchange sends hr through sender under s, and decodes a success body into
// out.
func exchange(ctx context.Context, sender *httpcore.Sender, s *settings, hr *httpcore.Request, path string, out any) (exchanged, error) {
	hr.MaxBody = s.maxBody
	reply, outcome, err := sender.Send(ctx, s.Policy, hr)
	x := exchanged{attempts: outcome.Attempts, limiterWait: outcome.LimiterWait}
	if err != nil {
		if s.responseInto != nil {
			// No answer to describe, but the caller still learns what was
			// tried, as the error tells.
			*s.responseInto = Response{Attempts: outcome.Attempts}
		}
		return x, sendError(hr, path, outcome, err)
	}
	defer reply.Release()
	x.status, x.header = reply.StatusCode, reply.Header
	if s.responseInto != nil {
		*s.responseInto = Response{
			StatusCode: reply.StatusCode,
			Header:     reply.Header,
			RequestID:  reply.Header.Get("X-Request-Id"),
			RateLimit:  parseRateLimit(reply.Header),
			Attempts:   outcome.Attempts,
		}
	}
	if reply.StatusCode >= 300 {
		return x, newAPIError(reply, hr, path, outcome)
	}
	err = reply.ReadErr
	if err == nil && reply.TooLong {
		err = fmt.Errorf("body is larger than %d bytes (see WithMaxResponseBytes)", s.maxBody)
	}
	if err == nil {
		err = decodeBody(reply.Body, out)
	}
	if sc, ok := out.(shapeChecker); ok && err == nil {
		err = sc.checkShape(reply.Body)
	}
	if q, ok := out.(quoter); ok && err == nil {
		q.redact(hr.Secrets)
	}
	if err != nil {
		return x, newDecodeError(reply, hr, path, err)
	}
	return x, nil
}
