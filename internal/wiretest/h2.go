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
	"sync"
)

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
