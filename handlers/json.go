package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Body limits: past them the answer is 413.
const (
	maxBodyBytes = 1 << 20 // any JSON body
	smallBody    = 4 << 10 // read in one allocation of the declared length
)

// maxXMLBytes limits an XMLTV guide upload (POST /v1/admin/epg/xmltv).
const maxXMLBytes = 64 << 20

// decode reads exactly one JSON object into dst (a pointer to a struct),
// refusing with an *Error that says what is wrong: a body over 1 MiB (413),
// invalid UTF-8, anything but an object, a key that is not one of dst's
// fields spelled exactly (case included), a key given twice, trailing data,
// or a value of the wrong type (400). So `{"is_admin": true}` can never slip
// through, and no proxy can read a body differently from us.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := readBody(w, r, maxBodyBytes)
	if err != nil {
		return err
	}
	return decodeBytes(body, dst)
}

// readBody reads a body of at most limit bytes (else 413). A small declared
// length is read into a buffer of just that size (net/http delivers exactly
// that many bytes or fails): io.ReadAll would start at 512 bytes for a
// heartbeat of 25. A large one is not trusted with memory before its bytes
// arrive.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	if r.ContentLength >= 0 && r.ContentLength <= smallBody {
		body := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, badRequest("the body could not be read")
		}
		return body, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var overLimit *http.MaxBytesError
	if errors.As(err, &overLimit) {
		return nil, tooLarge(limit)
	}
	if err != nil {
		return nil, badRequest("the body could not be read")
	}
	return body, nil
}

// decodeBytes is decode of a body already read.
func decodeBytes(body []byte, dst any) error {
	if !utf8.Valid(body) {
		return badRequest("the body is not valid UTF-8")
	}
	badUUID, err := checkKeys(body, dst)
	if err != nil {
		return err
	}
	if badUUID != nil {
		// encoding/json would stop at it with an error that names no field.
		return badUUID
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	return nil
}

// xmlBody is the body of an XML upload of at most limit bytes (maxXMLBytes),
// to be read as it streams: it must be declared application/xml or text/xml
// (else 415). A declared length over limit is refused at once (413); reading
// past it fails with an *http.MaxBytesError, which writeError answers 413 too.
func xmlBody(w http.ResponseWriter, r *http.Request, limit int64) (io.Reader, error) {
	media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (media != "application/xml" && media != "text/xml") {
		return nil, &Error{Status: http.StatusUnsupportedMediaType, Detail: "send the XMLTV document as application/xml"}
	}
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	return http.MaxBytesReader(w, r.Body, limit), nil
}

func tooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Detail: fmt.Sprintf("the body is larger than %s", size(limit))}
}

func size(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// checkKeys makes sure body is a JSON object whose keys are fields of dst,
// spelled exactly, each at most once: encoding/json alone would match keys
// case-insensitively and let the last of two equal keys win. It also names
// the first UUID field whose value is a string but not a UUID (badUUID, a
// 422), which encoding/json does not; err, a 400, is about the whole body.
func checkKeys(body []byte, dst any) (badUUID, err error) {
	fields := jsonFields(reflect.TypeOf(dst).Elem())
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, badRequest("the body is empty; a JSON object is required")
	}
	if err != nil {
		return nil, decodeError(err)
	}
	if tok != json.Delim('{') {
		return nil, badRequest("the body must be a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, decodeError(err)
		}
		key := tok.(string) // inside an object, Token returns keys as strings
		typ, known := fields[key]
		if !known {
			return nil, badRequest("unknown field %q", key)
		}
		if seen[key] {
			return nil, badRequest("field %q is given twice", key)
		}
		seen[key] = true
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, decodeError(err)
		}
		if typ == uuidType || typ == reflect.PointerTo(uuidType) {
			var s *string
			switch {
			case json.Unmarshal(value, &s) != nil:
				return nil, badRequest("field %q must be a string", key)
			case s != nil && badUUID == nil:
				if _, err := uuid.Parse(*s); err != nil {
					badUUID = invalid(FieldError{Field: key, Message: "must be a UUID"})
				}
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest("the body must hold a single JSON value")
	}
	return badUUID, nil
}

var uuidType = reflect.TypeFor[uuid.UUID]()

// jsonFields maps the JSON names of a struct's fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func decodeError(err error) *Error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		return badRequest("malformed JSON at byte %d", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return badRequest("malformed JSON: the body ends too early")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badRequest("the body must be a JSON object")
		}
		if strings.HasPrefix(typ.Value, "number") && integer(typ.Type.Kind()) {
			// The right JSON type, but a value the field cannot hold.
			return invalid(FieldError{Field: typ.Field, Message: "must be a whole number, without fraction or exponent, in the field's range"})
		}
		return badRequest("field %q must be %s", typ.Field, jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return badRequest("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return badRequest("the body is not valid JSON")
}

func integer(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Uint64
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a number"
}

// writeJSON answers with v encoded as JSON. Answers are about the caller
// (and may carry tokens), so no cache keeps them.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
