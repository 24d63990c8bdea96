// Package wiretest runs loopback servers that break a connection the way
// networks and middleboxes do, below HTTP handlers: an HTTP/2 stream reset
// or GOAWAY after the request was read, a TLS connection answered in plain
// text, a kept-alive connection closed after the write. Each counts the
// changes (POST, PATCH) it read to the end, so a test can prove that a
// change reached the server once, whatever the transport did.
//
// A Promise bounds the tests of a wait, so that a wait that should not
// happen fails its test in seconds.
//
// It is test support for the SDK's own tests, not a public API.
package wiretest

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
)

// Fault is how a server breaks the connection of a request it faults.
type Fault int

const (
	// H2Reset reads the request to its end, then resets its stream with
	// PROTOCOL_ERROR: Go's HTTP/2 client sends such a request again when
	// it can rewind the body.
	H2Reset Fault = iota
	// H2GoAway reads the request to its end, then sends GOAWAY with last
	// stream 0 ("nothing was processed") and closes the connection.
	H2GoAway
	// TLSGarbage reads an HTTP/1.1 request over TLS to its end, then
	// answers in plain text over the raw connection, as a middlebox's error
	// page does: the client fails reading the response with a
	// tls.RecordHeaderError.
	TLSGarbage
	// DropKeptAlive answers the first request of a connection and keeps it
	// alive, then reads the next request on it to its end and closes the
	// connection without answering (HTTP/1.1, no TLS).
	DropKeptAlive
)

// Server is a loopback server with a Fault.
type Server struct {
	// URL is the server's base URL, https except for DropKeptAlive.
	URL string
	// Roots trusts the server's certificate.
	Roots *x509.CertPool

	fault    Fault
	faultAll bool
	answer   []byte
	requests atomic.Int32
	applied  atomic.Int32
	faulted  atomic.Int32
	l        *listener
}

// Start starts a server that faults every change, and every read but the
// first answered (a read is safe to send again: the server answers it the
// second time). Other requests are answered 200 with answer as a JSON body.
// The server is closed when the test ends.
func Start(t testing.TB, fault Fault, answer []byte) *Server {
	return start(t, fault, answer, false)
}

// StartFaultAll is Start, faulting every request, reads included.
func StartFaultAll(t testing.TB, fault Fault, answer []byte) *Server {
	return start(t, fault, answer, true)
}

func start(t testing.TB, fault Fault, answer []byte, all bool) *Server {
	t.Helper()
	s := &Server{fault: fault, faultAll: all, answer: answer, l: listen(t)}
	var cfg *tls.Config
	if fault == DropKeptAlive {
		s.URL = "http://" + s.l.addr()
	} else {
		var certs []tls.Certificate
		certs, s.Roots = testCert()
		cfg = &tls.Config{Certificates: certs, NextProtos: []string{"http/1.1"}}
		if fault == H2Reset || fault == H2GoAway {
			cfg.NextProtos = []string{"h2"}
		}
		s.URL = "https://" + s.l.addr()
	}
	s.l.serve(func(c net.Conn) { s.serveConn(c, cfg) })
	t.Cleanup(s.Close)
	return s
}

// Requests is how many requests the server read.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// Applied is how many changes (POST, PATCH) the server read to the end.
func (s *Server) Applied() int { return int(s.applied.Load()) }

// Close stops the server and waits for its connections to end.
func (s *Server) Close() { s.l.close() }

// serveConn serves one connection as the server's fault has it.
func (s *Server) serveConn(c net.Conn, cfg *tls.Config) {
	switch s.fault {
	case H2Reset, H2GoAway:
		tc := tls.Server(c, cfg)
		if tc.Handshake() == nil {
			s.serveH2(tc)
		}
	case TLSGarbage:
		tc := tls.Server(c, cfg)
		if tc.Handshake() == nil {
			s.serveHTTP1(c, tc)
		}
	case DropKeptAlive:
		s.serveHTTP1(c, c)
	}
}

// strike counts a request and reports whether the fault hits it.
func (s *Server) strike(method string) bool {
	s.requests.Add(1)
	if s.faultAll || isChange(method) {
		return true
	}
	return s.faulted.Add(1) == 1
}

func isChange(method string) bool { return method == http.MethodPost || method == http.MethodPatch }

// serveHTTP1 serves requests read from rw; raw is the connection under any
// TLS, which a middlebox writes to.
func (s *Server) serveHTTP1(raw net.Conn, rw io.ReadWriter) {
	br := bufio.NewReader(rw)
	for i := 0; ; i++ {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		if _, err := io.Copy(io.Discard, req.Body); err != nil {
			return
		}
		if s.fault == DropKeptAlive && i == 0 {
			// The first request of a connection is answered, so that the
			// client keeps the connection for the next.
			s.requests.Add(1)
			s.apply(req.Method)
			if s.writeHTTP1(rw) != nil {
				return
			}
			continue
		}
		if !s.strike(req.Method) {
			if s.writeHTTP1(rw) != nil {
				return
			}
			continue
		}
		s.apply(req.Method)
		if s.fault == TLSGarbage {
			// Not "HTTP/...": Go reads that as a server speaking plain HTTP.
			_, _ = io.WriteString(raw, "<html><body><h1>Access denied</h1>The request was blocked by policy.</body></html>\r\n")
		}
		return
	}
}

func (s *Server) apply(method string) {
	if isChange(method) {
		s.applied.Add(1)
	}
}

func (s *Server) writeHTTP1(w io.Writer) error {
	_, err := io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "+
		strconv.Itoa(len(s.answer))+"\r\n\r\n"+string(s.answer))
	return err
}

// HTTP/2 frame types and flags (RFC 9113, section 6).
const (
	frameData         = 0x0
	frameHeaders      = 0x1
	frameRSTStream    = 0x3
	frameSettings     = 0x4
	framePing         = 0x6
	frameGoAway       = 0x7
	frameContinuation = 0x9

	flagEndStream  = 0x1
	flagAck        = 0x1
	flagEndHeaders = 0x4

	errCodeProtocol = 0x1
	maxFrame        = 16384
)

const h2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
