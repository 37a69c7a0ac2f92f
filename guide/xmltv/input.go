package xmltv

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// skipBOM drops a leading UTF-8 byte-order mark, which encoding/xml would
// otherwise take for text before the XML declaration.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	return br
}

// readError marks a failure of the caller's reader, so a dropped connection
// is reported as such and not as a broken document.
type readError struct{ err error }

func (e *readError) Error() string { return "xmltv: reading input: " + e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// source is the caller's reader with its errors marked as readErrors.
type source struct{ r io.Reader }

func (s source) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		err = &readError{err}
	}
	return n, err
}

// errTokenTooLarge is what tokenLimiter makes the XML decoder's read fail with.
var errTokenTooLarge = errors.New("token too large")

// tokenLimiter sits between the input and encoding/xml, which buffers a whole
// token (a 10 MiB attribute, a 1 GiB comment) before returning it. Before each
// token the decoder is allowed to read only MaxTokenBytes past the end of the
// previous one, so no token it buffers can be larger than that. pos and limit
// are offsets in the decoder's input, the same units as InputOffset.
//
// encoding/xml does not always report a failed read as such: it may return
// the truncated token, or call it invalid UTF-8 when the cut split a
// character. So the limiter remembers that it tripped, and that decides.
type tokenLimiter struct {
	r       io.Reader
	pos     int64 // offset of the next byte this reader delivers
	limit   int64 // pos may not pass it; negative means unbounded
	tripped bool
}

func (l *tokenLimiter) Read(p []byte) (int, error) {
	if l.limit >= 0 {
		room := l.limit - l.pos
		if room <= 0 {
			l.tripped = true
			return 0, errTokenTooLarge
		}
		if int64(len(p)) > room {
			p = p[:room]
		}
	}
	n, err := l.r.Read(p)
	l.pos += int64(n)
	return n, err
}
