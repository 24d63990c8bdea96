package wiretest

import (
	"net"
	"sync"
	"testing"
	"time"
)

// maxConns bounds the connections a listener accepts, so that a client
// replaying a request in a loop ends with an error instead of running until
// its deadline.
const maxConns = 200

// listener is a loopback listener that serves each connection it accepts
// on a goroutine of its own and, when closed, closes them all and waits
// for them to end.
type listener struct {
	ln     net.Listener
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	quit   chan struct{} // closed by close, for serves that stall
}

func listen(t testing.TB) *listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return &listener{ln: ln, conns: map[net.Conn]struct{}{}, quit: make(chan struct{})}
}

// addr is the listener's host and port.
func (l *listener) addr() string { return l.ln.Addr().String() }

// serve accepts up to maxConns connections, each served by serve with a
// minute's deadline, until the listener is closed.
func (l *listener) serve(serve func(net.Conn)) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer l.ln.Close()
		for range maxConns {
			c, err := l.ln.Accept()
			if err != nil {
				return
			}
			l.mu.Lock()
			if l.closed {
				l.mu.Unlock()
				_ = c.Close()
				return
			}
			l.conns[c] = struct{}{}
			l.wg.Add(1)
			l.mu.Unlock()
			go func() {
				defer l.wg.Done()
				defer func() {
					l.mu.Lock()
					delete(l.conns, c)
					l.mu.Unlock()
					_ = c.Close()
				}()
				_ = c.SetDeadline(time.Now().Add(time.Minute))
				serve(c)
			}()
		}
	}()
}

// close stops accepting, ends the stalls and the connections, and waits
// for their serves to return.
func (l *listener) close() {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.quit)
		_ = l.ln.Close()
		for c := range l.conns {
			_ = c.Close()
		}
	}
	l.mu.Unlock()
	l.wg.Wait()
}
