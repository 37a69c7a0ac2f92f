// Package xmltv owns reading XMLTV programme-guide documents.
//
// It streams a document token by token and hands each channel and programme
// to the caller already reduced to what Marquee keeps: UTC times, one title,
// synopsis and category list in the preferred language, and a minimum age.
// It knows nothing about storage (of Marquee it imports only rules, for the
// maturity levels a rating maps to); because Parse validates the whole
// document while streaming and reports any fault as an error, a caller that
// writes inside one transaction can roll everything back on error.
//
// Uploads are untrusted, so the decoder refuses entity declarations and
// bounds nesting depth, element count and the size of any single token:
// a hostile document costs a clear error, not memory.
package xmltv
