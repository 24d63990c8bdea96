package httpcore

import (
	"bytes"
	"errors"
	"log/slog"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

type stringer string

func (s stringer) String() string { return string(s) }

func TestLeveledLoggerRedacts(t *testing.T) {
	var buf bytes.Buffer
	l := leveledLogger{slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	u, _ := url.Parse("https://user:pw@api.example/v0/x?page_token=SECRET1#frag")

	l.Debug("performing request", "method", "GET", "url", u)
	l.Info("info", "url", "https://api.example/v0/x?status=SECRET2")
	l.Warn("warn", "error", errors.New(`Get "https://api.example/v0/x?page_token=SECRET3": EOF`))
	l.Error("error", "request", stringer("GET https://api.example/v0/x?status=SECRET4 (status: 500)"), "remaining", 2)

	out := buf.String()
	for _, secret := range []string{"SECRET1", "SECRET2", "SECRET3", "SECRET4", "pw", "frag"} {
		assert.NotContains(t, out, secret)
	}
	for _, want := range []string{"asset-go: performing request", "method=GET", "https://api.example/v0/x", "remaining=2", "level=DEBUG", "level=ERROR"} {
		assert.Contains(t, out, want)
	}
}

func TestLeveledLoggerHonoursLevel(t *testing.T) {
	var buf bytes.Buffer
	l := leveledLogger{slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelError}))}
	l.Debug("quiet")
	l.Info("quiet")
	l.Warn("quiet")
	assert.Empty(t, buf.String())
	l.Error("loud")
	assert.Contains(t, buf.String(), "loud")
}
