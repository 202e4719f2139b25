package dedupe

import (
	"testing"

	"iswfeed/config"
	"iswfeed/fetch"
)

func TestUpdateNamesTheISWOriginal(t *testing.T) {
	const page = "https://www.understandingwar.org/backgrounder/russian-offensive-campaign-assessment-april-4-2022/"
	quelle := func(id, href string) fetch.Item {
		it := german(id, "Ukraine: Die Lage 45", "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/", "2022-04-06")
		it.Content = `<p>Quelle: <a href="` + href + `">ISW</a></p>`
		return it
	}
	cases := []struct {
		name  string
		items map[*config.Source][]fetch.Item
		want  string
	}{
		{"the original's own link when ISW's item is stored",
			map[*config.Source][]fetch.Item{
				&isw: {original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022")},
				&spa: {quelle("sp-45", page)},
			},
			"https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-2022-04-04"},
		{"the page a translation names, normalised, without the original",
			map[*config.Source][]fetch.Item{&spa: {quelle("sp-45", page)}},
			"https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-april-4-2022"},
		{"a report page named once goes before a short link named as often",
			map[*config.Source][]fetch.Item{
				&spa: {quelle("sp-45", page)},
				&ukTr: {{Source: "uk", Lang: "uk", ID: "uk-45", Title: "Звіт ISW №45",
					Link: "https://ukr.example/isw/45/", Published: isoDay("2022-04-06"),
					Content: `<p>Джерело: <a href="https://isw.pub/UkrWar040422">ISW</a></p>`}},
			},
			"https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-april-4-2022"},
		{"a translation without an ISW link names none",
			map[*config.Source][]fetch.Item{&spa: {german("sp-45", "Ukraine: Die Lage 45", "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/", "2022-04-06")}},
			""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := openStore(t, nil)
			for src, items := range c.items {
				ingest(t, s, *src, items...)
			}
			all, err := s.Updates(Query{})
			if err != nil || len(all) != 1 {
				t.Fatalf("updates = %v, %v; want one", all, err)
			}
			if all[0].ISWURL != c.want {
				t.Errorf("Updates: isw_url = %q, want %q", all[0].ISWURL, c.want)
			}
			one, ok, err := s.UpdateOn(config.DefaultSeries, isoDay("2022-04-04"))
			if err != nil || !ok || one.ISWURL != c.want {
				t.Errorf("UpdateOn: isw_url = %q (%v, %v), want %q", one.ISWURL, ok, err, c.want)
			}
		})
	}
}
