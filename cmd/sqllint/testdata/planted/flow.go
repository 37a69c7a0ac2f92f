package planted

import (
	"fmt"
	"strings"
)

const byName = "SELECT id FROM titles WHERE name = '%s'"

var byGenre = "select id from titles where genre = "

// flows: SQL held in named constants and variables, package-level and
// local, that reaches a formatting call or a concatenation.
func flows(name, genre string, id int) []string {
	const byID = "DELETE FROM titles WHERE id = "
	base := "SELECT id FROM titles"
	alias := base
	var cond string
	if id > 0 {
		cond = "deleted_at IS NULL"
	}
	q := "id = 1"
	q += " " + genre // no SQL in either: not reported
	sql := base
	sql += " " + genre // want "SQL built with +=: sql, holding base, holding"
	var sb strings.Builder
	sb.WriteString(base) // want "SQL built with strings.Builder.WriteString: base"
	return []string{
		fmt.Sprintf(byName, name),   // want "SQL built with fmt.Sprintf: byName = "
		byID + fmt.Sprint(id),       // want "SQL built with +: byID = "
		base + name,                 // want "SQL built with +: base, holding \"SELECT id FROM titles\""
		alias + name,                // want "SQL built with +: alias, holding base, holding"
		byGenre + genre,             // want "SQL built with +: byGenre, holding"
		name + " AND " + cond,       // want "SQL built with +"
		genre + cond,                // want "SQL built with +: cond, holding"
		fmt.Sprintf("%s%s", sql, q), // want "SQL built with fmt.Sprintf: sql"
		sb.String(), q,
	}
}
