// Package rules holds what the HTTP layer and the command line both enforce,
// so that neither states it again: the maturity levels, the channel limits,
// an account's profile limit, and the writes that must hold a lock or leave
// an audit row, with the names the audit log gives them.
//
// Its writes run on the *db.Queries of a transaction the caller holds, so
// that a caller can put more in the same transaction (the demo seed makes an
// account and its admin rights at once), and they refuse with this package's
// sentinel errors, which handlers turn into statuses in one place. Reads are
// no business of this package: handlers ask db themselves.
//
// The schema's CHECK constraints repeat the levels and limits, since SQL
// stays the database's own guard; a test proves the two agree.
//
// It imports db and no other package of Marquee.
package rules
