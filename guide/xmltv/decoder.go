package xmltv

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// decoder wraps encoding/xml's token stream with the bounds an untrusted
// upload needs and with helpers to walk elements without unmarshalling them.
type decoder struct {
	xd       *xml.Decoder
	opts     Options
	limiter  *tokenLimiter // the reader the XML decoder reads from now
	depth    int
	elements int
	buf      []byte // scratch for element text, reused across elements
}

func newDecoder(r io.Reader, opts Options) *decoder {
	d := &decoder{opts: opts}
	d.limiter = &tokenLimiter{r: skipBOM(source{r})}
	d.xd = xml.NewDecoder(d.limiter)
	d.xd.Strict = true
	d.xd.CharsetReader = d.charsetReader
	return d
}

// charsetReader decodes the declared encoding. Labels resolve as in the
// WHATWG Encoding Standard, so ISO-8859-1 is read as its superset
// windows-1252, as browsers do. From here on the decoder's offsets count decoded bytes, so the
// token bound moves to a limiter on the decoded stream and the raw one is
// lifted.
func (d *decoder) charsetReader(label string, input io.Reader) (io.Reader, error) {
	r, err := charset.NewReaderLabel(label, input)
	if err != nil {
		return nil, err
	}
	d.limiter.limit = -1
	offset := d.xd.InputOffset()
	d.limiter = &tokenLimiter{r: r, pos: offset, limit: offset + int64(d.opts.MaxTokenBytes) + 1}
	return d.limiter, nil
}

// position is where the decoder stands: the end of the last token read.
type position struct{ line, col int }

func (d *decoder) pos() position {
	line, col := d.xd.InputPos()
	return position{line, col}
}

// errorAt reports a fault at a position; bound is the limit hit, or nil.
func errorAt(at position, bound error, format string, args ...any) error {
	return &SyntaxError{Line: at.line, Column: at.col, Msg: fmt.Sprintf(format, args...), Err: bound}
}

// errorf reports a fault at the decoder's position.
func (d *decoder) errorf(bound error, format string, args ...any) error {
	return errorAt(d.pos(), bound, format, args...)
}

// next returns the next token and enforces the bounds. The +1 in the limit
// lets the decoder peek at the byte that ends a token of exactly
// MaxTokenBytes.
func (d *decoder) next() (xml.Token, error) {
	d.limiter.limit = d.xd.InputOffset() + int64(d.opts.MaxTokenBytes) + 1
	tok, err := d.xd.Token()
	if d.limiter.tripped {
		return nil, d.errorf(ErrTooLarge, "a single token is longer than %d bytes", d.opts.MaxTokenBytes)
	}
	if err != nil {
		return nil, d.tokenError(err)
	}
	switch t := tok.(type) {
	case xml.StartElement:
		d.depth++
		d.elements++
		if d.depth > d.opts.MaxDepth {
			return nil, d.errorf(ErrTooDeep, "elements nested deeper than %d", d.opts.MaxDepth)
		}
		if d.elements > d.opts.MaxElements {
			return nil, d.errorf(ErrTooLarge, "more than %d elements", d.opts.MaxElements)
		}
	case xml.EndElement:
		d.depth--
	case xml.Directive:
		if declaresEntity(t) {
			return nil, d.errorf(ErrEntity, "DOCTYPE declares an entity")
		}
	}
	return tok, nil
}

// tokenError sorts a decoder failure, other than the token bound, into the
// end of the input (io.EOF, passed through), the caller's reader failing, or
// a malformed document.
func (d *decoder) tokenError(err error) error {
	var syntax *xml.SyntaxError
	var read *readError
	switch {
	case err == io.EOF:
		return err
	case errors.As(err, &read):
		return read
	case errors.As(err, &syntax):
		_, col := d.xd.InputPos()
		return errorAt(position{syntax.Line, col}, nil, "%s", syntax.Msg)
	default: // unsupported XML version or encoding
		return d.errorf(nil, "%s", strings.TrimPrefix(err.Error(), "xml: "))
	}
}

// declaresEntity reports whether a directive is, or holds, an entity
// declaration. encoding/xml hands the DOCTYPE over whole, internal subset
// included, without expanding anything.
func declaresEntity(dir xml.Directive) bool {
	upper := bytes.ToUpper(dir)
	return bytes.HasPrefix(upper, []byte("ENTITY")) || bytes.Contains(upper, []byte("<!ENTITY"))
}

// children calls fn for each child element of the element whose start tag
// was just read, and returns after its end tag. fn must consume the child
// (with text, skip or children). Text between children is ignored.
func (d *decoder) children(fn func(xml.StartElement) error) error {
	for {
		tok, err := d.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// skip consumes the element whose start tag was just read. It keeps only a
// depth counter, so skipping costs no memory; next still counts every
// element against the bounds.
func (d *decoder) skip() error {
	for depth := 1; depth > 0; {
		tok, err := d.next()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// text returns the trimmed text of the element whose start tag was just
// read, skipping any child elements. The total is bounded too, since many
// small pieces (text, CDATA, text) can add up past MaxTokenBytes.
func (d *decoder) text() (string, error) {
	d.buf = d.buf[:0]
	for {
		tok, err := d.next()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(d.buf)+len(t) > d.opts.MaxTokenBytes {
				return "", d.errorf(ErrTooLarge, "element text longer than %d bytes", d.opts.MaxTokenBytes)
			}
			d.buf = append(d.buf, t...)
		case xml.StartElement:
			if err := d.skip(); err != nil {
				return "", err
			}
		case xml.EndElement:
			return string(bytes.TrimSpace(d.buf)), nil
		}
	}
}

// outside reads outside the root element: it returns the next start tag, or
// nil at the end of the input, and refuses text there.
func (d *decoder) outside() (*xml.StartElement, error) {
	for {
		tok, err := d.next()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return &t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, d.errorf(nil, "text outside the <tv> element")
			}
		}
	}
}

// attr returns the trimmed value of an attribute, "" when it is absent.
func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}
