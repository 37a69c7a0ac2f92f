package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Page sizes of every list (openapi.yaml, the Limit parameter).
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

// The positions of the lists in keyset order: the row a page ends with,
// which the cursor of the next page carries.
type (
	// keyset is a position in (time, id) order.
	keyset struct {
		At time.Time `json:"t"`
		ID uuid.UUID `json:"i"`
	}
	// nameKeyset is a position in name order.
	nameKeyset struct {
		Key string    `json:"k"`
		ID  uuid.UUID `json:"i"`
	}
	// searchKeyset is a position in (rank, name) order.
	searchKeyset struct {
		Rank int32     `json:"r"`
		Key  string    `json:"k"`
		ID   uuid.UUID `json:"i"`
	}
	// episodeKeyset is a position in (season, episode) order.
	episodeKeyset struct {
		Season  int16 `json:"s"`
		Episode int16 `json:"e"`
	}
	// numberKeyset is a position in channel number order.
	numberKeyset struct {
		Number int32 `json:"n"`
	}
)

// servePage answers a request for a page of a list in keyset order: see
// writePage.
func servePage[P, R, T any](w http.ResponseWriter, r *http.Request, c cursors, listName string, first P,
	rows func(ctx context.Context, after P, limit int32) ([]R, error), row func(R) (T, P)) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	return writePage(w, r, c, page, listName, first, rows, row)
}

// writePage writes a page of the list listName, whose rows are in keyset
// order: rows reads up to limit+1 rows after the position its cursor
// carries (first without one), and the next page's cursor is made from the
// position of the last row kept; row is a row's item and position. A list
// that checks more of the request than ?limit= before it reads the cursor
// calls readPage itself, then writePage.
func writePage[P, R, T any](w http.ResponseWriter, r *http.Request, c cursors, page pageRequest, listName string, first P,
	rows func(ctx context.Context, after P, limit int32) ([]R, error), row func(R) (T, P)) error {
	after := first
	if page.cursor != "" {
		if err := c.decode(listName, page.cursor, &after); err != nil {
			return err
		}
	}
	found, err := rows(r.Context(), after, int32(page.limit+1))
	if err != nil {
		return err
	}
	out := list[T]{Items: make([]T, 0, min(len(found), page.limit))}
	var last P
	for i, f := range found {
		if i == page.limit {
			next := c.encode(listName, last)
			out.NextCursor = &next
			break
		}
		var item T
		item, last = row(f)
		out.Items = append(out.Items, item)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// serveAll answers a request for a page of a list read whole because it is
// short (the genres, a caller's profiles): its cursor holds how many items
// came before, signed like any other.
func serveAll[R, T any](w http.ResponseWriter, r *http.Request, c cursors, listName string,
	rows func(context.Context) ([]R, error), item func(R) T) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	all, err := rows(r.Context())
	if err != nil {
		return err
	}
	skip := 0
	if page.cursor != "" {
		if err := c.decode(listName, page.cursor, &skip); err != nil {
			return err
		}
		skip = min(max(skip, 0), len(all))
	}
	rest := all[skip:]
	out := list[T]{Items: make([]T, 0, min(len(rest), page.limit))}
	for _, a := range rest[:min(len(rest), page.limit)] {
		out.Items = append(out.Items, item(a))
	}
	if len(rest) > page.limit {
		next := c.encode(listName, skip+page.limit)
		out.NextCursor = &next
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
