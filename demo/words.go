package demo

// Words that demo titles are made of. Names repeat across a large catalog,
// as real ones do ("Love", "Night", "The Last ..."), which gives searches a
// realistic spread from common words to rare combinations.
var (
	adjectives = []string{
		"Silent", "Broken", "Golden", "Hidden", "Last", "Lost", "Dark", "Bright", "Wild", "Secret",
		"Frozen", "Burning", "Endless", "Forgotten", "Crimson", "Silver", "Hollow", "Quiet", "Restless", "Savage",
		"Electric", "Distant", "Midnight", "Northern", "Southern", "Eternal", "Fading", "Rising", "Fallen", "Shattered",
		"Velvet", "Iron", "Paper", "Glass", "Stone", "Wooden", "Little", "Great", "Lonely", "Happy",
		"Strange", "Curious", "Brave", "Gentle", "Bitter", "Sweet", "Cold", "Warm", "Early", "Late",
		"Blue", "Red", "Green", "Black", "White", "Grey", "Scarlet", "Amber", "Emerald", "Violet",
		"Ancient", "Modern", "Final", "First", "Second", "Double", "Perfect", "Dangerous", "Beautiful", "Impossible",
	}
	nouns = []string{
		"Harbor", "River", "Mountain", "City", "Garden", "Forest", "Ocean", "Desert", "Island", "Valley",
		"Night", "Morning", "Winter", "Summer", "Autumn", "Spring", "Storm", "Rain", "Fire", "Snow",
		"Heart", "Dream", "Shadow", "Light", "Voice", "Mirror", "Promise", "Secret", "Memory", "Letter",
		"Kingdom", "Empire", "Road", "Bridge", "Tower", "House", "Station", "Hotel", "Theater", "Library",
		"Detective", "Stranger", "Soldier", "Doctor", "Teacher", "Queen", "King", "Prince", "Thief", "Pilot",
		"Dragon", "Wolf", "Tiger", "Horse", "Raven", "Fox", "Whale", "Bear", "Owl", "Lion",
		"Engine", "Machine", "Signal", "Frequency", "Planet", "Galaxy", "Comet", "Orbit", "Moon", "Star",
		"Love", "War", "Peace", "Time", "Game", "Song", "Dance", "Journey", "Escape", "Return",
	}
	places = []string{
		"Paris", "Tokyo", "Berlin", "Cairo", "Lisbon", "Oslo", "Havana", "Mumbai", "Sydney", "Vienna",
		"Nairobi", "Lima", "Seoul", "Dublin", "Naples", "Quebec", "Marrakesh", "Reykjavik", "Istanbul", "Kyoto",
	}
	// Syllables of made-up proper names (people, places, ships): they make
	// most names of a large catalog unique, as real titles are.
	syllables = []string{
		"ka", "lo", "ver", "an", "dri", "mo", "sel", "ta", "rin", "bo", "zu", "mel", "tor", "ni", "gar", "ve",
		"ash", "el", "quin", "ro", "sha", "dun", "le", "mir", "ca", "pe", "thal", "os", "ju", "bren", "ix", "ya",
	}
	episodeWords = []string{
		"Pilot", "Beginnings", "The Offer", "Crossroads", "Homecoming", "The Reckoning", "Fault Lines", "Aftermath",
		"Old Friends", "Dead Reckoning", "The Long Way", "Endgame", "Ghosts", "Turning Point", "Blood Ties", "Exodus",
	}
)
