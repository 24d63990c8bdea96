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
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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
	ln       net.Listener
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	closed   bool
}

// maxConns bounds the connections a server accepts, so that a client
// replaying a request in a loop ends with an error instead of running until
// its deadline.
const maxConns = 200

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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{fault: fault, faultAll: all, answer: answer, ln: ln, conns: map[net.Conn]struct{}{}}
	var cfg *tls.Config
	if fault == DropKeptAlive {
		s.URL = "http://" + ln.Addr().String()
	} else {
		var certs []tls.Certificate
		certs, s.Roots = testCert()
		cfg = &tls.Config{Certificates: certs, NextProtos: []string{"http/1.1"}}
		if fault == H2Reset || fault == H2GoAway {
			cfg.NextProtos = []string{"h2"}
		}
		s.URL = "https://" + ln.Addr().String()
	}
	s.wg.Add(1)
	go s.accept(cfg)
	t.Cleanup(s.Close)
	return s
}

// Requests is how many requests the server read.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// Applied is how many changes (POST, PATCH) the server read to the end.
func (s *Server) Applied() int { return int(s.applied.Load()) }

// Close stops the server and waits for its connections to end.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	_ = s.ln.Close()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) accept(cfg *tls.Config) {
	defer s.wg.Done()
	for n := 0; n < maxConns; n++ {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				_ = c.Close()
			}()
			_ = c.SetDeadline(time.Now().Add(time.Minute))
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
		}()
	}
	_ = s.ln.Close()
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

// serveH2 is as much of an HTTP/2 server as the faults need: it reads
// frames, tells the method of each stream from its HPACK block (the client
// sends :method first, from the static table), and answers or faults each
// stream once its request has ended.
func (s *Server) serveH2(c net.Conn) {
	br := bufio.NewReader(c)
	preface := make([]byte, len(h2Preface))
	if _, err := io.ReadFull(br, preface); err != nil || string(preface) != h2Preface {
		return
	}
	// SETTINGS_HEADER_TABLE_SIZE 0: the client's header blocks then
	// refer to the static table only, which hpackMethod can read.
	if writeFrame(c, frameSettings, 0, 0, []byte{0, 1, 0, 0, 0, 0}) != nil {
		return
	}
	methods := map[uint32]string{}
	for {
		typ, flags, stream, payload, err := readFrame(br)
		if err != nil {
			return
		}
		switch typ {
		case frameSettings:
			if flags&flagAck == 0 && writeFrame(c, frameSettings, flagAck, 0, nil) != nil {
				return
			}
			continue
		case framePing:
			if flags&flagAck == 0 && writeFrame(c, framePing, flagAck, 0, payload) != nil {
				return
			}
			continue
		case frameHeaders:
			methods[stream] = hpackMethod(payload, flags)
		case frameData, frameContinuation:
		default:
			continue
		}
		if flags&flagEndStream == 0 {
			continue
		}
		method := methods[stream]
		delete(methods, stream)
		if !s.strike(method) {
			if s.writeH2Answer(c, stream) != nil {
				return
			}
			continue
		}
		s.apply(method)
		if s.fault == H2GoAway {
			payload := make([]byte, 8) // last stream 0, NO_ERROR
			_ = writeFrame(c, frameGoAway, 0, 0, payload)
			return
		}
		code := make([]byte, 4)
		binary.BigEndian.PutUint32(code, errCodeProtocol)
		if writeFrame(c, frameRSTStream, 0, stream, code) != nil {
			return
		}
	}
}

// hpackMethod reads :method from a HEADERS block. The server announces a
// dynamic table of size 0, so the field is either an index of the static
// table (GET, POST) or a literal with the static name :method (PATCH).
func hpackMethod(block []byte, flags byte) string {
	if flags&0x8 != 0 && len(block) > 0 { // PADDED
		block = block[1:]
	}
	if flags&0x20 != 0 && len(block) >= 5 { // PRIORITY
		block = block[5:]
	}
	for len(block) > 0 {
		b := block[0]
		switch {
		case b&0x80 != 0: // indexed field
			idx, rest := hpackInt(block, 7)
			switch idx {
			case 2:
				return http.MethodGet
			case 3:
				return http.MethodPost
			}
			block = rest
			continue
		case b&0xe0 == 0x20: // dynamic table size update
			_, block = hpackInt(block, 5)
			continue
		}
		prefix := 4
		if b&0xc0 == 0x40 {
			prefix = 6
		}
		idx, rest := hpackInt(block, prefix)
		if idx == 0 {
			_, _, rest = hpackString(rest) // a new name: never :method
		}
		value, huffman, rest := hpackString(rest)
		if idx == 2 || idx == 3 {
			if huffman {
				return http.MethodPatch // the one other method the SDK sends
			}
			return value
		}
		block = rest
	}
	return ""
}

// hpackInt reads an HPACK integer with an n-bit prefix (RFC 7541, 5.1).
func hpackInt(b []byte, n int) (uint64, []byte) {
	mask := byte(1<<n - 1)
	v := uint64(b[0] & mask)
	b = b[1:]
	if v < uint64(mask) {
		return v, b
	}
	for shift := 0; len(b) > 0 && shift < 56; shift += 7 {
		c := b[0]
		b = b[1:]
		v += uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			break
		}
	}
	return v, b
}

// hpackString reads an HPACK string (RFC 7541, 5.2), left Huffman-coded.
func hpackString(b []byte) (string, bool, []byte) {
	if len(b) == 0 {
		return "", false, nil
	}
	huffman := b[0]&0x80 != 0
	n, rest := hpackInt(b, 7)
	if n > uint64(len(rest)) {
		return "", huffman, nil
	}
	return string(rest[:n]), huffman, rest[n:]
}

func (s *Server) writeH2Answer(w io.Writer, stream uint32) error {
	// :status 200 (static index 8), then content-type as a literal with
	// the indexed name content-type (static index 31).
	block := []byte{0x88, 0x0f, 0x10, byte(len("application/json"))}
	block = append(block, "application/json"...)
	if err := writeFrame(w, frameHeaders, flagEndHeaders, stream, block); err != nil {
		return err
	}
	body := s.answer
	for {
		n := min(len(body), maxFrame)
		var flags byte
		if n == len(body) {
			flags = flagEndStream
		}
		if err := writeFrame(w, frameData, flags, stream, body[:n]); err != nil {
			return err
		}
		body = body[n:]
		if flags != 0 {
			return nil
		}
	}
}

func readFrame(r io.Reader) (typ, flags byte, stream uint32, payload []byte, err error) {
	var h [9]byte
	if _, err = io.ReadFull(r, h[:]); err != nil {
		return
	}
	n := int(h[0])<<16 | int(h[1])<<8 | int(h[2])
	if n > 1<<20 {
		return 0, 0, 0, nil, errors.New("frame too large")
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(r, payload); err != nil {
		return
	}
	return h[3], h[4], binary.BigEndian.Uint32(h[5:]) & 0x7fffffff, payload, nil
}

func writeFrame(w io.Writer, typ, flags byte, stream uint32, payload []byte) error {
	h := []byte{byte(len(payload) >> 16), byte(len(payload) >> 8), byte(len(payload)), typ, flags, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(h[5:], stream)
	_, err := w.Write(append(h, payload...))
	return err
}

// testCert is httptest's certificate (for 127.0.0.1) and a pool that
// trusts it.
var testCert = sync.OnceValues(func() ([]tls.Certificate, *x509.CertPool) {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv.TLS.Certificates, pool
})

// DeadProxy is the URL of a proxy that refuses connections: a port that was
// just listened on and closed.
func DeadProxy(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

// ProxyFault is how a proxy fails a CONNECT it accepted the connection of.
type ProxyFault int

const (
	// ProxyAuthRequired answers the CONNECT 407 Proxy Authentication
	// Required.
	ProxyAuthRequired ProxyFault = iota
	// ProxyBadGateway answers the CONNECT 502 Bad Gateway, as a proxy
	// that cannot reach the host does.
	ProxyBadGateway
	// ProxyCloseAfterConnect reads the CONNECT and closes the connection
	// without answering.
	ProxyCloseAfterConnect
	// ProxyStall reads the CONNECT and never answers, until the test ends.
	ProxyStall
)

// Proxy is a loopback HTTP proxy that accepts every connection and fails
// every CONNECT with its fault: no byte ever reaches the host asked for.
type Proxy struct {
	// URL is the proxy's URL, for http.ProxyURL.
	URL string

	fault    ProxyFault
	connects atomic.Int32
	ln       net.Listener
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	closed   bool
	quit     chan struct{}
}

// StartProxy starts a proxy that fails every CONNECT with fault. It is
// closed when the test ends.
func StartProxy(t testing.TB, fault ProxyFault) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), fault: fault, ln: ln, conns: map[net.Conn]struct{}{}, quit: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Connects is how many CONNECT requests the proxy read.
func (p *Proxy) Connects() int { return int(p.connects.Load()) }

// Close stops the proxy, ends its stalls and waits for its connections to
// end.
func (p *Proxy) Close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.quit)
		_ = p.ln.Close()
		for c := range p.conns {
			_ = c.Close()
		}
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for n := 0; n < maxConns; n++ {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			_ = c.Close()
			return
		}
		p.conns[c] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go func() {
			defer p.wg.Done()
			defer func() {
				p.mu.Lock()
				delete(p.conns, c)
				p.mu.Unlock()
				_ = c.Close()
			}()
			_ = c.SetDeadline(time.Now().Add(time.Minute))
			p.serve(c)
		}()
	}
	_ = p.ln.Close()
}

func (p *Proxy) serve(c net.Conn) {
	req, err := http.ReadRequest(bufio.NewReader(c))
	if err != nil {
		return
	}
	if req.Method != http.MethodConnect {
		_, _ = io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	}
	p.connects.Add(1)
	switch p.fault {
	case ProxyAuthRequired:
		_, _ = io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\n"+
			"Proxy-Authenticate: Basic realm=\"proxy\"\r\nContent-Length: 0\r\n\r\n")
	case ProxyBadGateway:
		const page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
		_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: "+
			strconv.Itoa(len(page))+"\r\n\r\n"+page)
	case ProxyCloseAfterConnect:
	case ProxyStall:
		<-p.quit
	}
}
