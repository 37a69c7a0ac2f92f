package planted

import (
	"fmt"
	"strings"
)

// shapes: the injection shapes of IN lists and LIKE patterns, and SQL in
// lower case.
func shapes(name, q string, ids []string, n int) []string {
	list := strings.Join(ids, ",")
	return []string{
		fmt.Sprintf("id IN (%s)", list),                     // want "SQL built with fmt.Sprintf"
		"name ILIKE '%" + q + "%'",                          // want "SQL built with +"
		"name LIKE '%" + q + "%'",                           // want "SQL built with +"
		"kind = 'film' OR name = '" + name + "'",            // want "SQL built with +"
		" SET name = " + name,                               // want "SQL built with +"
		"select id from titles where name = '" + name + "'", // want "SQL built with +"
		fmt.Sprintf("where name like '%%%s%%'", q),          // want "SQL built with fmt.Sprintf"
		"id in (" + list + ")",                              // want "SQL built with +"
		"update titles set name = '" + name + "'",           // want "SQL built with +"
		fmt.Sprintf("name ilike '%%%s%%'", q),               // want "SQL built with fmt.Sprintf"
		"delete from titles where id = " + name,             // want "SQL built with +"
		fmt.Sprintf("order by name limit %d", n),            // want "SQL built with fmt.Sprintf"
	}
}
