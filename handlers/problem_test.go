package handlers

import (
	"net/http"
	"testing"

	"marquee/db"
)

// TestAPIError_WhatWasDeletedMeanwhileIsNotFound: a write whose profile,
// title or channel was deleted while it ran fails a foreign key; the caller
// gets 404, not a 500.
func TestAPIError_WhatWasDeletedMeanwhileIsNotFound(t *testing.T) {
	t.Parallel()
	e := apiError(&db.ConstraintError{Kind: db.ErrMissingReference, Constraint: "watchlist_title_id_fkey"})
	if e == nil || e.Status != http.StatusNotFound {
		t.Fatalf("apiError = %+v, want 404", e)
	}
}
