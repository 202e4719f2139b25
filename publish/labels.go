package publish

import (
	"fmt"
	"strings"
	"time"

	"iswfeed/config"
	"iswfeed/dedupe"
)

// labels are the words that feeds and pages put around the sources' content,
// in one language. Language names stay in their own language (langNames).
type labels struct {
	// Versions leads the line that links every version of a report.
	Versions string
	// Original and Below mark the original and the version shown below.
	Original, Below string
	// OriginalAtISW links ISW's own page of a report.
	OriginalAtISW string
	// AllLanguages names the merged feed; ElseOriginal follows a language's
	// name to name its feed where the original stands in for a translation.
	AllLanguages, ElseOriginal string
	// Update names a report by its number, "Update %d".
	Update string
	// Report is the title of a daily report by its date, "%s" the date.
	Report string
	// Subtitle describes a language's feed; OrOriginal the feed of that
	// language that shows the original until a translation arrives.
	Subtitle, OrOriginal string
	// Date lays out a date: %[1]d the day, %[2]s the month, %[3]d the year.
	Date   string
	Months [12]string
}

// labelsByLang holds every language's labels; English is the fallback.
var labelsByLang = map[string]labels{
	"en": {
		Versions: "Versions:", Original: "original", Below: "below", OriginalAtISW: "Original at ISW",
		AllLanguages: "All languages", ElseOriginal: ", else the original", Update: "Update %d", Report: "Russian Offensive Campaign Assessment, %s",
		Subtitle:   "The Institute for the Study of War's daily reports in English.",
		OrOriginal: "The Institute for the Study of War's daily reports in English where a translation exists, else in the original.",
		Date:       "%[2]s %[1]d, %[3]d",
		Months:     [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	},
	"de": {
		Versions: "Fassungen:", Original: "Original", Below: "unten", OriginalAtISW: "Original beim ISW",
		AllLanguages: "Alle Sprachen", ElseOriginal: ", sonst im Original", Update: "Update %d", Report: "ISW-Lagebericht vom %s",
		Subtitle:   "Die Tagesberichte des Institute for the Study of War auf Deutsch.",
		OrOriginal: "Die Tagesberichte des Institute for the Study of War auf Deutsch, wo es eine Übersetzung gibt, sonst im Original.",
		Date:       "%[1]d. %[2]s %[3]d",
		Months:     [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
	},
	"uk": {
		Versions: "Версії:", Original: "оригінал", Below: "нижче", OriginalAtISW: "Оригінал на сайті ISW",
		AllLanguages: "Усі мови", ElseOriginal: ", інакше в оригіналі", Update: "Звіт №%d", Report: "Звіт ISW за %s",
		Subtitle:   "Щоденні звіти Інституту вивчення війни українською.",
		OrOriginal: "Щоденні звіти Інституту вивчення війни українською, де є переклад, інакше в оригіналі.",
		Date:       "%[1]d %[2]s %[3]d",
		Months:     [12]string{"січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня", "листопада", "грудня"},
	},
	"ru": {
		Versions: "Версии:", Original: "оригинал", Below: "ниже", OriginalAtISW: "Оригинал на сайте ISW",
		AllLanguages: "Все языки", ElseOriginal: ", иначе в оригинале", Update: "Сводка №%d", Report: "Сводка ISW за %s",
		Subtitle:   "Ежедневные отчёты Института изучения войны на русском.",
		OrOriginal: "Ежедневные отчёты Института изучения войны на русском, где есть перевод, иначе в оригинале.",
		Date:       "%[1]d %[2]s %[3]d",
		Months:     [12]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
	},
	"fr": {
		Versions: "Versions :", Original: "original", Below: "ci-dessous", OriginalAtISW: "Original sur le site de l'ISW",
		AllLanguages: "Toutes les langues", ElseOriginal: ", sinon en version originale", Update: "Rapport n° %d", Report: "Rapport de l'ISW du %s",
		Subtitle:   "Les rapports quotidiens de l'Institute for the Study of War en français.",
		OrOriginal: "Les rapports quotidiens de l'Institute for the Study of War en français quand une traduction existe, sinon en version originale.",
		Date:       "%[1]d %[2]s %[3]d",
		Months:     [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	},
	"pl": {
		Versions: "Wersje:", Original: "oryginał", Below: "poniżej", OriginalAtISW: "Oryginał na stronie ISW",
		AllLanguages: "Wszystkie języki", ElseOriginal: ", inaczej w oryginale", Update: "Raport nr %d", Report: "Raport ISW z %s",
		Subtitle:   "Codzienne raporty Institute for the Study of War po polsku.",
		OrOriginal: "Codzienne raporty Institute for the Study of War po polsku, gdzie jest tłumaczenie, w przeciwnym razie w oryginale.",
		Date:       "%[1]d %[2]s %[3]d",
		Months:     [12]string{"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"},
	},
}

// labelsFor returns the labels of a language tag ("de-AT" has German's),
// English where there are none.
func labelsFor(tag string) labels {
	base, _, _ := strings.Cut(strings.ToLower(tag), "-")
	if l, ok := labelsByLang[base]; ok {
		return l
	}
	return labelsByLang["en"]
}

// date writes a day in the labels' language.
func (l labels) date(t time.Time) string {
	return fmt.Sprintf(l.Date, t.Day(), l.Months[t.Month()-1], t.Year())
}

// update names a report by its number.
func (l labels) update(n int) string { return fmt.Sprintf(l.Update, n) }

// seriesNames are ISW's names of the series other than the daily report.
var seriesNames = map[string]string{
	"iran-update":                "Iran Update",
	"iran-update-special-report": "Iran Update Special Report",
	"china-taiwan-update":        "China-Taiwan Update",
	"russian-occupation-update":  "Russian Occupation Update",
}

// stableTitle is a report's title in a feed whose entries change content:
// it names the series and the date in the labels' language, never the
// number, which may be learned later, so readers never retitle the entry.
func (l labels) stableTitle(u *dedupe.Update) string {
	if u.Series == config.DefaultSeries {
		return fmt.Sprintf(l.Report, l.date(u.Date))
	}
	name, ok := seriesNames[u.Series]
	if !ok {
		name = u.Series
	}
	return name + ", " + l.date(u.Date)
}
