package xmltv

import (
	"fmt"
	"testing"
)

func TestMinAge_OneRatingMapsToItsLevel(t *testing.T) {
	tests := []struct {
		value string
		want  int
	}{
		// US TV, in every spelling the normalisation folds together.
		{"TV-Y", 0}, {"TVY", 0}, {"TV-G", 0}, {"TV-Y7", 7}, {"TV-Y7-FV", 7}, {"TV-PG", 7},
		{"TV-14", 16}, {"TV14", 16}, {"tv 14", 16}, {"Tv-14", 16}, {" TV-14 ", 16}, {"TV-MA", 18},
		// MPAA.
		{"G", 0}, {"PG", 7}, {"PG-13", 13}, {"pg13", 13}, {"R", 18}, {"NC-17", 18},
		// Age forms: the number N, then the smallest level >= N.
		{"14+", 16}, {"18+", 18}, {"0+", 0}, {"6+", 7}, {"7", 7}, {"8", 13},
		{"FSK 12", 13}, {"FSK12", 13}, {"FSK 0", 0}, {"FSK 16", 16}, {"fsk 18", 18},
		{"12", 13}, {"13", 13}, {"15", 16}, {"16", 16}, {"C8", 13}, {"-12", 13},
		// Numbers above 18 are 18.
		{"21", 18}, {"99+", 18}, {"99999999999999999999999", 18},
		// Anything not understood fails closed.
		{"", 18}, {"   ", 18}, {"NR", 18}, {"Unrated", 18}, {"+14", 18}, {"12A", 18},
		{"14++", 18}, {"TV", 18}, {"PG-13-ish", 18}, {"１２", 18},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q is %d", tt.value, tt.want), func(t *testing.T) {
			if got := MinAge([]Rating{{System: "any", Value: tt.value}}, 0); got != tt.want {
				t.Errorf("MinAge(%q) = %d, want %d", tt.value, got, tt.want)
			}
		})
	}
}

func TestMinAge_SeveralRatingsMostRestrictiveWins(t *testing.T) {
	tests := []struct {
		name    string
		ratings []Rating
		want    int
	}{
		{"three systems agreeing on 16", []Rating{
			{"Canadian Parental Rating", "14+"}, {"USA Parental Rating", "TV14"}, {"VCHIP", "TV-14"}}, 16},
		{"lowest first", []Rating{{"MPAA", "G"}, {"MPAA", "R"}}, 18},
		{"highest first", []Rating{{"MPAA", "PG-13"}, {"VCHIP", "TV-Y7"}}, 13},
		{"an unknown one makes it 18", []Rating{{"MPAA", "G"}, {"other", "??"}}, 18},
		{"an empty one makes it 18", []Rating{{"MPAA", "G"}, {"", ""}}, 18},
		{"all zero stays 0", []Rating{{"MPAA", "G"}, {"VCHIP", "TV-Y"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MinAge(tt.ratings, 7); got != tt.want {
				t.Errorf("MinAge(%v) = %d, want %d", tt.ratings, got, tt.want)
			}
		})
	}
}

func TestMinAge_NoRatingGivesUnratedRoundedUpToALevel(t *testing.T) {
	for _, tt := range []struct{ unrated, want int }{
		{0, 0}, {7, 7}, {13, 13}, {16, 16}, {18, 18}, {-1, 0}, {10, 13}, {30, 18},
	} {
		t.Run(fmt.Sprintf("unrated %d is %d", tt.unrated, tt.want), func(t *testing.T) {
			if got := MinAge(nil, tt.unrated); got != tt.want {
				t.Errorf("MinAge(nil, %d) = %d, want %d", tt.unrated, got, tt.want)
			}
		})
	}
}
