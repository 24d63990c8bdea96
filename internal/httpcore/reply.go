package httpcore

import (
	"bytes"
	"io"
	"net/http"
	"sync"

	"github.com/assetkit/asset-go/internal/redact"
)

// MaxErrorBody is how much of an answer that is not a success an error
// keeps: enough for any error document, little enough to keep in an error.
const MaxErrorBody = 64 << 10

// errorBodySlack is how much Send reads past MaxErrorBody, so that a
// credential quoted across the cut, in any encoding, is found whole and
// redacted before the body is cut (see KeptBody).
const errorBodySlack = 16 << 10

// KeptBody is what an error keeps of body: a copy of its first
// MaxErrorBody bytes, with secrets redacted before the cut so that none
// leaves its first characters behind.
func KeptBody(body []byte, secrets []string) []byte {
	b := redact.Bytes(body[:min(len(body), MaxErrorBody+errorBodySlack)], secrets)
	return bytes.Clone(b[:min(len(b), MaxErrorBody)])
}

// Reply is the last answer to a Send, its body read and closed.
type Reply struct {
	StatusCode int
	Header     http.Header
	// Body is the answer's body, at most Request.MaxBody bytes of a success
	// and MaxErrorBody+errorBodySlack of any other answer (KeptBody cuts
	// it to MaxErrorBody). It is valid until Release.
	Body []byte
	// TooLong is true when the body was longer than its bound.
	TooLong bool
	// ReadErr is what cut the body short. A read's success body is read
	// inside the retry loop, so a cut one is tried again instead; a
	// change's, or an error's, is read once, after the loop.
	ReadErr error

	buf *bytes.Buffer
}

// Release hands the body's buffer back for reuse; Body must not be used
// after it.
func (r *Reply) Release() {
	if r == nil || r.buf == nil {
		return
	}
	putBuffer(r.buf)
	r.buf, r.Body = nil, nil
}

func success(status int) bool { return status >= 200 && status < 300 }

// discardLimit bounds how much of an unwanted body is read so that the
// connection can be reused; past it, closing the connection is cheaper.
const discardLimit = 256 << 10

// discard drains a little of body, so the connection goes back to the pool,
// and closes it.
func discard(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, discardLimit))
	_ = body.Close()
}

// readLimited reads at most limit bytes of body into buf and closes body. It
// reports whether the body was longer than limit.
func readLimited(buf *bytes.Buffer, body io.ReadCloser, limit int64) (truncated bool, err error) {
	defer discard(body)
	over := limit + 1
	if over <= 0 {
		over = limit // limit is math.MaxInt64: no room to read past it
	}
	n, err := buf.ReadFrom(io.LimitReader(body, over))
	if n > limit {
		buf.Truncate(int(limit))
		return true, err
	}
	return false, err
}

// bufferPool recycles body buffers; a buffer that grew past maxPooled (an
// unusually large page) is left to the garbage collector.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooled = 1 << 20

func getBuffer() *bytes.Buffer {
	b := bufferPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		bufferPool.Put(b)
	}
}
