// Package clean holds code the lint must leave alone.
package clean

import (
	"fmt"
	"net/http"
	"strings"
)

const constantSQL = "SELECT " + "1" // folded by the compiler: no run-time data

func clean(r *http.Request, n int, parts []string) string {
	q := r.URL.Query()
	msg := fmt.Sprintf("loaded %d titles from the catalog", n)
	path := "/v1/profiles/" + q.Get("id") + "/bookmarks"
	var sb strings.Builder
	sb.WriteString("Continue watching")
	return strings.Join(append(parts, msg, path, sb.String(), constantSQL), ",")
}
