package dedupe

import (
	"testing"
	"time"
)

// TestDatesInTheWorldsLanguages reads a date in each language of
// worldMonths and each way of writing one that months.go adds, and leaves
// look-alikes alone.
func TestDatesInTheWorldsLanguages(t *testing.T) {
	pub := at("2023-03-30T08:00:00Z")
	want := day(2023, 3, 29)
	for _, s := range []string{
		"Actualizare nr. 401 – Evaluarea campaniei ofensive ruse, 29 martie 2023",
		"Frissítés 401 – Orosz offenzív hadjárat értékelése, 2023. március 29.",
		"Az ISW 2023. március 29-i jelentése",
		"Güncelleme 401 - Rus Saldırı Harekâtı Değerlendirmesi, 29 Mart 2023",
		"Ενημέρωση 401 – Αξιολόγηση της ρωσικής επιθετικής εκστρατείας, 29 Μαρτίου 2023",
		"Päivitys 401 – Venäjän hyökkäysoperaation arvio, 29. maaliskuuta 2023",
		"ISW: Venemaa pealetungi hinnang, 29. märts 2023",
		"Atjauninājums 401 – 2023. gada 29. marts",
		"Atnaujinimas Nr. 401 – Rusijos puolimo kampanijos vertinimas, 2023 m. kovo 29 d.",
		"Oppdatering 401 – 29. mars 2023", "Opdatering 401 – 29. marts 2023", "Uppdatering 401 – 29 mars 2023",
		"Aktualizácia 401 – 29. marca 2023", "Aktualizace 401 – 29. březen 2023",
		"Posodobitev 401 – Ocena ruske ofenzivne kampanje, 29. marec 2023",
		"Ažuriranje 401 – 29. ožujka 2023", "Ажурирање 401 – Процена руске офанзивне кампање, 29. март 2023.",
		"Актуализация 401 – 29 март 2023", "Абнаўленне 401 – 29 сакавіка 2023",
		"ISW-ის შეფასება, 29 მარტს 2023", "Përditësim 401 – 29 mars 2023",
		"Actualització 401 – 29 de març de 2023", "Pembaruan 401 – 29 Maret 2023",
		"Cập nhật số 401 – Đánh giá chiến dịch tấn công của Nga, ngày 29 tháng 3 năm 2023",
		"עדכון 401 – הערכת המערכה ההתקפית הרוסית, 29 במרץ 2023",
		"التحديث 401 – تقييم الحملة الهجومية الروسية، 29 مارس 2023", "تقرير ISW ليوم 29 آذار 2023",
		"ISW की रिपोर्ट, 29 मार्च 2023", "ISW 3月29日の評価",
	} {
		got := resolve(datesIn(foldTitle(s)), pub)
		if len(got) != 1 || !got[0].Equal(want) {
			t.Errorf("%q: dates %v, want [%s]", s, got, want.Format(time.DateOnly))
		}
	}
	for _, s := range []string{
		"Top 2023 Mart 10 list",               // a year then a month name, as no language marks a date
		"Update 2023 mai 5 things",            //
		"Konferencja 2023 maj 12 uczestników", //
		"ISW مه 29 2023",                      // Persian "مه" (May) is also "fog": left out
	} {
		if got := datesIn(foldTitle(s)); len(got) != 0 {
			t.Errorf("%q: dates %v, want none", s, got)
		}
	}
	// Croatian's October (listopad) is November in Czech and Polish: the
	// table that names it first keeps it.
	if m, _ := monthOf("listopada"); m != time.November {
		t.Errorf("listopada is %v, want November", m)
	}
}
