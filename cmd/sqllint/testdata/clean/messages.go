package clean

import (
	"fmt"
	"strings"
)

const mustBe = "must be one of %s"

const channel = "marquee_auth"

var probe = "SELECT 1"

// messages: English that shares words with SQL (in, set, from, like, or,
// select, delete, update, where), HTTP methods, SQL that is only passed
// along or folded at compile time, and attack strings sent as data.
func messages(name string, levels []string, n int, use func(string)) []string {
	method := "DELETE"
	use(probe)
	for _, payload := range []string{"' OR 1=1 --", "x' UNION SELECT id FROM users --"} {
		use("/v1/titles?q=" + payload)
	}
	return []string{
		fmt.Sprintf(mustBe, strings.Join(levels, ", ")),
		fmt.Sprintf("failed to set %s: %d", name, n),
		"id in the body: " + name,
		"log in from " + name,
		method + " /v1/profiles/" + name,
		"select a profile from the list, " + name,
		"delete from the cache " + name,
		"New in the catalog: " + name,
		fmt.Sprintf("loaded %d titles from %s", n, name),
		"it looks like " + name,
		"where the name is " + name,
		"update the profile " + name + " or create one",
		"LISTEN " + channel,
		fmt.Sprintf("replacing node in (%v,%v)", name, n),
		fmt.Errorf("query %q failed", probe).Error(),
	}
}
