package wiretest

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
)

// TestRefusedURLStaysRefused takes many ports after RefusedURL's: none of
// them is its port, and a connection to it is still refused.
func TestRefusedURLStaysRefused(t *testing.T) {
	u := RefusedURL(t)
	port := u[strings.LastIndex(u, ":")+1:]
	for range 200 {
		srv := httptest.NewServer(http.NotFoundHandler())
		if strings.HasSuffix(srv.URL, ":"+port) {
			t.Fatalf("a server was given the refused port %s", port)
		}
		srv.Close()
	}
	_, err := net.Dial("tcp", strings.TrimPrefix(u, "http://"))
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial %s: got %v, want connection refused", u, err)
	}
}
