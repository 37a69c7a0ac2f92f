package xmltv

// Options tunes Parse. The zero value is usable: every zero field takes the
// default named in its comment.
type Options struct {
	// Lang is the preferred language for titles, descriptions and
	// categories, matched case-insensitively and by prefix ("en" matches
	// "en-GB" and the other way round). Default "en", as in Marquee's
	// configuration.
	Lang string
	// UnratedMinAge is the minimum age of a programme with no rating at all.
	// It is rounded up to one of the maturity levels (rules.MaturityAtLeast).
	UnratedMinAge int
	// MaxDepth bounds element nesting. Default 32; real XMLTV needs about 6.
	MaxDepth int
	// MaxElements bounds the number of elements in the document, skipped
	// ones included. Default 2,000,000.
	MaxElements int
	// MaxTokenBytes bounds one token as the decoder reads it: a text run, a
	// start tag with its attributes, a comment, a CDATA section or a
	// directive; and the text of one element. Default 1 MiB.
	MaxTokenBytes int
	// MaxWaiting bounds the programmes without a stop held at once, each
	// waiting for the next programme on its channel (so one per channel).
	// Default 10,000, as many as the channels an import may declare.
	MaxWaiting int
}

const (
	defaultLang          = "en"
	defaultMaxDepth      = 32
	defaultMaxElements   = 2_000_000
	defaultMaxTokenBytes = 1 << 20
	defaultMaxWaiting    = 10_000
)

// withDefaults fills the zero (or negative) fields, so the rest of the
// package never has to ask whether a bound is set.
func (o Options) withDefaults() Options {
	if o.Lang == "" {
		o.Lang = defaultLang
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = defaultMaxDepth
	}
	if o.MaxElements <= 0 {
		o.MaxElements = defaultMaxElements
	}
	if o.MaxTokenBytes <= 0 {
		o.MaxTokenBytes = defaultMaxTokenBytes
	}
	if o.MaxWaiting <= 0 {
		o.MaxWaiting = defaultMaxWaiting
	}
	return o
}
