// Package exampletest holds what the examples' tests share.
package exampletest

import (
	"os"
	"regexp"
	"testing"

	"github.com/assetkit/asset-go/internal/wiretest"
)

// SilentServer accepts connections and never answers, until the test ends,
// and returns its base URL: a server whose every try ends at the attempt
// timeout.
func SilentServer(t testing.TB) string {
	t.Helper()
	return "http://" + wiretest.SilentAddr(t)
}

// EnvRead lists the environment variables the Go files named read, by the
// getenv("NAME") calls in their source: what a program's -h must list.
func EnvRead(t testing.TB, files ...string) []string {
	t.Helper()
	seen := map[string]bool{}
	var names []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range getenvCall.FindAllStringSubmatch(string(src), -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				names = append(names, m[1])
			}
		}
	}
	if len(names) == 0 {
		t.Fatalf("no getenv calls in %v", files)
	}
	return names
}

var getenvCall = regexp.MustCompile(`getenv\("([A-Z0-9_]+)"\)`)
