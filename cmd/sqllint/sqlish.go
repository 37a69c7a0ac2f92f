package main

import "regexp"

// Where a piece of SQL text ends, a value is spliced in: so a fragment's
// end, a format verb, a bind parameter or a quote stands for a value.
const (
	ident = `[A-Za-z_"][\w."]*`
	value = `(?:%[a-z]|\$\d|'|$)`
)

// upperKeyword is an upper-case keyword followed by what SQL puts there
// (a lower-case or quoted identifier, a parenthesis, a literal, a
// placeholder, a keyword that opens an operand) or by nothing, as in the
// separator " AND ". Shouted English, mnemonics and metavariables of help
// texts have the word but not what follows: "INHERITED FROM PARENT",
// "OR R0, R0", "[--from FROM]", "FRAME-FROM-SERVER" are not SQL.
var upperKeyword = regexp.MustCompile(`(?:^|[^\w-])(SELECT|FROM|WHERE|JOIN|VALUES|RETURNING|HAVING|UNION|TRUNCATE|AND|OR|LIKE|ILIKE)` +
	`(\s*($|[("'*$%:?@])|\s+([a-z_0-9]|(NOT|EXISTS|DISTINCT|ALL|SELECT|TABLE|ONLY|LATERAL)\b|[A-Z_]+\())`)

// strongSQL are statement and clause shapes that no English message takes:
// one is enough. Upper-case keywords that are also HTTP methods or everyday
// English (DELETE, UPDATE, CREATE, IN, SET) count only in such a shape.
var strongSQL = []*regexp.Regexp{
	regexp.MustCompile(`\b(LIMIT|OFFSET)\s*(\d|\$\d|%d|%s|%v|\(|ALL\b|$)`),
	regexp.MustCompile(`\b(ORDER|GROUP) BY\b|\bON CONFLICT\b|\bIS (NOT )?NULL\b|\bINSERT INTO\b|\bDELETE FROM\b`),
	regexp.MustCompile(`\bUPDATE\s+` + ident + `\s*(\bSET\b|$)`),
	regexp.MustCompile(`\b(CREATE|DROP|ALTER)\s+(OR\s+REPLACE\s+)?(UNIQUE\s+|TEMP\w*\s+|MATERIALIZED\s+)?(TABLE|INDEX|DATABASE|ROLE|USER|SCHEMA|VIEW|SEQUENCE|EXTENSION|FUNCTION|TRIGGER|TYPE|POLICY|DOMAIN)\b`),
	regexp.MustCompile(`\bGRANT\s+[A-Z, ]+\s+ON\s+.*\bTO\b`),
	regexp.MustCompile(`\bIN\s*\(|\b` + ident + `\s+(NOT\s+)?IN\s*$`),
	regexp.MustCompile(`^\s*SET\s|\bSET\s+` + ident + `\s*(=|\bTO\b)`),

	// Lower case (and any case): a statement or clause with its operands.
	regexp.MustCompile(`(?i)\bilike\b`),
	regexp.MustCompile(`(?i)\bselect\s+(distinct\s+)?(\*|` + ident + `(\([^)]*\))?(\s*,\s*` + ident + `(\([^)]*\))?)*)\s+from(\s+(` + ident + `|%[a-z]|\$)\s*($|\bwhere\b|\bjoin\b|\border\b|\bgroup\b|\blimit\b|;|\))|\s*$)`),
	regexp.MustCompile(`(?i)\binsert\s+into\s+(` + ident + `|%[a-z])`),
	regexp.MustCompile(`(?i)\bdelete\s+from\s+(` + ident + `|%[a-z])\s*($|\bwhere\b|\busing\b|\breturning\b|;)`),
	regexp.MustCompile(`(?i)\bupdate\s+(` + ident + `|%[a-z])\s+set\s+` + ident + `\s*=`),
	regexp.MustCompile(`(?i)\bwhere\s+` + ident + `\s*(=|<>|!=|<=|>=|<|>|~)`),
	regexp.MustCompile(`(?i)\bwhere\s+` + ident + `\s+(not\s+)?(in\s*\(|between\b|is\s+(not\s+)?null\b|i?like\s*` + value + `)`),
	regexp.MustCompile(`(?i)\b` + ident + `\s+(not\s+)?like\s*('%([^a-z]|$)|\$\d)`),
	regexp.MustCompile(`(?i)\b` + ident + `\s+(not\s+)?in\s*\(\s*(%s|\$\d|'|$)`),
}

// weakSQL are clause shapes that an English sentence may take once
// ("set x = 1", "a and b = 2"): it takes two of them to read as SQL.
var weakSQL = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(and|or)\s+` + ident + `\s*(=|<>|!=|<=|>=|<|>)`),
	regexp.MustCompile(`(?i)\bset\s+[a-z_][\w."]*\s*=`),
	regexp.MustCompile(`(?i)\b(order|group)\s+by\s+` + ident),
	regexp.MustCompile(`(?i)\b(limit|offset)\s+(%d|\$\d|\d+|\?)`),
	regexp.MustCompile(`(?i)\breturning\s+(\*|` + ident + `)`),
	regexp.MustCompile(`(?i)\bvalues\s*\(`),
	regexp.MustCompile(`(?i)\bwhere\s*$`),
	regexp.MustCompile(`(?i)\bjoin\s+` + ident + `\s+(on|using)\b`),
	regexp.MustCompile(`(?i)\bin\s*\(`),
	regexp.MustCompile(`(?i)=\s*any\s*\(`),
	regexp.MustCompile(`(?i)\bis\s+(not\s+)?null\b`),
	regexp.MustCompile(`(?i)\bon\s+conflict\b`),
	regexp.MustCompile(`\$\d+::\w+`),
}

// looksLikeSQL reports text that reads like SQL: an upper-case keyword in
// context, a strong shape, or two different weak ones.
func looksLikeSQL(s string) bool {
	if upperKeyword.MatchString(s) {
		return true
	}
	for _, re := range strongSQL {
		if re.MatchString(s) {
			return true
		}
	}
	weak := 0
	for _, re := range weakSQL {
		if re.MatchString(s) {
			weak++
		}
	}
	return weak >= 2
}
