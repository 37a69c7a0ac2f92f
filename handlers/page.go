package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// Page sizes of every list (API.md, Conventions).
const (
	defaultLimit = 20
	maxLimit     = 100
)

// list is the shape of every list answer.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// cursors signs the keyset position of a list page, so that a cursor is
// opaque to clients and a forged or altered one is refused.
type cursors struct {
	key []byte
}

// macLen is how much of the HMAC-SHA256 a cursor carries: 128 bits.
const macLen = 16

type cursorBody struct {
	List string          `json:"l"` // which list, so a cursor of one list fails on another
	Pos  json.RawMessage `json:"p"`
}

func (c cursors) sign(payload []byte) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write(payload)
	return m.Sum(nil)[:macLen]
}

// encode makes the cursor of list positioned after pos.
func (c cursors) encode(listName string, pos any) string {
	p, _ := json.Marshal(pos)
	payload, _ := json.Marshal(cursorBody{List: listName, Pos: p})
	return base64.RawURLEncoding.EncodeToString(append(c.sign(payload), payload...))
}

// decode reads a cursor of list into pos; any fault is a 400.
func (c cursors) decode(listName, cursor string, pos any) error {
	bad := badRequest("the cursor is not valid for this list")
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(raw) <= macLen {
		return bad
	}
	mac, payload := raw[:macLen], raw[macLen:]
	if !hmac.Equal(mac, c.sign(payload)) {
		return bad
	}
	var body cursorBody
	if json.Unmarshal(payload, &body) != nil || body.List != listName || json.Unmarshal(body.Pos, pos) != nil {
		return bad
	}
	return nil
}

// pageRequest is a list request's ?limit= and ?cursor=.
type pageRequest struct {
	limit  int
	cursor string // "" for the first page
}

// readPage reads ?limit= (1..100, default 20) and ?cursor=.
func readPage(r *http.Request) (pageRequest, error) {
	q := r.URL.Query()
	p := pageRequest{limit: defaultLimit, cursor: q.Get("cursor")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return p, badRequest("limit must be a whole number")
		}
		if n < 1 || n > maxLimit {
			return p, invalid(FieldError{Field: "limit", Message: "must be between 1 and 100"})
		}
		p.limit = n
	}
	return p, nil
}

// pageOf cuts rows (fetched with limit+1) to the page and makes the cursor
// of the next one from the last row kept.
func pageOf[R, T any](c cursors, listName string, p pageRequest, rows []R, item func(R) T, pos func(R) any) list[T] {
	out := list[T]{Items: make([]T, 0, min(len(rows), p.limit))}
	for i, row := range rows {
		if i == p.limit {
			next := c.encode(listName, pos(rows[i-1]))
			out.NextCursor = &next
			break
		}
		out.Items = append(out.Items, item(row))
	}
	return out
}

// pageAll pages a list read whole because it is short (the genres, a
// caller's profiles): its cursor holds how many items came before, signed
// like any other.
func pageAll[T any](c cursors, listName string, p pageRequest, all []T) (list[T], error) {
	skip := 0
	if p.cursor != "" {
		if err := c.decode(listName, p.cursor, &skip); err != nil {
			return list[T]{}, err
		}
		skip = min(max(skip, 0), len(all))
	}
	rest := all[skip:]
	out := list[T]{Items: rest[:min(len(rest), p.limit)]}
	if len(rest) > p.limit {
		next := c.encode(listName, skip+p.limit)
		out.NextCursor = &next
	}
	return out, nil
}
