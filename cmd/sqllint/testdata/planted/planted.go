// Package planted holds SQL built in Go, each line marked with what the lint must say.
package planted

import (
	"fmt"
	"strings"
)

func planted(name string, ids []string) {
	q := fmt.Sprintf("SELECT * FROM titles WHERE name = '%s'", name)   // want "SQL built with fmt.Sprintf"
	q2 := "SELECT * FROM titles WHERE name = '" + name + "'"           // want "SQL built with +"
	q3 := "DELETE FROM x WHERE id IN (" + strings.Join(ids, ",") + ")" // want "SQL built with +"
	var sb strings.Builder
	sb.WriteString("UPDATE titles SET name = ") // want "SQL built with strings.Builder.WriteString"
	q4 := "id = 1"
	q4 += " AND name = " + name                                           // want "SQL built with +"
	q5 := fmt.Sprint("select id from titles where ", q4)                  // want "SQL built with fmt.Sprint"
	q6 := strings.Join([]string{"INSERT INTO t VALUES (", name, ")"}, "") // want "SQL built with strings.Join"
	_, _, _, _, _, _ = q, q2, q3, q5, q6, sb.String()
}
