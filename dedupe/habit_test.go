package dedupe

import (
	"strings"
	"testing"
)

// slowHabit is habitOfTheInstitute as an Index loop per name.
func slowHabit(text string) bool {
	for _, w := range instituteWords {
		for j := range indexAll(text, w) {
			if containsAny(text[j:min(len(text), j+len(w)+40)], habitAdverbs) {
				return true
			}
		}
	}
	return false
}

func TestHabitOfTheInstituteAsBefore(t *testing.T) {
	texts := append(readingTexts(t), "інститут, що щодня публікує аналіз", "the institute publishes quotidiennement",
		"el instituto publica diariamente", "institut", "das institut ist täglich ", "instytut codziennie")
	habits := 0
	for _, s := range texts {
		lower := strings.ToLower(s)
		got, want := habitOfTheInstitute(lower), slowHabit(lower)
		if got != want {
			t.Errorf("habitOfTheInstitute(%.80q) = %v, want %v", lower, got, want)
		}
		if want {
			habits++
		}
	}
	if habits < 5 {
		t.Errorf("only %d texts with the habit: the comparison proves little", habits)
	}
}
