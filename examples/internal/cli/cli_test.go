package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func newFlags(out *bytes.Buffer) *flag.FlagSet {
	fs := flag.NewFlagSet("cmd", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.String("format", "csv", "output format")
	fs.Usage = func() { out.WriteString("usage: cmd\n") }
	return fs
}

func TestParseAndExit(t *testing.T) {
	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		wantOnce  string // said exactly once on stderr
		wantUsage bool
	}{
		{"no arguments", nil, 0, "", false},
		{"a flag", []string{"-format", "jsonl"}, 0, "", false},
		{"help", []string{"-h"}, 0, "", true},
		{"help, long", []string{"--help"}, 0, "", true},
		{"an unknown flag", []string{"-nope"}, 2, "flag provided but not defined: -nope", true},
		{"a flag without its value", []string{"-format"}, 2, "flag needs an argument: -format", true},
		{"a stray argument", []string{"extra"}, 2, `unexpected arguments ["extra"]`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := Parse(newFlags(&stderr), tc.args)
			assert.Equal(t, tc.code, Exit("cmd", err, &stderr))
			if tc.wantOnce != "" {
				assert.Equal(t, 1, strings.Count(stderr.String(), tc.wantOnce), stderr.String())
			}
			assert.Equal(t, tc.wantUsage, strings.Contains(stderr.String(), "usage: cmd"), stderr.String())
		})
	}
}

func TestExitSaysOnceWhatFailed(t *testing.T) {
	var stderr bytes.Buffer
	assert.Equal(t, 1, Exit("cmd", errors.New("no answer"), &stderr))
	assert.Equal(t, "cmd: no answer\n", stderr.String())

	stderr.Reset()
	assert.Equal(t, 1, Exit("katsupay", errors.New("katsupay: POST /x: 500"), &stderr))
	assert.Equal(t, "katsupay: POST /x: 500\n", stderr.String(), "the name is not repeated")
}

func TestLoggerWarnsWithoutTime(t *testing.T) {
	var buf bytes.Buffer
	l := Logger(&buf)
	l.Info("quiet")
	l.Warn("asset-go: try failed, retrying", "attempt", 1)
	assert.Equal(t, "level=WARN msg=\"asset-go: try failed, retrying\" attempt=1\n", buf.String())
}

func TestNewFlagSetUsage(t *testing.T) {
	for _, tc := range []struct {
		name, about string
		flags       bool
		want        string
	}{
		{"with about", "Does one thing.", false, "usage: cmd\n\nDoes one thing.\n"},
		{"with about and flags", "Does one thing.", true,
			"usage: cmd [flags]\n\nDoes one thing.\n\nFlags:\n  -n int\n    \thow many (default 1)\n"},
		{"without about: the flag package's", "", false, "Usage of cmd:\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			fs := NewFlagSet("cmd", tc.about, &stderr)
			if tc.flags {
				fs.Int("n", 1, "how many")
			}
			assert.ErrorIs(t, Parse(fs, []string{"-h"}), flag.ErrHelp)
			assert.Equal(t, tc.want, stderr.String())
		})
	}
}

// A value the command cannot use is refused as a flag that does not parse
// is: said once, with the usage, exit code 2.
func TestRefuse(t *testing.T) {
	var stderr bytes.Buffer
	fs := NewFlagSet("cmd", "Does one thing.", &stderr)
	n := fs.Int("n", 1, "how many")
	assert.NoError(t, Parse(fs, []string{"-n", "500"}))
	err := Refuse(fs, fmt.Errorf("-n %d: use 1 to 100", *n))
	assert.Equal(t, 2, Exit("cmd", err, &stderr))
	assert.Equal(t, "-n 500: use 1 to 100\nusage: cmd [flags]\n\nDoes one thing.\n\nFlags:\n  -n int\n    \thow many (default 1)\n", stderr.String())
}
