package httpcore

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go/internal/wiretest"
)

// proxyPolicy bounds each try, so that a proxy that stalls ends a try
// instead of the call.
var proxyPolicy = func() Policy {
	p := fastPolicy
	p.AttemptTimeout = 300 * time.Millisecond
	return p
}()

// tunnel is how a transport reaches an HTTPS host through a proxy.
type tunnel struct {
	name string
	set  func(tr *http.Transport, proxy *url.URL)
}

var tunnels = []tunnel{
	{"Transport.Proxy", func(tr *http.Transport, proxy *url.URL) { tr.Proxy = http.ProxyURL(proxy) }},
	{
		// A dialer of a user's own writes the CONNECT with the request's
		// context, so the trace sees the CONNECT's headers written before
		// it sees a connection.
		"a dialer that sends the CONNECT on the request's context",
		func(tr *http.Transport, proxy *url.URL) { tr.DialContext = connectDialer(proxy.Host) },
	},
}

// connectDialer dials addr through the HTTP proxy at proxyAddr, writing
// the CONNECT itself.
func connectDialer(proxyAddr string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, proxyAddr)
		if err != nil {
			return nil, err
		}
		// The transport dials on a context that outlives the try; the
		// proxy ends a stall when the test ends.
		_ = conn.SetDeadline(time.Now().Add(time.Minute))
		req, err := http.NewRequestWithContext(ctx, http.MethodConnect, "http://"+addr, nil)
		if err != nil {
			_ = conn.Close()
			return nil, err
		}
		req.Host = addr
		if err := req.Write(conn); err != nil {
			_ = conn.Close()
			return nil, err
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), req)
		if err != nil {
			_ = conn.Close()
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			_ = conn.Close()
			return nil, fmt.Errorf("proxy refused the CONNECT: %s", resp.Status)
		}
		// The body of a CONNECT's 200 is the tunnel: it is not read here.
		_ = conn.SetDeadline(time.Time{})
		return conn, nil
	}
}

// A proxy that took the connection and then failed the CONNECT put nothing
// of the request on the wire to the server: a change sent through it is
// tried again, and every try is reported as surely not applied.
func TestSendChangeThroughFailingProxyIsNeverSent(t *testing.T) {
	faults := []struct {
		name  string
		fault wiretest.ProxyFault
	}{
		{"407 Proxy Authentication Required", wiretest.ProxyAuthRequired},
		{"502 Bad Gateway", wiretest.ProxyBadGateway},
		{"closed after the CONNECT", wiretest.ProxyCloseAfterConnect},
		{"stalled after the CONNECT", wiretest.ProxyStall},
	}
	for _, tun := range tunnels {
		for _, f := range faults {
			t.Run(tun.name+"/"+f.name, func(t *testing.T) {
				srv := wiretest.Start(t, wiretest.TLSGarbage, []byte(`{"data": {}}`))
				proxy := wiretest.StartProxy(t, f.fault)
				proxyURL, err := url.Parse(proxy.URL)
				require.NoError(t, err)
				tr := sdkTransport(t, srv.Roots)
				tun.set(tr, proxyURL)

				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				resp, out, err := NewSender(&http.Client{Transport: tr}, nil, nil).Send(ctx, proxyPolicy,
					&Request{Method: http.MethodPost, URL: srv.URL + "/pay", Body: []byte(`{"payment_amount": "10.00"}`)})
				if resp != nil {
					resp.Release()
				}
				require.Error(t, err, "a call whose every try the proxy failed")
				assert.NotErrorIs(t, ctx.Err(), context.DeadlineExceeded, "the call outlived its tries")
				assert.Equal(t, proxyPolicy.MaxRetries+1, out.Attempts, "attempts: a change that was never sent is tried again: %v", err)
				assert.False(t, out.MaybeApplied, "MaybeApplied: the proxy refused before the request was sent: %v", err)
				assert.Zero(t, srv.Requests(), "requests that reached the server")
				// A stalled dial goes on after its try gave up, so its
				// CONNECT may reach the proxy after the call ended.
				assert.Eventually(t, func() bool { return proxy.Connects() == out.Attempts }, 10*time.Second, 5*time.Millisecond,
					"CONNECTs the proxy read: %d for %d tries", proxy.Connects(), out.Attempts)
			})
		}
	}
}

// A proxy that opened the tunnel hands the request over: a change whose
// connection is then broken after the server read it is never sent again,
// and may have been applied.
func TestSendChangeThroughWorkingProxyIsSentOnce(t *testing.T) {
	srv := wiretest.Start(t, wiretest.TLSGarbage, []byte(`{"data": {}}`))
	proxy := startTunnelProxy(t)
	proxyURL, err := url.Parse(proxy)
	require.NoError(t, err)
	for _, tun := range tunnels {
		t.Run(tun.name, func(t *testing.T) {
			tr := sdkTransport(t, srv.Roots)
			tun.set(tr, proxyURL)
			before := srv.Applied()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			resp, out, err := NewSender(&http.Client{Transport: tr}, nil, nil).Send(ctx, proxyPolicy,
				&Request{Method: http.MethodPost, URL: srv.URL + "/pay", Body: []byte(`{"payment_amount": "10.00"}`)})
			if resp != nil {
				resp.Release()
			}
			require.Error(t, err)
			assert.Equal(t, 1, srv.Applied()-before, "times the server applied the change")
			assert.Equal(t, 1, out.Attempts, "attempts")
			assert.True(t, out.MaybeApplied, "MaybeApplied: %v", err)
		})
	}
}

// startTunnelProxy starts a proxy that opens every CONNECT's tunnel.
func startTunnelProxy(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		up, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer up.Close()
		w.WriteHeader(http.StatusOK)
		down, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer down.Close()
		if err := brw.Flush(); err != nil {
			return
		}
		done := make(chan struct{}, 2)
		go func() { _, _ = brw.Reader.WriteTo(up); done <- struct{}{} }()
		go func() { _, _ = io.Copy(down, up); done <- struct{}{} }()
		<-done
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}
