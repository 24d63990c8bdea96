package httpcore

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
)

// leveledLogger adapts slog to retryablehttp's LeveledLogger. Query strings
// are cut from every value it logs: page tokens and filters are the caller's
// data, and the token never reaches a log because headers are never logged.
type leveledLogger struct{ l *slog.Logger }

func (l leveledLogger) Error(msg string, kv ...any) { l.log(slog.LevelError, msg, kv) }
func (l leveledLogger) Info(msg string, kv ...any)  { l.log(slog.LevelInfo, msg, kv) }
func (l leveledLogger) Debug(msg string, kv ...any) { l.log(slog.LevelDebug, msg, kv) }
func (l leveledLogger) Warn(msg string, kv ...any)  { l.log(slog.LevelWarn, msg, kv) }

func (l leveledLogger) log(level slog.Level, msg string, kv []any) {
	ctx := context.Background()
	if !l.l.Enabled(ctx, level) {
		return
	}
	clean := make([]any, len(kv))
	for i, v := range kv {
		clean[i] = redact(v)
	}
	l.l.Log(ctx, level, "asset-go: "+msg, clean...)
}

func redact(v any) any {
	switch v := v.(type) {
	case *url.URL:
		u := *v
		u.RawQuery, u.User, u.Fragment = "", nil, ""
		return u.String()
	case string:
		return RedactQuery(v)
	case error:
		return RedactQuery(v.Error())
	case fmt.Stringer:
		return RedactQuery(v.String())
	}
	return v
}

var queryPattern = regexp.MustCompile(`\?[^\s"']*`)

// RedactQuery removes query strings from s, which may hold one or more URLs.
func RedactQuery(s string) string {
	return queryPattern.ReplaceAllString(s, "?…")
}
