package handlers

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/uuid"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	type body struct {
		Email string     `json:"email"`
		Age   int        `json:"age"`
		Ref   *uuid.UUID `json:"ref"`
	}
	cases := []struct {
		name   string
		in     string
		status int    // 0: accepted
		detail string // a part of the detail
	}{
		{"object", `{"email":"a@b.c","age":3}`, 0, ""},
		{"unknown field", `{"email":"a@b.c","is_admin":true}`, 400, `unknown field "is_admin"`},
		{"second value", `{"email":"a"} {"email":"b"}`, 400, "single JSON value"},
		{"trailing garbage", `{"email":"a"}x`, 400, "single JSON value"},
		{"wrong type", `{"age":"three"}`, 400, `field "age" must be a number`},
		{"wrong type string", `{"email":3}`, 400, `field "email" must be a string`},
		{"number out of range", `{"age":99999999999999999999}`, 422, "invalid values"},
		{"fraction for a whole number", `{"age":1.5}`, 422, "invalid values"},
		{"uuid", `{"ref":"0b6f3c1e-5a4d-4a8e-9f1e-2d3c4b5a6f70"}`, 0, ""},
		{"null uuid", `{"ref":null}`, 0, ""},
		{"not a uuid", `{"ref":"nope"}`, 422, "invalid values"},
		{"uuid as a number", `{"ref":3}`, 400, `field "ref" must be a string`},
		{"not a uuid, then trailing data", `{"ref":"nope"}x`, 400, "single JSON value"},
		{"not a uuid, twice", `{"ref":"nope","ref":"nope"}`, 400, `field "ref" is given twice`},
		{"not a uuid, then an unknown field", `{"ref":"nope","zzz":1}`, 400, `unknown field "zzz"`},
		{"not a uuid, among good fields", `{"email":"a@b.c","ref":"nope","age":3}`, 422, "invalid values"},
		{"array", `[1,2]`, 400, "must be a JSON object"},
		{"empty", ``, 400, "empty"},
		{"malformed", `{"email":`, 400, "ends too early"},
		{"syntax", `{"email" "a"}`, 400, "malformed JSON at byte"},
		{"duplicate key", `{"email":"a","email":"b"}`, 400, `field "email" is given twice`},
		{"key in another case", `{"EMAIL":"a"}`, 400, `unknown field "EMAIL"`},
		{"null", `null`, 400, "must be a JSON object"},
		{"string", `"x"`, 400, "must be a JSON object"},
		{"invalid UTF-8", "{\"email\":\"\xff\xfe\"}", 400, "not valid UTF-8"},
		{"too large", `{"email":"` + strings.Repeat("a", maxBodyBytes) + `"}`, 413, "1 MiB"},
		{"too large after a value", `{"email":"a"}` + strings.Repeat(" ", maxBodyBytes), 413, "1 MiB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.in))
			var b body
			err := decode(httptest.NewRecorder(), r, &b)
			if c.status == 0 {
				if err != nil {
					t.Fatalf("decode(%s) = %v", c.in, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Status != c.status || !strings.Contains(e.Detail, c.detail) {
				t.Fatalf("decode = %v, want %d containing %q", err, c.status, c.detail)
			}
			if e.Status == http.StatusUnprocessableEntity && (len(e.Fields) != 1 || !strings.Contains(c.in, `"`+e.Fields[0].Field+`"`)) {
				t.Fatalf("decode = %v with fields %v, want the field named", err, e.Fields)
			}
		})
	}
}

// readBody trusts a declared length only as far as the bytes that come: a
// short body is a 400, a long declaration a 413 before anything is read, and
// a body of unknown length is cut at the limit.
func TestReadBody_DeclaredAndUnknownLengths(t *testing.T) {
	t.Parallel()
	const limit = maxBodyBytes
	cases := []struct {
		name     string
		body     io.Reader
		declared int64 // -1: unknown (chunked)
		want     string
		status   int // 0: read
	}{
		{"declared, exact", strings.NewReader(`{"position_seconds":42}`), 23, `{"position_seconds":42}`, 0},
		{"declared, empty", strings.NewReader(""), 0, "", 0},
		{"declared, shorter body", strings.NewReader(`{"position`), 23, "", 400},
		{"declared over the limit, not read", iotest.ErrReader(errors.New("read")), limit + 1, "", 413},
		{"declared over smallBody", strings.NewReader(strings.Repeat("x", 5000)), 5000, strings.Repeat("x", 5000), 0},
		{"unknown, small", strings.NewReader(`{"a":1}`), -1, `{"a":1}`, 0},
		{"unknown, over the limit", strings.NewReader(strings.Repeat("x", limit+1)), -1, "", 413},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPut, "/", c.body)
			r.ContentLength = c.declared
			got, err := readBody(httptest.NewRecorder(), r, limit)
			if c.status == 0 {
				if err != nil || string(got) != c.want {
					t.Fatalf("readBody = %q, %v; want %q", got, err, c.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Status != c.status {
				t.Fatalf("readBody = %q, %v; want status %d", got, err, c.status)
			}
		})
	}
}

func TestPlainPosition_ReadsWhatPlayersSendAndLeavesTheRestToDecode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int32{
		`{"position_seconds":120}`:                      120,
		`{"position_seconds":0}`:                        0,
		" {\n\t\"position_seconds\" : 2147483647 }\r\n": 2147483647,
	} {
		if n, ok := plainPosition([]byte(in)); !ok || n != want {
			t.Errorf("plainPosition(%q) = %d, %v; want %d", in, n, ok, want)
		}
	}
	for _, in := range []string{
		``, `{}`, `{"position_seconds":-1}`, `{"position_seconds":1.5}`, `{"position_seconds":1e3}`,
		`{"position_seconds":01}`, `{"position_seconds":2147483648}`, `{"position_seconds":"12"}`,
		`{"position_seconds":null}`, `{"position_seconds":1,"position_seconds":2}`, `{"Position_Seconds":1}`,
		`{"position_seconds":1}x`, `{"position_seconds":1}{}`, `{"position_seconds":1`, `["position_seconds",1]`,
	} {
		if n, ok := plainPosition([]byte(in)); ok {
			t.Errorf("plainPosition(%q) = %d, want it left to decode", in, n)
		}
	}
}

func TestPositionBody_OtherFormsKeepDecodesAnswers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"position_seconds":1,"position_seconds":2}`: `field "position_seconds" is given twice`,
		`{"position_seconds":"1"}`:                    `field "position_seconds" must be a number`,
		`{"position_seconds":1,"x":2}`:                `unknown field "x"`,
		`{"position_seconds":1} {}`:                   "single JSON value",
		`[]`:                                          "must be a JSON object",
	} {
		r := httptest.NewRequest(http.MethodPut, "/", strings.NewReader(in))
		_, err := positionBody(httptest.NewRecorder(), r)
		var e *Error
		if !errors.As(err, &e) || e.Status != http.StatusBadRequest || !strings.Contains(e.Detail, want) {
			t.Errorf("positionBody(%s) = %v, want 400 containing %q", in, err, want)
		}
	}
	for _, in := range []string{`{"position_seconds":1.5}`, `{"position_seconds":2147483648}`, `{"position_seconds":-99999999999}`} {
		r := httptest.NewRequest(http.MethodPut, "/", strings.NewReader(in))
		_, err := positionBody(httptest.NewRecorder(), r)
		var e *Error
		if !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity || len(e.Fields) != 1 || e.Fields[0].Field != "position_seconds" {
			t.Errorf("positionBody(%s) = %v, want 422 naming position_seconds", in, err)
		}
	}
	r := httptest.NewRequest(http.MethodPut, "/", strings.NewReader(`{"position_seconds": -7}`))
	if n, err := positionBody(httptest.NewRecorder(), r); err != nil || n == nil || *n != -7 {
		t.Errorf("a negative position reaches the handler's check: %v %v", n, err)
	}
}

// FuzzPlainPosition: whatever plainPosition accepts, decode accepts too,
// with the same value.
func FuzzPlainPosition(f *testing.F) {
	for _, s := range []string{`{"position_seconds":120}`, ` { "position_seconds" : 0 } `, `{"position_seconds":01}`, `{"position_seconds":1e3}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		n, ok := plainPosition(body)
		if !ok {
			return
		}
		var in struct {
			PositionSeconds *int32 `json:"position_seconds"`
		}
		if err := decodeBytes(body, &in); err != nil || in.PositionSeconds == nil || *in.PositionSeconds != n {
			t.Fatalf("plainPosition(%q) = %d but decode gives %v, %v", body, n, in.PositionSeconds, err)
		}
	})
}
