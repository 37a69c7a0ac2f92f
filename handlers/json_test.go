package handlers

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	type body struct {
		Email string `json:"email"`
		Age   int    `json:"age"`
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
		})
	}
}
