package wiretest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
)

// DeadProxy is the URL of a proxy that refuses connections, a port held
// for the test without listening (see RefusedURL): a port closed after
// listening could be given to another test's server, which would then get
// the CONNECTs.
func DeadProxy(t testing.TB) string {
	t.Helper()
	return RefusedURL(t)
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
	l        *listener
}

// StartProxy starts a proxy that fails every CONNECT with fault. It is
// closed when the test ends.
func StartProxy(t testing.TB, fault ProxyFault) *Proxy {
	t.Helper()
	p := &Proxy{fault: fault, l: listen(t)}
	p.URL = "http://" + p.l.addr()
	p.l.serve(p.serve)
	t.Cleanup(p.Close)
	return p
}

// Connects is how many CONNECT requests the proxy read.
func (p *Proxy) Connects() int { return int(p.connects.Load()) }

// Close stops the proxy, ends its stalls and waits for its connections to
// end.
func (p *Proxy) Close() { p.l.close() }

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
		<-p.l.quit
	}
}
