package xmltv

import (
	"errors"
	"fmt"
)

// The bounds a hostile document can hit. They reach the caller wrapped in a
// *SyntaxError (which says where), so errors.Is tells them apart: a caller
// answers ErrTooLarge with 413 and the others with 400.
var (
	// ErrTooLarge: more than MaxElements elements, or one token or element
	// text longer than MaxTokenBytes.
	ErrTooLarge = errors.New("xmltv: document too large")
	// ErrTooDeep: elements nested deeper than MaxDepth.
	ErrTooDeep = errors.New("xmltv: elements nested too deep")
	// ErrEntity: the document declares entities (billion laughs, external
	// entities). Guides never need them, so any declaration is refused.
	ErrEntity = errors.New("xmltv: entity declarations are not allowed")
)

// SyntaxError says where a document broke and what was wrong, so whoever
// uploaded it can fix it. Err is nil for a plain malformed document and one
// of ErrTooLarge, ErrTooDeep or ErrEntity when a bound was hit.
type SyntaxError struct {
	Line   int // 1-based
	Column int // 1-based, in bytes of the decoded (UTF-8) text
	Msg    string
	Err    error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("xmltv: line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// Unwrap exposes the bound that was hit, if any, to errors.Is.
func (e *SyntaxError) Unwrap() error { return e.Err }
