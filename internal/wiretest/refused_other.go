//go:build !unix

package wiretest

import (
	"net"
	"testing"
)

// RefusedURL is the http URL of a loopback port whose listener was closed:
// connecting to it is refused, unless another server is given the port.
func RefusedURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return "http://" + addr
}
