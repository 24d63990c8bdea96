package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseLimit(t *testing.T) {
	for _, tc := range []struct {
		in  string
		n   int
		per time.Duration
		ok  bool
	}{
		{"300/1m", 300, time.Minute, true},
		{"10/1s", 10, time.Second, true},
		{"300/m", 300, time.Minute, true},
		{"5/90s", 5, 90 * time.Second, true},
		{"off", 0, 0, true},
		{"300", 0, 0, false},
		{"0/1m", 0, 0, false},
		{"-1/1m", 0, 0, false},
		{"300/0s", 0, 0, false},
		{"300/soon", 0, 0, false},
		{"many/1m", 0, 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			n, per, err := parseLimit(tc.in)
			if !tc.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.n, n)
			assert.Equal(t, tc.per, per)
		})
	}
}

// A command line the server cannot take is refused before anything
// starts, saying which flag, never a panic.
func TestRefusedCommandLines(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-rate-limit", "lots"}, "-rate-limit"},
		{[]string{"-tenant-rate-limit", "1"}, "-tenant-rate-limit"},
		{[]string{"-client-id", "cli_1"}, "-client-id and -client-secret go together"},
		{[]string{"-client-secret", "sec_1"}, "-client-id and -client-secret go together"},
		{[]string{"-token", "a b"}, "-token"},
		{[]string{"-latency", "-1s"}, "-latency"},
		{[]string{"-tag-fields", "a,,b"}, "-tag-fields"},
		{[]string{"-page-size", "101"}, "-page-size"},
		{[]string{"-addr", ""}, "-addr"},
		{[]string{"-nope"}, "flag provided but not defined: -nope"},
		{[]string{"serve"}, `unexpected argument "serve"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, err := options(tc.args, io.Discard)
			require.ErrorAs(t, err, new(usageError))
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := options([]string{"-h"}, io.Discard)
	assert.ErrorIs(t, err, flag.ErrHelp)
}

// run prints the URL first and serves until its context ends; a state file
// it cannot use is its error, naming the file.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-rate-limit", "off", "-tenant-rate-limit", "off"}, w, io.Discard)
	}()
	first := make(chan string, 1)
	go func() {
		var line bytes.Buffer
		b := make([]byte, 1)
		for {
			if _, err := out.Read(b); err != nil || b[0] == '\n' {
				break
			}
			line.WriteByte(b[0])
		}
		first <- line.String()
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case url := <-first:
		assert.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
	case <-time.After(10 * time.Second):
		t.Fatal("no URL within 10s")
	}
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return within 10s of its context ending")
	}
	_ = w.Close()

	dir := t.TempDir()
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-state", dir}, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "state file "+filepath.Clean(dir))
	assert.False(t, errors.As(err, new(usageError)), "not a command line refused: exit status 1")
}
