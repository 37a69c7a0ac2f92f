package rules

// Channel limits: what the admin API accepts and an import stores (the
// schema's CHECK constraints on channels).
const (
	MaxChannelNumber = 99999 // numbers run from 1
	MaxChannelName   = 100   // characters
	MaxXMLTVID       = 255   // characters
	MaxLogoURL       = 2048  // characters
)
