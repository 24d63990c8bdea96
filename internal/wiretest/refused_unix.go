//go:build unix

package wiretest

import (
	"strconv"
	"syscall"
	"testing"
)

// RefusedURL is the http URL of a loopback port that refuses every
// connection for as long as t runs. A socket holds the port without
// listening on it: the kernel answers a connect with a reset, and no other
// server of the process can be given the port, as it could be one whose
// listener was just closed.
func RefusedURL(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	return "http://127.0.0.1:" + strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)
}
