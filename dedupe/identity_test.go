package dedupe

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"iswfeed/config"
	"iswfeed/fetch"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "identity", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	isw       = config.Source{Name: "isw", Lang: "en", Role: config.RoleOriginal}
	spartanat = config.Source{Name: "spartanat", Lang: "de", Role: config.RoleTranslation, Number: `Die Lage (\d+)`}
	germanTr  = config.Source{Name: "de", Lang: "de", Role: config.RoleTranslation}
	ukTr      = config.Source{Name: "uk", Lang: "uk", Role: config.RoleTranslation}
	ruTr      = config.Source{Name: "ru", Lang: "ru", Role: config.RoleTranslation}
	frTr      = config.Source{Name: "fr", Lang: "fr", Role: config.RoleTranslation}
	plTr      = config.Source{Name: "pl", Lang: "pl", Role: config.RoleTranslation}
	enTr      = config.Source{Name: "en", Lang: "en", Role: config.RoleTranslation}
)

const (
	oldURL401 = "https://www.understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-29-2023"
	newURL    = "https://understandingwar.org/research/russia-ukraine/russian-offensive-campaign-assessment-february-26-2026/"
	ctURL401  = "https://www.criticalthreats.org/analysis/russian-offensive-campaign-assessment-march-29-2023"
	bg        = "https://www.understandingwar.org/backgrounder/"
	sp        = "https://www.spartanat.com/"
)

// references links three ISW reports without saying which one it translates.
const references = `<p>Wie ISW am <a href="` + bg + `russian-offensive-campaign-assessment-march-27-2023">27. März</a> und am <a href="` +
	bg + `russian-offensive-campaign-assessment-march-28-2023-0">28. März</a> feststellte, verlangsamt sich die Offensive.</p>` +
	`<p>Mehr bei <a href="` + ctURL401 + `">UNDERSTANDING WAR</a>.</p>`

type identityCase struct {
	src     config.Source
	title   string
	link    string
	content string // inline HTML, or "@file" in testdata/identity
	pub     string
	want    identity
}

func ro(n int, d time.Time, u string) identity {
	return identity{Series: seriesDaily, Number: n, Date: d, ISWURL: u}
}

var notReport = identity{}

var identityCases = map[string]identityCase{
	// Issue 10's classes, each with a case that is and one that is not.
	"China-Taiwan Weekly Update by its real name": {src: isw,
		title: "China-Taiwan Weekly Update, October 20, 2025", link: "https://understandingwar.org/research/china-taiwan/china-taiwan-weekly-update-october-20-2025/", pub: "2025-10-21T01:00:00Z",
		want: identity{Series: seriesChinaTaiwan, Date: day(2025, 10, 20), ISWURL: "https://understandingwar.org/research/china-taiwan/china-taiwan-weekly-update-october-20-2025/"}},
	"China & Taiwan Update, ISW's renamed series": {src: isw,
		title: "China & Taiwan Update, May 2, 2025", link: "https://understandingwar.org/research/china-taiwan/china-taiwan-update-may-2-2025/", pub: "2025-05-03T01:00:00Z",
		want: identity{Series: seriesChinaTaiwan, Date: day(2025, 5, 2), ISWURL: "https://understandingwar.org/research/china-taiwan/china-taiwan-update-may-2-2025/"}},
	"Ukraine Conflict Update N is ISW's own numbered series": {src: isw,
		title: "Ukraine Conflict Update 10", link: "https://www.understandingwar.org/backgrounder/ukraine-conflict-update-10", pub: "2022-02-20T01:00:00Z",
		want: identity{Series: "ukraine-conflict-update", ISWURL: "https://www.understandingwar.org/backgrounder/ukraine-conflict-update-10"}},
	"someone else's Ukraine Conflict Update after ISW ended it": {src: enTr,
		title: "ISA Ukraine Conflict Update - 21st of March 2022", link: "https://isa.example/news/", pub: "2022-03-21T12:00:00Z",
		want: notReport},
	"an index page of a series is no report": {src: isw,
		title: "Iran Updates, May 2, 2024 to October 31, 2024", link: "https://www.criticalthreats.org/analysis/iran-updates", pub: "2024-11-01T01:00:00Z",
		want: notReport},
	"the daily report's index page is no report": {src: isw,
		title: "Russian Offensive Campaign Assessment Updates DEC 2025", link: bg + "russian-offensive-campaign-assessment-updates-dec-2025", pub: "2025-12-01T01:00:00Z",
		want: notReport},
	"ISW's short link dates the report it names": {src: enTr,
		title: "ISW: Russian forces advance near Pokrovsk", link: "https://news.example/isw-pokrovsk", content: `<p>Full report: <a href="https://isw.pub/UkrWar070425">isw.pub/UkrWar070425</a></p>`, pub: "2025-07-05T07:00:00Z",
		want: ro(0, day(2025, 7, 4), "https://isw.pub/UkrWar070425")},
	"an ISW address written as text names the original": {src: enTr,
		title: "Full report", link: "https://forum.example/t/1", content: "<p>ISW full report: https://www.understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-15.</p>", pub: "2022-03-16T07:00:00Z",
		want: ro(0, day(2022, 3, 15), "https://www.understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-15")},
	"a date right after ISW's name in the text, year from publication": {src: ruTr,
		title: "Главное за ночь", link: "https://ru.example/night", content: "<p>Согласно сводке ISW за 14 марта, российские войска не продвинулись.</p>", pub: "2023-03-15T06:00:00Z",
		want: ro(0, day(2023, 3, 14), "")},
	"an abbreviated month after ISW's name ends no sentence": {src: enTr,
		title: "Morning briefing", link: "https://en.example/briefing", content: "<p>According to ISW's assessment as of Feb. 26, Russian forces advanced.</p>", pub: "2026-02-27T06:00:00Z",
		want: ro(0, day(2026, 2, 26), "")},
	"a date in the sentence after ISW's is an event's": {src: ukTr,
		title: "", link: "https://uk.example/news-1", content: "<p>Про це йдеться у звіті Інституту вивчення війни (ISW). Він 17 березня заявив, що війська РФ активізувалися в Україні.</p>", pub: "2025-03-20T06:00:00Z",
		want: ro(0, time.Time{}, "")},
	"a date far from ISW's name is not the report's": {src: ruTr,
		title: "Главное за ночь", link: "https://ru.example/night", content: "<p>24 февраля Россия начала вторжение в Украину, и с тех пор многое изменилось; аналитики ISW отмечают усталость войск.</p>", pub: "2023-03-15T06:00:00Z",
		want: ro(0, time.Time{}, "")},
	"a repost dated by ISW's byline": {src: enTr,
		title: "Russian Offensive Campaign Assessment", link: "https://repost.example/post/1", content: "<p>Russian Offensive Campaign Assessment, March 23, 5:00pm ET</p><p>Russian forces continued ...</p>", pub: "2023-03-24T08:00:00Z",
		want: ro(0, day(2023, 3, 23), "")},
	"a military date group dates a renamed series": {src: enTr,
		title: "Iran Update 25JAN2024", link: "https://repost.example/iran", pub: "2024-01-26T08:00:00Z",
		want: identity{Series: seriesIran, Date: day(2024, 1, 25)}},
	"an interview with ISW's analysts is no report": {src: enTr,
		title: "Interview: ISW analyst on the Donetsk front", link: "https://news.example/isw-interview", pub: "2025-03-01T08:00:00Z",
		want: notReport},
	"a news site's opinion piece on ISW's findings is no report": {src: enTr,
		title: "ISW keeps getting the front wrong", link: "https://news.example/opinion/isw-keeps-getting-the-front-wrong", pub: "2025-03-01T08:00:00Z",
		content: "<p>The Institute for the Study of War says Russian forces in Ukraine are exhausted. It has said so before.</p>",
		want:    notReport},
	"a commentary section in its own language, percent-encoded, is no report": {src: enTr,
		title: "", link: "https://cz.example/n%C3%A1zory/analyza-valky-je-derava-123", pub: "2025-03-01T08:00:00Z",
		content: "<p>Ruské vítězství by dle ISW znamenalo, že Rusko by bylo hrozbou pro NATO. Válka na Ukrajině pokračuje.</p>",
		want:    notReport},
	"a translator's blog post is still the day's report": {src: enTr,
		title: "", link: "https://tr.example/blog/lage-in-der-ukraine", pub: "2025-03-01T08:00:00Z",
		content: "<p>Russian forces continued offensive operations in Ukraine, the Institute for the Study of War assessed.</p>",
		want:    ro(0, time.Time{}, "")},
	"ISW's own title keeps its series in a comment section": {src: enTr,
		title: "Russian Offensive Campaign Assessment, March 23, 2023", link: "https://repost.example/kommentar/isw-23-03", pub: "2023-03-24T08:00:00Z",
		want: ro(0, day(2023, 3, 23), "")},
	"a slug that starts with opinion is no section": {src: enTr,
		title: "", link: "https://news.example/world/opinion-poll-and-isw-on-bakhmut", pub: "2025-03-01T08:00:00Z",
		content: "<p>Russian forces advanced near Bakhmut in Ukraine, the Institute for the Study of War said in its latest report.</p>",
		want:    ro(0, time.Time{}, "")},
	"a short link on www.isw.pub names its series": {src: enTr,
		title: "Morning briefing", link: "https://news.example/briefing-iran", content: `<p>Source: <a href="https://www.isw.pub/IranUpdate061325">ISW</a></p>`, pub: "2025-06-14T07:00:00Z",
		want: identity{Series: seriesIran, Date: day(2025, 6, 13), ISWURL: "https://www.isw.pub/IranUpdate061325"}},
	// What ISW is, who runs it, since when: a piece about the institute.
	"a piece on who founded ISW is no report": {src: ruTr,
		title: "", link: "https://ru.example/world/12345-kto-stoit-za-isw", pub: "2022-07-10T08:00:00Z",
		content: "<p>Издание отмечает, что Институт изучения войны основала в 2007 году военный историк. Россия и Украина.</p>",
		want:    notReport},
	"a piece on ISW as a non-profit is no report": {src: germanTr,
		title: "", link: "https://de.example/ukraine/isw-netzwerk", pub: "2023-05-28T08:00:00Z",
		content: "<p>Wie herausgefunden wurde, hat die Washingtoner Non-Profit-Organisation ISW den Krieg in der Ukraine verfolgt.</p>",
		want:    notReport},
	"ISW as a Washington think tank on the day's report is a report": {src: enTr,
		title: "", link: "https://en.example/world/isw-kharkiv", pub: "2024-05-12T08:00:00Z",
		content: "<p>The Institute for the Study of War, a Washington-based think tank, said Russian forces advanced near Kharkiv in Ukraine.</p>",
		want:    ro(0, time.Time{}, "")},
	"an interview with ISW's president in the text is no report": {src: enTr,
		title: "", link: "https://ja.example/article/1", pub: "2024-12-07T08:00:00Z",
		content: "<p>ロシアによるウクライナ侵略戦争の分析で定評ある米国の研究機関「戦争研究所」(ISW)のキンバリー・ケーガン所長が4日、インタビューに応じた。</p>",
		want:    notReport},
	"ISW's latest report on an interview of Putin's is a report": {src: enTr,
		title: "", link: "https://en.example/news/isw-putin", pub: "2024-02-10T08:00:00Z",
		content: "<p>ISW said in its latest report that Putin used his interview with an American host to justify the war in Ukraine.</p>",
		want:    ro(0, time.Time{}, "")},
	"ISW quoted from days ago is no version of the day's report": {src: ruTr,
		title: "", link: "https://ru.example/7580376/kolonka", pub: "2023-03-01T08:00:00Z",
		content: "<p>Несколько дней тому назад институт ISW заявил, что российские силы на Украине страдают.</p>",
		want:    notReport},
	"Poland's Instytut Strat Wojennych is not ISW": {src: plTr,
		title: "", link: "https://pl.example/historia/751638-isw-o-stratach", pub: "2026-01-26T08:00:00Z",
		content: "<p>Instytut Strat Wojennych im. Jana Karskiego zaprezentował pierwszy numer. W komunikacie ISW czytamy o Rosji.</p>",
		want:    notReport},
	"Polish ISW by its name is ISW": {src: plTr,
		title: "", link: "https://pl.example/swiat/isw-rosja", pub: "2023-03-01T08:00:00Z",
		content: "<p>Amerykański Instytut Studiów nad Wojną (ISW) ocenia, że Rosja traci impet na Ukrainie.</p>",
		want:    ro(0, time.Time{}, "")},
	"ISW by its Arabic name": {src: enTr,
		title: "معهد دراسات أمريكي: روسيا لم تحقق أي تقدم", link: "https://ar.example/archives/91379", pub: "2022-03-21T08:00:00Z",
		content: "<p>نشر معهد “دراسات الحرب” الأميركي، تحليل كشف أن القوات الروسية لم تحقق أي تقدم كبير.</p>",
		want:    ro(0, time.Time{}, "")},
	"ISW by its Chinese name, on the war without Ukraine's name": {src: enTr,
		title: "", link: "https://zh.example/20231130/1.html", pub: "2023-11-30T08:00:00Z",
		content: "<p>美国战争研究所(ISW)在最新的评估报告中表示,俄军在阿瓦迪夫卡西北取得进展。</p>",
		want:    ro(0, time.Time{}, "")},
	"a Hungarian opinion section is no report": {src: enTr,
		title: "", link: "https://hu.example/velemeny/2025/09/haboru-orosz-ukran", pub: "2025-09-20T08:00:00Z",
		content: "<p>Az ISW szerint az orosz haderő előrenyomul Ukrajnában.</p>",
		want:    notReport},
	"Hungarian news on ISW's findings is a report": {src: enTr,
		title: "", link: "https://hu.example/global/20250922/putyin-787774", pub: "2025-09-22T08:00:00Z",
		content: "<p>Az ISW úgy tudja, az orosz haderő veszteségei csökkentek Ukrajnában.</p>",
		want:    ro(0, time.Time{}, "")},
	"the one year a text names dates ISW's day and month": {src: enTr,
		title: "No threat of invasion from Transnistria for Ukraine – ISW", link: "https://en.example/no-threat-isw",
		content: "<p>To quote the ISW’s Key Takeaways on 23 February: Ukrainian forces shot down a second such aircraft in 2024.</p>",
		want:    ro(0, day(2024, 2, 23), "")},
	// ISW's own addresses that name no report.
	"a short link with no date names no report": {src: isw,
		title: "ISW Ukraine", link: "https://isw.pub/UkraineRSS", pub: "2025-03-01T08:00:00Z",
		want: notReport},
	"a series' own page names no report": {src: isw,
		title: "", link: "https://www.understandingwar.org/backgrounder/iran-update", pub: "2025-03-01T08:00:00Z",
		want: notReport},
	"a dated page of the same series is its report": {src: isw,
		title: "", link: "https://www.understandingwar.org/backgrounder/iran-update-march-3-2025", pub: "2025-03-04T08:00:00Z",
		want: identity{Series: seriesIran, Date: day(2025, 3, 3), ISWURL: "https://www.understandingwar.org/backgrounder/iran-update-march-3-2025"}},
	"ISW's home page is no report's address": {src: isw,
		title: "ISW: Russian Offensive Campaign Assessment, March 29", link: "https://understandingwar.org", pub: "2026-03-29T20:00:00Z",
		want: ro(0, day(2026, 3, 29), "")},
	"an evening special report is the special report series": {src: isw,
		title: "", link: "https://www.criticalthreats.org/analysis/iran-update-evening-special-report-april-5-2026", pub: "2026-04-06T02:00:00Z",
		want: identity{Series: "iran-update-special-report", Date: day(2026, 4, 5), ISWURL: "https://www.criticalthreats.org/analysis/iran-update-evening-special-report-april-5-2026"}},
	"ISW's page dated by its own byline": {src: isw,
		title: "Ukraine Conflict Update 5", link: "https://www.iswresearch.org/2022/02/ukraine-update-5.html",
		content: "<p>Tuesday, February 22, 2022</p><p>Ukraine Conflict Update 5</p><p>Institute for the Study of War, Russia Team</p><p>February 22, 4:00 pm ET</p><p>Putin set conditions.</p>",
		want:    identity{Series: "ukraine-conflict-update", Date: day(2022, 2, 22), ISWURL: "https://www.iswresearch.org/2022/02/ukraine-update-5.html"}},
	"a digest of the day's news with one point from ISW is no report": {src: ukTr,
		title: "", link: "https://uk.example/page/dobryi-vechir-holovne-za-den-28-zhovtnia", pub: "2023-10-28T19:00:00Z",
		content: "<p>Головне за день. 28 жовтня</p><p>▶ 1. Путін відкидає ідею українського суверенітету - дані Інституту вивчення війни (ISW).</p><p>▶ 2. США нададуть Україні новий пакет допомоги.</p>",
		want:    notReport},
	"ISW's key takeaways as a list are a report": {src: ukTr,
		title: "", link: "https://uk.example/news/isw-vysnovky", pub: "2023-10-28T07:00:00Z",
		content: "<p>Ключові висновки ISW:</p><p>▶ Путін відкидає ідею українського суверенітету.</p><p>▶ Російські сили наступають біля Авдіївки.</p>",
		want:    ro(0, time.Time{}, "")},
	"an ISW analyst quoted by a paper is no report": {src: enTr,
		title: "Ukrainian Gains", link: "https://blog.example/2022/09/ukrainian-gains.html", pub: "2022-09-20T08:00:00Z",
		content: "<p>Ukrainians have already breached a few points along the river, said George Barros, an analyst for the Institute for the Study of War.</p>",
		want:    notReport},
	"a piece on how to read ISW's assessments is no report": {src: enTr,
		title: "Breaking Down the ISW Ukraine Assessment", link: "https://farm.example/breaking-down-the-isw-ukraine-assessment", pub: "2025-06-01T08:00:00Z",
		want: notReport},
	"ISW's fact sheet is not its daily report": {src: enTr,
		title: "", link: "https://blog.example/institute-for-the-study-of-war-ukraine-fact-sheet/", pub: "2025-03-01T08:00:00Z",
		content: "<p>L’Institut per a l’Estudi de la Guerra (ISW) va publicar ahir un report titulat Ukraine Fact Sheet sobre Ucraïna.</p>",
		want:    notReport},
	"an episode of ISW's podcast on Iraq is no report": {src: enTr,
		title: "E68: ISW Analysts Discuss Iraq’s Security and Stability", link: "https://pod.example/e/e68-isw-analysts-discuss-iraq", pub: "2022-06-24T08:00:00Z",
		content: "<p>E68: ISW Analysts Discuss Iraq’s Security and Stability</p><p>logo of podcast Overwatch</p>",
		want:    notReport},
	"ISW on Russia in Syria is no daily report": {src: enTr,
		title: "تقرير أمريكي: قوات روسيا في سوريا لا يمكنها هزيمة المعارضة", link: "https://ar.example/news/world/769353", pub: "2016-10-05T08:00:00Z",
		content: "<p>وقال التقرير، الذي صدر الثلاثاء عن \"معهد دراسات الحرب\" في واشنطن إن روسيا نشرت صواريخ في سوريا.</p>",
		want:    notReport},
	"ISW on Russia in Ukraine and in Syria is a report": {src: enTr,
		title: "ISW: Russia moves troops from Syria to Ukraine", link: "https://en.example/isw-syria-ukraine", pub: "2022-04-05T08:00:00Z",
		want: ro(0, time.Time{}, "")},
	"ISW's home page through a reader's redirect is no ISW address": {src: isw,
		title: "Russian Offensive Campaign Assessment, July 8, 2026", link: "https://news.google.com/rss/articles/CBMipgFBVV95cUxQ", pub: "2026-07-08T23:00:00Z",
		want: ro(0, day(2026, 7, 8), "")},
	"an embedded tweet's date is not the report's": {src: enTr,
		title: "", link: "https://ro.example/articol/isw-putin-soigu.html", pub: "2023-09-26T08:00:00Z",
		content: "<p>Putin i-a dat termen luna octombrie lui Șoigu, relatează Institutul pentru Studierea Războiului (ISW) despre Ucraina.</p><p>— ISW (@TheStudyofWar) September 25, 2023</p>",
		want:    ro(0, time.Time{}, "")},
	"a bare day after ISW's name is of the publication's month": {src: enTr,
		title: "", link: "https://zh.example/isw-1.html", pub: "2025-12-10T02:00:00Z",
		content: "<p>美國非營利智庫戰爭研究所（Institute for the Study of War, ISW）9日發表1份報告，指出俄羅斯累計傷亡。</p>",
		want:    ro(0, day(2025, 12, 9), "")},
	"a bare day after the first of the month is the month before's": {src: enTr,
		title: "", link: "https://zh.example/isw-2.html", pub: "2025-12-01T02:00:00Z",
		content: "<p>美國戰爭研究所（ISW）30日發表報告，指出俄羅斯在烏克蘭推進。</p>",
		want:    ro(0, day(2025, 11, 30), "")},
	"an ET byline written month first": {src: enTr,
		title: "", link: "https://forum.example/test/read.cgi/army/1651104480/513",
		content: "<p>戦争研究所(ISW) ロシア攻勢戦役評価 2000 ET04.27.2022 / 0900 JST 28.04.2022</p><p>ウクライナ東部でのロシア軍の限定的な前進</p>",
		want:    ro(0, day(2022, 4, 27), "")},
	"two years in a row date a year-less day in the later": {src: enTr,
		title: "", link: "https://ko.example/nga-tien-quan",
		content: "<p>러시아군이 우크라이나에서 영토를 통제했으며, 이는 2024년 들어 최고 기록이라고 전했습니다. 미국 전쟁연구소(ISW)는 11월 25일 보고서에서 러시아군이 2023년 한 해보다 빠르게 진격한다고 밝혔다.</p>",
		want:    ro(0, day(2024, 11, 25), "")},
	"ISW's name in Hindi": {src: enTr,
		title: "", link: "https://hi.example/world-news/ukraine-russia-war", pub: "2022-02-26T08:00:00Z",
		content: "<p>स्टडी फॉर द वार की ओर से यूक्रेन में रूसी सैनिकों के आंकलन वाली एक रिपोर्ट जारी की गई है।</p>",
		want:    ro(0, time.Time{}, "")},
	"a news reader's related headlines under another outlet's story are no report": {src: enTr,
		title: "Russia hits Ukraine with a missile: Why it matters - Al Jazeera", link: "https://news.google.com/rss/articles/CBMirAFBVV95", pub: "2026-01-10T08:00:00Z",
		content: `<ol><li><a href="https://a.example/1">Russia hits Ukraine with a missile: Why it matters</a>&nbsp;&nbsp;<font color="#6f6f6f">Al Jazeera</font></li><li><a href="https://b.example/2">Russian Offensive Campaign Assessment, January 9, 2026</a>&nbsp;&nbsp;<font color="#6f6f6f">Institute for the Study of War</font></li></ol>`,
		want:    notReport},
	"ISW's headline first among related ones is its report": {src: enTr,
		title: "Russian Offensive Campaign Assessment, January 9, 2026 - Institute for the Study of War", link: "https://news.google.com/rss/articles/CBMiXYZ", pub: "2026-01-10T04:00:00Z",
		content: `<ol><li><a href="https://b.example/2">Russian Offensive Campaign Assessment, January 9, 2026</a>&nbsp;&nbsp;<font color="#6f6f6f">Institute for the Study of War</font></li><li><a href="https://a.example/1">Russia hits Ukraine</a>&nbsp;&nbsp;<font color="#6f6f6f">Al Jazeera</font></li></ol>`,
		want:    ro(0, day(2026, 1, 9), "")},
	"the words Russian offensive without ISW are no report": {src: enTr,
		title: "I think it is", link: "https://blog.example/2022/06/08/i-think-it-is-2/", pub: "2022-06-08T08:00:00Z",
		content: "<p>quite clear that the Russian offensive didn’t go as planned in Ukraine.</p>",
		want:    notReport},
	"a piece on who funds ISW is no report": {src: enTr,
		title: "", link: "https://fi.example/ulkomaat/art-2000009147309.html", pub: "2022-10-05T08:00:00Z",
		content: "<p>Institute for the Study of War on noussut merkittäväksi lähteeksi Ukrainan sodan analysoinnissa. Sotatutkimuksen instituutin rahoittajina on aseteollisuuden yhtiöitä.</p>",
		want:    notReport},
	"ISW as the German US-Institut für Kriegsforschung": {src: germanTr,
		title: "", link: "https://de.example/nachrichten/russland-soeldner", pub: "2023-01-20T08:00:00Z",
		content: "<p>Das US-Institut für Kriegsforschung vermutet, dass die russischen Streitkräfte erschöpft sind, heißt es im aktuellen Lagebericht.</p>",
		want:    ro(0, time.Time{}, "")},
	"a date in the next field of a data row is not ISW's": {src: enTr,
		title: "Report on ISW territorial figures, January to June 2026", link: "https://mezha.example/eng/bukvy/isw_finds_russian/",
		content: "<p>['S4', 'Report on ISW territorial figures, January to June 2026', 'Mezha.net, citing ISW', '2 Jul 2026', 'https://mezha.example/eng/bukvy/isw_finds_russian/']</p>",
		want:    ro(0, time.Time{}, "")},
	"an ISW address without a date leaves the date to the text": {src: enTr,
		title: "", link: "https://forum.example/100216452132",
		content: "<p>UKRAINE CONFLICT UPDATE 16</p><p>Institute for the Study of War, Russia Team</p><p>March 6, 2022</p><p>ISW published its most recent Russian campaign assessment at 2:00 pm EST on March 6.</p><p>https://www.understandingwar.org/backgrounder/ukraine-conflict-update-16</p>",
		want:    identity{Series: "ukraine-conflict-update", Date: day(2022, 3, 6), ISWURL: "https://www.understandingwar.org/backgrounder/ukraine-conflict-update-16"}},
	"a Ukraine Conflict Update after ISW's last is someone else's": {src: enTr,
		title: "ISA Ukraine Conflict Update - 21st of March 2022", link: "https://isa.example/news/615", pub: "2022-03-21T08:00:00Z",
		want: notReport},
	"a dateline's stamp after ISW's name is not the report's date": {src: enTr,
		title: "", link: "https://tw.example/news/world/breakingnews/3842730", pub: "2022-02-28T00:00:00Z",
		content: "<p>ISW貼出俄軍最新占領地區。(圖擷取自ISW網站)</p><p>2022/02/27 12:03</p><p>〔即時新聞〕俄羅斯入侵烏克蘭。</p>",
		want:    ro(0, time.Time{}, "")},
	"ISW's time said in words after its date is ISW's": {src: ruTr,
		title: "ISW: Российские войска продолжают перебрасывать подкрепления на восток Украины", link: "https://ca.example/news:1775415", pub: "2022-04-16T06:00:00Z",
		content: "<p>Об этом пишет Американский Институт изучения войны (Institute for the Study of War) по состоянию на 15 апреля, 4:30 вечера по восточному времени.</p>",
		want:    ro(0, day(2022, 4, 15), "")},
	"an ET stamp beside Japan's time the day after is month first": {src: enTr,
		title: "", link: "https://forum.example/test/read.cgi/army/1649418822/199",
		content: "<p>戦争研究所(ISW) ロシア攻勢戦役評価 1700 ET 04.08.2022 (0600 JST 09.04.2022)</p><p>ウクライナ軍はマリウポリで抵抗を続けている。</p>",
		want:    ro(0, day(2022, 4, 8), "")},
	"an ET stamp day first stays day first": {src: enTr,
		title: "【抄訳】ISW ロシアによる攻勢戦役評価 1915 ET 01.12.2023", link: "https://note.example/panzergraf/n/n08b5c07dd440", pub: "2023-12-02T12:00:00Z",
		content: "<p>ウクライナ軍の冬の動向。</p>",
		want:    ro(0, day(2023, 12, 1), "")},
	"the report's own as-of day": {src: ukTr,
		title: "", link: "https://ua.example/ukraine/isw-10561499.html", pub: "2024-04-30T06:00:00Z",
		content: "<p>Про це йдеться у свіжому звіті аналітиків Інституту вивчення війни.</p><p>Як йдеться у звіті, станом на 29 квітня російські війська отримали незначні тактичні переваги біля Авдіївки.</p>",
		want:    ro(0, day(2024, 4, 29), "")},
	"ISW's feed is no report": {src: enTr,
		title: "Institute for the Study of War", link: "https://www.understandingwar.org/backgrounder/feed", pub: "2025-01-01T00:00:00Z",
		content: "<p>ISW — daily conflict assessments (Ukraine, Russia)</p>",
		want:    notReport},
	"ISW's animated map of the invasion is no report": {src: enTr,
		title: "", link: "https://it.example/primopiano/esteri/ucraina-6588583.html", pub: "2022-09-12T08:00:00Z",
		content: "<p>La mappa animata dell’Institute for the study of war mostra le fasi dell’invasione russa in Ucraina.</p>",
		want:    notReport},
	"the institute at its daily habit is a piece about ISW": {src: ukTr,
		title: "", link: "https://ua.example/think-tanks/isw", pub: "2025-01-01T00:00:00Z",
		content: "<p>Інститут вивчення війни (ISW). Американський безпартійний науково-дослідний інститут, що щодня публікує аналіз військових операцій Росії в Україні.</p>",
		want:    notReport},
	"ISW's daily report, as an adjective, is the report": {src: germanTr,
		title: "", link: "https://de.example/?p=27291", pub: "2024-02-10T08:00:00Z",
		content: "<p>In seinem täglichen Lagebericht zum Krieg in der Ukraine hebt das Institute for the Study of War (ISW) hervor, dass Russland nur eine Hoffnung habe.</p>",
		want:    ro(0, time.Time{}, "")},
	"ISW among a paper's other sources is not the paper's version": {src: germanTr,
		title: "", link: "https://de.example/politik/ukraine-krieg-die-lage-am-samstag", pub: "2022-07-17T08:00:00Z",
		content: "<p>Hinweise für eine Verstärkung der Kämpfe sahen auch die Militärexperten des in den USA angesiedelten Institute for the Study of War (ISW) in der Ukraine.</p>",
		want:    notReport},
	"a title on a year far ahead is a forecast, no day's report": {src: enTr,
		title: "ISW rilancia la minaccia della \"Russia entro il 2036\"", link: "https://it.example/russia/2025/10/12/300069.html",
		content: "<p>Il think tank ISW: una volta terminato il conflitto in Ucraina, la Russia potrebbe ricostruire le sue forze.</p>",
		want:    notReport},
	"Japanese number mark 第401号 is learned, not built in": {src: enTr,
		title: "第401号 ロシアの攻勢作戦評価 2023年3月29日", link: "https://ja.example/401", pub: "2023-03-30T08:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	// ISW's own feed.
	"ISW title with full month and year": {src: isw,
		title: "Russian Offensive Campaign Assessment, March 29, 2023", link: oldURL401, pub: "2023-03-30T02:10:00Z",
		want: ro(0, day(2023, 3, 29), oldURL401)},
	"ISW title with abbreviated month and ISW suffix": {src: isw,
		title: "Russian Offensive Campaign Assessment, Feb. 26, 2026 | ISW", link: newURL, pub: "2026-02-27T01:00:00Z",
		want: ro(0, day(2026, 2, 26), newURL)},
	"ISW title with Sept. abbreviation": {src: isw,
		title: "Russian Offensive Campaign Assessment, Sept. 3, 2023", link: bg + "russian-offensive-campaign-assessment-september-3-2023", pub: "2023-09-04T00:30:00Z",
		want: ro(0, day(2023, 9, 3), bg+"russian-offensive-campaign-assessment-september-3-2023")},
	"ISW title with Dec. abbreviation and no comma before year": {src: isw,
		title: "Russian Offensive Campaign Assessment, Dec. 5 2024 | ISW", link: "https://understandingwar.org/research/russia-ukraine/russian-offensive-campaign-assessment-december-5-2024/", pub: "2024-12-06T01:00:00Z",
		want: ro(0, day(2024, 12, 5), "https://understandingwar.org/research/russia-ukraine/russian-offensive-campaign-assessment-december-5-2024/")},
	"ISW 2022 title without year takes the year of its publication": {src: isw,
		title: "Russian Offensive Campaign Assessment, August 24", link: bg + "russian-offensive-campaign-assessment-august-24", pub: "2022-08-25T01:30:00Z",
		want: ro(0, day(2022, 8, 24), bg+"russian-offensive-campaign-assessment-august-24")},
	"ISW year-less Dec 31 report published on Jan 1 UTC stays in the old year": {src: isw,
		title: "Russian Offensive Campaign Assessment, December 31", link: bg + "russian-offensive-campaign-assessment-december-31", pub: "2023-01-01T02:00:00Z",
		want: ro(0, day(2022, 12, 31), bg+"russian-offensive-campaign-assessment-december-31")},
	"ISW year-less Jan 1 report stamped a little early still lands in the new year": {src: isw,
		title: "Russian Offensive Campaign Assessment, January 1", link: bg + "russian-offensive-campaign-assessment-january-1", pub: "2022-12-31T23:30:00Z",
		want: ro(0, day(2023, 1, 1), bg+"russian-offensive-campaign-assessment-january-1")},
	"ISW title without date is dated by its slug": {src: isw,
		title: "Russian Offensive Campaign Assessment", link: oldURL401, pub: "2023-03-30T02:10:00Z",
		want: ro(0, day(2023, 3, 29), oldURL401)},
	"ISW duplicate slug ending in -0 keeps its URL and date": {src: isw,
		title: "Russian Offensive Campaign Assessment", link: oldURL401 + "-0", pub: "2023-03-30T02:10:00Z",
		want: ro(0, day(2023, 3, 29), oldURL401+"-0")},
	"ISW year-less duplicate slug is dated by the item's year": {src: isw,
		title: "Russian Offensive Campaign Assessment", link: bg + "russian-offensive-campaign-assessment-august-24-0", pub: "2022-08-25T03:00:00Z",
		want: ro(0, day(2022, 8, 24), bg+"russian-offensive-campaign-assessment-august-24-0")},
	"ISW report on criticalthreats.org": {src: isw,
		title: "Russian Offensive Campaign Assessment, March 29, 2023", link: ctURL401, pub: "2023-03-30T02:10:00Z",
		want: ro(0, day(2023, 3, 29), ctURL401)},
	"ISW early 2022 warning update without date is a report without date": {src: isw,
		title: "Russia-Ukraine Warning Update: Initial Russian Offensive Campaign Assessment", link: bg + "russia-ukraine-warning-update-initial-russian-offensive-campaign-assessment", pub: "2022-02-25T03:00:00Z",
		want: ro(0, time.Time{}, bg+"russia-ukraine-warning-update-initial-russian-offensive-campaign-assessment")},
	"ISW early 2022 warning update with year-less date": {src: isw,
		title: "Russia-Ukraine Warning Update: Russian Offensive Campaign Assessment, February 26", link: bg + "russia-ukraine-warning-update-russian-offensive-campaign-assessment-february-26", pub: "2022-02-27T01:00:00Z",
		want: ro(0, day(2022, 2, 26), bg+"russia-ukraine-warning-update-russian-offensive-campaign-assessment-february-26")},
	"ISW special edition is still the daily report": {src: isw,
		title: "Russian Offensive Campaign Assessment Special Edition, May 9, 2023", link: bg + "russian-offensive-campaign-assessment-special-edition-may-9-2023", pub: "2023-05-10T01:00:00Z",
		want: ro(0, day(2023, 5, 9), bg+"russian-offensive-campaign-assessment-special-edition-may-9-2023")},
	"ISW content links to earlier reports are not read": {src: isw,
		title: "Russian Offensive Campaign Assessment, March 29, 2023", link: oldURL401, content: "@isw-original-march-29-2023.html", pub: "2023-03-30T02:10:00Z",
		want: ro(0, day(2023, 3, 29), oldURL401)},
	"ISW Iran Update is its own series": {src: isw,
		title: "Iran Update, March 29, 2023", link: "https://www.criticalthreats.org/analysis/iran-update-march-29-2023", pub: "2023-03-29T22:00:00Z",
		want: identity{Series: seriesIran, Date: day(2023, 3, 29), ISWURL: "https://www.criticalthreats.org/analysis/iran-update-march-29-2023"}},
	"ISW Iran Update with abbreviated month": {src: isw,
		title: "Iran Update, Jan. 5, 2024 | ISW", link: "https://understandingwar.org/research/middle-east/iran-update-january-5-2024/", pub: "2024-01-06T00:00:00Z",
		want: identity{Series: seriesIran, Date: day(2024, 1, 5), ISWURL: "https://understandingwar.org/research/middle-east/iran-update-january-5-2024/"}},
	"ISW Iran Update Special Report is not read as Iran Update": {src: isw,
		title: "Iran Update Special Report, April 13, 2024", link: bg + "iran-update-special-report-april-13-2024", pub: "2024-04-14T03:00:00Z",
		want: identity{Series: seriesIranSpecial, Date: day(2024, 4, 13), ISWURL: bg + "iran-update-special-report-april-13-2024"}},
	"ISW China-Taiwan Update is its own series": {src: isw,
		title: "China-Taiwan Update, March 29, 2024", link: bg + "china-taiwan-update-march-29-2024", pub: "2024-03-29T20:00:00Z",
		want: identity{Series: seriesChinaTaiwan, Date: day(2024, 3, 29), ISWURL: bg + "china-taiwan-update-march-29-2024"}},
	"ISW China–Taiwan Update with an en dash": {src: isw,
		title: "China–Taiwan Update, Oct. 4, 2024", link: bg + "china-taiwan-update-october-4-2024", pub: "2024-10-04T20:00:00Z",
		want: identity{Series: seriesChinaTaiwan, Date: day(2024, 10, 4), ISWURL: bg + "china-taiwan-update-october-4-2024"}},
	"ISW Russian Occupation Update is not the daily Russian report": {src: isw,
		title: "Russian Occupation Update, March 29, 2024", link: bg + "russian-occupation-update-march-29-2024", pub: "2024-03-29T20:00:00Z",
		want: identity{Series: seriesOccupation, Date: day(2024, 3, 29), ISWURL: bg + "russian-occupation-update-march-29-2024"}},
	"ISW series read from the slug when the title is edited": {src: isw,
		title: "Iran and Russia deepen ties", link: "https://www.criticalthreats.org/analysis/iran-update-march-29-2023", pub: "2023-03-29T22:00:00Z",
		want: identity{Series: seriesIran, Date: day(2023, 3, 29), ISWURL: "https://www.criticalthreats.org/analysis/iran-update-march-29-2023"}},
	"ISW post of no series is not a report": {src: isw,
		title: "Interactive Map: Russia's Invasion of Ukraine", link: bg + "interactive-map-russias-invasion-ukraine", pub: "2023-03-30T02:10:00Z",
		want: notReport},
	"ISW press release with a date is not a report": {src: isw,
		title: "ISW Press Release: New Analyst Team, March 29, 2023", link: "https://understandingwar.org/press-release/new-analyst-team-march-29-2023", pub: "2023-03-30T02:10:00Z",
		want: notReport},

	// spartanat.com, German.
	"spartanat Die Lage 45 dated by its slug": {src: spartanat,
		title: "Ukraine: Die Lage 45", link: sp + "2022/04/ukraine-die-lage-45-4-april-2022/", pub: "2022-04-06T08:00:00Z",
		want: ro(45, day(2022, 4, 4), "")},
	"spartanat Die Lage 50 dated by its slug": {src: spartanat,
		title: "Ukraine: Die Lage 50", link: sp + "2022/04/ukraine-die-lage-50-9-april-2022/", pub: "2022-04-11T08:00:00Z",
		want: ro(50, day(2022, 4, 9), "")},
	"spartanat Die Lage 193 slug date is the report's, not the path's month": {src: spartanat,
		title: "Ukraine: Die Lage 193", link: sp + "2022/09/ukraine-die-lage-193-31-august-2022/", pub: "2022-09-02T08:00:00Z",
		want: ro(193, day(2022, 8, 31), "")},
	"spartanat update 401 reads number and ISW link from the real post": {src: spartanat,
		title: "Ukraine: Die Lage 401", link: sp + "2023/03/ukraine-die-lage-401/", content: "@de-update-401.html", pub: "2023-03-31T07:00:00Z",
		want: ro(401, day(2023, 3, 29), oldURL401)},
	"spartanat update 401 without the source's own pattern": {src: germanTr,
		title: "Ukraine: Die Lage 401", link: sp + "2023/03/ukraine-die-lage-401/", content: "@de-update-401.html", pub: "2023-03-31T07:00:00Z",
		want: ro(401, day(2023, 3, 29), oldURL401)},
	"spartanat slug with maerz": {src: spartanat,
		title: "Ukraine: Die Lage 401", link: sp + "2023/03/ukraine-die-lage-401-29-maerz-2023/", pub: "2023-03-31T07:00:00Z",
		want: ro(401, day(2023, 3, 29), "")},
	"spartanat slug with marz": {src: spartanat,
		title: "Ukraine: Die Lage 401", link: sp + "2023/03/ukraine-die-lage-401-29-marz-2023/", pub: "2023-03-31T07:00:00Z",
		want: ro(401, day(2023, 3, 29), "")},
	"spartanat slug with percent-encoded märz": {src: spartanat,
		title: "Ukraine: Die Lage 401", link: sp + "2023/03/ukraine-die-lage-401-29-m%C3%A4rz-2023/", pub: "2023-03-31T07:00:00Z",
		want: ro(401, day(2023, 3, 29), "")},
	"spartanat year-less 2022 ISW link takes the post's year": {src: spartanat,
		title: "Ukraine: Die Lage 193", link: sp + "2022/09/ukraine-die-lage-193/",
		content: `<p>Das vollständige Russian Offensive Update 193 gibt es direkt bei <a href="` + bg + `russian-offensive-campaign-assessment-august-31">UNDERSTANDING WAR</a>.</p>`,
		pub:     "2022-09-02T08:00:00Z",
		want:    ro(193, day(2022, 8, 31), bg+"russian-offensive-campaign-assessment-august-31")},
	"spartanat link to a -0 duplicate keeps it as written": {src: spartanat,
		title: "Ukraine: Die Lage 401", link: sp + "2023/03/ukraine-die-lage-401/",
		content: `<p>Das vollständige Russian Offensive Update 401 gibt es direkt bei <a href="` + oldURL401 + `-0">UNDERSTANDING WAR</a>.</p>`,
		pub:     "2023-03-31T07:00:00Z",
		want:    ro(401, day(2023, 3, 29), oldURL401+"-0")},
	"spartanat link to criticalthreats.org after references to earlier reports": {src: spartanat,
		title: "Ukraine: Die Lage 401", link: sp + "2023/03/ukraine-die-lage-401/", content: "@de-references.html", pub: "2023-03-31T07:00:00Z",
		want: ro(401, day(2023, 3, 29), ctURL401)},
	"dated post picks the ISW link of its own date among references": {src: germanTr,
		title: "ISW-Lagebericht vom 28. März 2023", link: "https://example.de/isw-lagebericht-28-maerz", content: references, pub: "2023-03-30T07:00:00Z",
		want: ro(0, day(2023, 3, 28), bg+"russian-offensive-campaign-assessment-march-28-2023-0")},
	"dated post ignores ISW links of other dates": {src: germanTr,
		title: "ISW-Lagebericht vom 30. März 2023", link: "https://example.de/isw-lagebericht", content: references, pub: "2023-04-01T07:00:00Z",
		want: ro(0, day(2023, 3, 30), "")},
	"German day counter before the number is not the number": {src: spartanat,
		title: "Ukraine: Die Lage 401 – Tag 400", link: sp + "2023/03/ukraine-die-lage-401/", pub: "2023-03-31T07:00:00Z",
		want: ro(401, time.Time{}, "")},
	"German Kriegstag is not the number": {src: germanTr,
		title: "Kriegstag 466: Die Lage 412", link: "https://example.de/kriegstag-466", pub: "2023-06-04T07:00:00Z",
		want: ro(412, time.Time{}, "")},
	"German ordinal day counter is not the number": {src: germanTr,
		title: "466. Tag: Update 412 zur Lage in der Ukraine", link: "https://example.de/466-tag", pub: "2023-06-04T07:00:00Z",
		want: ro(412, time.Time{}, "")},
	"German day counter alone is not a report": {src: germanTr,
		title: "Ukraine-Krieg: Tag 466", link: "https://example.de/ukraine-krieg-tag-466", pub: "2023-06-04T07:00:00Z",
		want: notReport},
	"German bare Nr. is a day counter, not a number": {src: germanTr,
		title: "Ukraine-Krieg Nr. 371", link: "https://example.de/ukraine-krieg-nr-371", pub: "2023-02-28T07:00:00Z",
		want: notReport},
	"German Nr. after Lagebericht is a number": {src: germanTr,
		title: "ISW-Lagebericht Nr. 401", link: "https://example.de/isw-lagebericht-nr-401", pub: "2023-03-31T07:00:00Z",
		want: ro(401, time.Time{}, "")},
	"German Update N with a long date": {src: germanTr,
		title: "Update 401: Die Lage in der Ukraine am 29. März 2023", link: "https://example.de/update-401", pub: "2023-03-31T07:00:00Z",
		want: ro(401, day(2023, 3, 29), "")},
	"German day of a long date after Update is not a number": {src: germanTr,
		title: "ISW Update 29. März 2023", link: "https://example.de/isw-update", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"German numeric date with source line in content": {src: germanTr,
		title: "Wie ist der aktuelle Stand (24.08.22) in der Ukraine?", link: "https://example.de/wie-ist-der-aktuelle-stand", content: "@de-stand-24-08-22.html", pub: "2022-08-26T07:00:00Z",
		want: ro(0, day(2022, 8, 24), "")},
	"German source line alone dates the post": {src: germanTr,
		title: "Wie ist der aktuelle Stand in der Ukraine?", link: "https://example.de/wie-ist-der-aktuelle-stand-2", content: "@de-stand-24-08-22.html", pub: "2022-08-26T07:00:00Z",
		want: ro(0, day(2022, 8, 24), "")},
	"German four-digit numeric date": {src: germanTr,
		title: "ISW-Analyse vom 29.03.2023", link: "https://example.de/isw-analyse", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"German ISO date": {src: germanTr,
		title: "ISW-Lagebericht 2023-03-29", link: "https://example.de/isw-2023-03-29", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"German year-less date at year's end belongs to the old year": {src: germanTr,
		title: "ISW: Die Lage am 31. Dezember", link: "https://example.de/isw-31-dezember", pub: "2023-01-02T09:00:00Z",
		want: ro(0, day(2022, 12, 31), "")},
	"German Jänner": {src: germanTr,
		title: "ISW-Bericht vom 3. Jänner 2023", link: "https://example.at/isw-bericht", pub: "2023-01-05T09:00:00Z",
		want: ro(0, day(2023, 1, 3), "")},
	"German decomposed umlaut in März": {src: germanTr,
		title: "ISW-Bericht vom 29. Ma\u0308rz 2023", link: "https://example.de/isw-bericht", pub: "2023-03-31T09:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"German title in capitals": {src: spartanat,
		title: "UKRAINE: DIE LAGE 401", link: sp + "2023/03/ukraine-die-lage-401/", pub: "2023-03-31T07:00:00Z",
		want: ro(401, time.Time{}, "")},
	"German title with no-break spaces": {src: germanTr,
		title: "Ukraine:\u00a0Die\u00a0Lage\u00a0401", link: sp + "2023/03/ukraine-die-lage-401/", pub: "2023-03-31T07:00:00Z",
		want: ro(401, time.Time{}, "")},
	"German German-language series name with date": {src: germanTr,
		title: "Bewertung der russischen Offensivkampagne, 29. März 2023", link: "https://example.de/bewertung", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"German translation of Russian Occupation Update stays apart": {src: germanTr,
		title: "Russian Occupation Update, 29. März 2024", link: "https://example.de/occupation", pub: "2024-03-31T07:00:00Z",
		want: identity{Series: seriesOccupation, Date: day(2024, 3, 29)}},
	"German translation of Iran Update Special Report stays apart": {src: germanTr,
		title: "Iran Update Special Report, 13. April 2024", link: "https://example.de/iran-special", pub: "2024-04-15T07:00:00Z",
		want: identity{Series: seriesIranSpecial, Date: day(2024, 4, 13)}},
	"German post linking only an Iran Update is that series": {src: germanTr,
		title: "Iran: Die Lage am 29. März 2023", link: "https://example.de/iran-lage",
		content: `<p>Quelle: <a href="https://www.criticalthreats.org/analysis/iran-update-march-29-2023">ISW/CTP</a></p>`,
		pub:     "2023-03-31T07:00:00Z",
		want:    identity{Series: seriesIran, Date: day(2023, 3, 29), ISWURL: "https://www.criticalthreats.org/analysis/iran-update-march-29-2023"}},
	"German undated post linking an ISW report takes the link's date": {src: germanTr,
		title: "Die Lage in der Ukraine", link: "https://example.de/lage",
		content: `<p>Übersetzt aus dem <a href="` + newURL + `">ISW-Bericht</a>.</p>`,
		pub:     "2026-02-28T07:00:00Z",
		want:    ro(0, day(2026, 2, 26), newURL)},

	"spartanat product review is not a report": {src: spartanat,
		title: "Testbericht: Glock 17 Gen 5 (24.08.22)", link: sp + "2022/08/testbericht-glock-17-gen-5/", content: "<p>Die neue Glock im Test.</p>", pub: "2022-08-24T07:00:00Z",
		want: notReport},
	"spartanat shop news is not a report": {src: spartanat,
		title: "Neu bei SPARTANAT: Der Tactical Shop", link: sp + "2023/03/neu-bei-spartanat-der-tactical-shop/", pub: "2023-03-31T07:00:00Z",
		want: notReport},
	"German post with a date but no ISW is not a report": {src: germanTr,
		title: "Ukraine: Gipfel am 29. März 2023 in Kiew", link: "https://example.de/gipfel", pub: "2023-03-31T07:00:00Z",
		want: notReport},
	"German generic Update N is not a report": {src: germanTr,
		title: "Update 2: Explosion in Hamburger Hafen", link: "https://example.de/update-2-explosion", pub: "2023-03-31T07:00:00Z",
		want: notReport},
	"German post linking only ISW's home page names ISW, no report date": {src: germanTr,
		title: "Wer steckt hinter Understanding War?", link: "https://example.de/wer",
		content: `<p><a href="https://www.understandingwar.org/">UNDERSTANDING WAR</a></p>`, pub: "2023-03-31T07:00:00Z",
		want: ro(0, time.Time{}, "")},

	// Source's own number pattern.
	"source pattern reads a number the built-ins do not know": {src: config.Source{Name: "x", Lang: "de", Role: config.RoleTranslation, Number: `Lagebild Folge (\d+)`},
		title: "Lagebild Folge 77", link: "https://example.de/lagebild-folge-77", pub: "2022-05-12T07:00:00Z",
		want: ro(77, time.Time{}, "")},
	"source pattern is read in the content when the title lacks it": {src: config.Source{Name: "x", Lang: "de", Role: config.RoleTranslation, Number: `Folge (\d+)`},
		title: "Lagebild Ukraine", link: "https://example.de/lagebild", content: "<p>Text.</p><p>Dies war Folge 78.</p>", pub: "2022-05-13T07:00:00Z",
		want: ro(78, time.Time{}, "")},
	"source pattern wins over built-in patterns": {src: config.Source{Name: "x", Lang: "de", Role: config.RoleTranslation, Number: `#(\d+)`},
		title: "Update 5 zur Lage, #402", link: "https://example.de/x", pub: "2023-04-01T07:00:00Z",
		want: ro(402, time.Time{}, "")},

	// Ukrainian.
	"Ukrainian Звіт ISW №401 with date": {src: ukTr,
		title: "Звіт ISW №401: 29 березня 2023", link: "https://example.ua/zvit-isw-401", pub: "2023-03-30T09:00:00Z",
		want: ro(401, day(2023, 3, 29), "")},
	"Ukrainian number sign with a space": {src: ukTr,
		title: "Звіт ISW № 401", link: "https://example.ua/zvit", pub: "2023-03-30T09:00:00Z",
		want: ro(401, time.Time{}, "")},
	"Ukrainian date with року": {src: ukTr,
		title: "Аналітика ISW за 29 березня 2023 року", link: "https://example.ua/analityka", pub: "2023-03-30T09:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"Ukrainian series name in Ukrainian": {src: ukTr,
		title: "Оцінка російської наступальної кампанії, 29 березня 2023", link: "https://example.ua/otsinka", pub: "2023-03-30T09:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"Ukrainian year-less date in Cyrillic": {src: ukTr,
		title: "ISW: головне за 24 серпня", link: "https://example.ua/isw-24-serpnya", pub: "2022-08-25T09:00:00Z",
		want: ro(0, day(2022, 8, 24), "")},
	"Ukrainian day counter before the number": {src: ukTr,
		title: "403-й день війни. Звіт ISW №401", link: "https://example.ua/403", pub: "2023-03-30T09:00:00Z",
		want: ro(401, time.Time{}, "")},
	"Ukrainian день N is not a number, the post names ISW": {src: ukTr,
		title: "День 403: аналіз ISW", link: "https://example.ua/den-403", pub: "2023-03-30T09:00:00Z",
		want: ro(0, time.Time{}, "")},
	"Ukrainian post with ISW link in content": {src: ukTr,
		title: "Що відбувається на фронті", link: "https://example.ua/front", content: "@uk-zvit-401.html", pub: "2023-03-30T09:00:00Z",
		want: ro(0, day(2023, 3, 29), "https://understandingwar.org/research/russia-ukraine/russian-offensive-campaign-assessment-march-29-2023/")},
	"Ukrainian news with a date but no ISW is not a report": {src: ukTr,
		title: "Новини 29 березня 2023", link: "https://example.ua/novyny", pub: "2023-03-30T09:00:00Z",
		want: notReport},
	"Ukrainian Cyrillic slug is read": {src: ukTr,
		title: "Головне за добу", link: "https://example.ua/%D0%B7%D0%B2%D1%96%D1%82-isw-401", pub: "2023-03-30T09:00:00Z",
		want: ro(401, time.Time{}, "")},

	// Russian.
	"Russian Сводка ISW №401 with date": {src: ruTr,
		title: "Сводка ISW №401 от 29 марта 2023", link: "https://example.ru/svodka-401", pub: "2023-03-30T09:00:00Z",
		want: ro(401, day(2023, 3, 29), "")},
	"Russian date with г.": {src: ruTr,
		title: "Отчет ISW: 29 марта 2023 г.", link: "https://example.ru/otchet", pub: "2023-03-30T09:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"Russian day counter with year-less date": {src: ruTr,
		title: "Сводка ISW за 403-й день войны, 29 марта", link: "https://example.ru/svodka", pub: "2023-03-31T09:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"Russian series name in Russian": {src: ruTr,
		title: "Оценка российской наступательной кампании, 29 марта 2023", link: "https://example.ru/otsenka", pub: "2023-03-30T09:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"Russian Отчёт with ё and number": {src: ruTr,
		title: "Отчёт ISW № 402 за 30 марта 2023", link: "https://example.ru/402", pub: "2023-03-31T09:00:00Z",
		want: ro(402, day(2023, 3, 30), "")},
	"Russian день N alone is not a report": {src: ruTr,
		title: "Война в Украине: день 403", link: "https://example.ru/den-403", pub: "2023-03-31T09:00:00Z",
		want: notReport},

	// French.
	"French rapport ISW n° 401 with date": {src: frTr,
		title: "Rapport ISW n° 401 – 29 mars 2023", link: "https://example.fr/rapport-401", pub: "2023-03-30T09:00:00Z",
		want: ro(401, day(2023, 3, 29), "")},
	"French n° with no-break space": {src: frTr,
		title: "Rapport de l'ISW n°\u00a0401", link: "https://example.fr/rapport", pub: "2023-03-30T09:00:00Z",
		want: ro(401, time.Time{}, "")},
	"French series name in French": {src: frTr,
		title: "Évaluation de la campagne offensive russe, 29 mars 2023", link: "https://example.fr/evaluation", pub: "2023-03-30T09:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"French jour N is not a number": {src: frTr,
		title: "Jour 403 de la guerre : bilan ISW du 29 mars 2023", link: "https://example.fr/jour-403", pub: "2023-03-30T09:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"French 1er of the month": {src: frTr,
		title: "1er mars 2023 : rapport ISW", link: "https://example.fr/1er-mars", pub: "2023-03-02T09:00:00Z",
		want: ro(0, day(2023, 3, 1), "")},
	"French accented février": {src: frTr,
		title: "L'ISW au 26 février 2026", link: "https://example.fr/isw-26-fevrier", pub: "2026-02-27T09:00:00Z",
		want: ro(0, day(2026, 2, 26), "")},
	"French news with a date but no ISW is not a report": {src: frTr,
		title: "Ukraine : sommet du 29 mars 2023", link: "https://example.fr/sommet", pub: "2023-03-30T09:00:00Z",
		want: notReport},

	// Polish.
	"Polish dzień counter with ISW date": {src: plTr,
		title: "403 dzień wojny. Raport ISW z 29 marca 2023", link: "https://example.pl/403-dzien", pub: "2023-03-30T09:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"Polish dzień counter alone is not a report": {src: plTr,
		title: "Wojna w Ukrainie: 403 dzień", link: "https://example.pl/403", pub: "2023-03-30T09:00:00Z",
		want: notReport},

	// English translators and mirrors.
	"English Day N of the war is not a number, the post names ISW": {src: enTr,
		title: "Day 403 of the war: ISW update", link: "https://example.com/day-403", pub: "2023-03-30T09:00:00Z",
		want: ro(0, time.Time{}, "")},
	"English mirror with abbreviated month": {src: enTr,
		title: "ISW Russian Offensive Campaign Assessment, Feb. 26, 2026", link: "https://example.com/isw-feb-26", pub: "2026-02-27T09:00:00Z",
		want: ro(0, day(2026, 2, 26), "")},
	"English mirror whose link is the ISW original": {src: enTr,
		title: "Russian Offensive Campaign Assessment, March 29, 2023 (mirror)", link: ctURL401, pub: "2023-03-30T09:00:00Z",
		want: ro(0, day(2023, 3, 29), ctURL401)},
	"English Russian Offensive Update number": {src: enTr,
		title: "Russian Offensive Update #401", link: "https://example.com/update", pub: "2023-03-30T09:00:00Z",
		want: ro(401, time.Time{}, "")},
	"English 2022 year-less title near New Year": {src: enTr,
		title: "ISW: Russian Offensive Campaign Assessment, December 30", link: "https://example.com/dec-30", pub: "2023-01-01T12:00:00Z",
		want: ro(0, day(2022, 12, 30), "")},
	"English Sept without dot": {src: enTr,
		title: "ISW assessment for Sept 3, 2023", link: "https://example.com/sept-3", pub: "2023-09-04T12:00:00Z",
		want: ro(0, day(2023, 9, 3), "")},

	// Messy input.
	"empty item is not a report": {src: enTr, want: notReport},
	"title with control characters": {src: spartanat,
		title: "Ukraine:\tDie Lage\x00 401\n", link: sp + "2023/03/ukraine-die-lage-401/", pub: "2023-03-31T07:00:00Z",
		want: ro(401, time.Time{}, "")},
	"impossible date is not read": {src: germanTr,
		title: "ISW-Bericht vom 31. Februar 2023", link: "https://example.de/x", pub: "2023-03-02T07:00:00Z",
		want: ro(0, time.Time{}, "")},
	"script text in content is not read": {src: germanTr,
		title: "Lage in der Welt", link: "https://example.de/welt",
		content: `<p>Nachrichten.</p><script>var s = "Quelle: Russian Offensive Campaign Assessment, August 24";</script>`, pub: "2022-08-26T07:00:00Z",
		want: notReport},
	"long content is read at its end": {src: germanTr,
		title: "Wie ist der aktuelle Stand?", link: "https://example.de/stand",
		content: longContent(), pub: "2022-08-26T07:00:00Z",
		want: ro(0, day(2022, 8, 24), "")},

	// ISW's own feed, as it really writes it.
	"ISW title in lower case": {src: isw,
		title: "Russian offensive campaign assessment, March 29, 2023", link: oldURL401, pub: "2023-03-30T01:00:00Z",
		want: ro(0, day(2023, 3, 29), oldURL401)},
	"ISW title in capitals": {src: isw,
		title: "RUSSIAN OFFENSIVE CAMPAIGN ASSESSMENT, MARCH 29, 2023", link: oldURL401, pub: "2023-03-30T01:00:00Z",
		want: ro(0, day(2023, 3, 29), oldURL401)},
	"ISW title with &nbsp; entities left in": {src: isw,
		title: "Russian Offensive Campaign Assessment,&nbsp;December 31,&nbsp;2023", link: bg + "russian-offensive-campaign-assessment-december-31-2023", pub: "2024-01-01T01:00:00Z",
		want: ro(0, day(2023, 12, 31), bg+"russian-offensive-campaign-assessment-december-31-2023")},
	"ISW title with an &#8211; entity and a trailing newline": {src: isw,
		title: "Russian Offensive Campaign Assessment &#8211; March 29, 2023\n  ", link: oldURL401, pub: "2023-03-30T01:00:00Z",
		want: ro(0, day(2023, 3, 29), oldURL401)},
	"ISW link with a utm query is kept as written": {src: isw,
		title: "Russian Offensive Campaign Assessment", link: oldURL401 + "?utm_source=rss&utm_medium=rss", pub: "2023-03-30T01:00:00Z",
		want: ro(0, day(2023, 3, 29), oldURL401+"?utm_source=rss&utm_medium=rss")},
	"ISW criticalthreats.org link with a utm query": {src: isw,
		title: "Russian Offensive Campaign Assessment, March 29, 2023", link: ctURL401 + "?utm_source=x", pub: "2023-03-30T01:00:00Z",
		want: ro(0, day(2023, 3, 29), ctURL401+"?utm_source=x")},
	"ISW Dec 31, 2022 report published on Jan 1 UTC": {src: isw,
		title: "Russian Offensive Campaign Assessment, December 31, 2022", link: bg + "russian-offensive-campaign-assessment-december-31-2022", pub: "2023-01-01T01:00:00Z",
		want: ro(0, day(2022, 12, 31), bg+"russian-offensive-campaign-assessment-december-31-2022")},
	"ISW Jan 1 report with its year": {src: isw,
		title: "Russian Offensive Campaign Assessment, January 1, 2023", link: bg + "russian-offensive-campaign-assessment-january-1-2023", pub: "2023-01-02T01:00:00Z",
		want: ro(0, day(2023, 1, 1), bg+"russian-offensive-campaign-assessment-january-1-2023")},
	"ISW year mistyped at New Year takes the publication's year": {src: isw,
		title: "Russian Offensive Campaign Assessment, January 3, 2022", link: bg + "russian-offensive-campaign-assessment-january-3-2022", pub: "2023-01-04T01:00:00Z",
		want: ro(0, day(2023, 1, 3), bg+"russian-offensive-campaign-assessment-january-3-2022")},
	"ISW last year's date in a year-end report is kept": {src: isw,
		title: "Russian Offensive Campaign Assessment, December 30, 2022", link: bg + "russian-offensive-campaign-assessment-december-30-2022", pub: "2023-01-02T01:00:00Z",
		want: ro(0, day(2022, 12, 30), bg+"russian-offensive-campaign-assessment-december-30-2022")},
	"ISW mistyped series name is still the daily report": {src: isw,
		title: "Russian Offensive Campaing Assesment, March 29, 2023", link: bg + "russian-offensive-campaing-assesment-march-29-2023", pub: "2023-03-30T01:00:00Z",
		want: ro(0, day(2023, 3, 29), bg+"russian-offensive-campaing-assesment-march-29-2023")},
	"ISW misspelled Febuary": {src: isw,
		title: "Russian Offensive Campaign Assessment, Febuary 26, 2026", link: newURL, pub: "2026-02-27T01:00:00Z",
		want: ro(0, day(2026, 2, 26), newURL)},
	"ISW title date wins over a slug copied from the day before": {src: isw,
		title: "Russian Offensive Campaign Assessment, March 29, 2023", link: bg + "russian-offensive-campaign-assessment-march-28-2023", pub: "2023-03-30T01:00:00Z",
		want: ro(0, day(2023, 3, 29), bg+"russian-offensive-campaign-assessment-march-28-2023")},
	"ISW 2022 warning update with a year-less date": {src: isw,
		title: "Russia-Ukraine Warning Update: Russian Offensive Campaign Assessment, February 28", link: bg + "russia-ukraine-warning-update-russian-offensive-campaign-assessment-february-28", pub: "2022-03-01T01:00:00Z",
		want: ro(0, day(2022, 2, 28), bg+"russia-ukraine-warning-update-russian-offensive-campaign-assessment-february-28")},
	"ISW Iran Update in lower case with an entity stays apart": {src: isw,
		title: "Iran update&#44; March 29, 2023", link: bg + "iran-update-march-29-2023", pub: "2023-03-30T01:00:00Z",
		want: identity{Series: seriesIran, Date: day(2023, 3, 29), ISWURL: bg + "iran-update-march-29-2023"}},

	// Numeric dates in translators' slugs.
	"spartanat slug with a day-month-year date": {src: spartanat,
		title: "Ukraine: Die Lage 402", link: sp + "2023/03/ukraine-die-lage-402-30-3-2023/", pub: "2023-04-01T07:00:00Z",
		want: ro(402, day(2023, 3, 30), "")},
	"spartanat slug with a zero-padded date": {src: spartanat,
		title: "Ukraine: Die Lage 402", link: sp + "2023/03/ukraine-die-lage-402-30-03-2023/", pub: "2023-04-01T07:00:00Z",
		want: ro(402, day(2023, 3, 30), "")},
	"spartanat slug with an ISO date": {src: spartanat,
		title: "Ukraine: Die Lage 402", link: sp + "2023/03/ukraine-die-lage-402-2023-03-30/", pub: "2023-04-01T07:00:00Z",
		want: ro(402, day(2023, 3, 30), "")},
	"spartanat slug date before a WordPress -2 suffix": {src: spartanat,
		title: "Ukraine: Die Lage 402", link: sp + "2023/04/ukraine-die-lage-402-30-3-2023-2/", pub: "2023-04-01T07:00:00Z",
		want: ro(402, day(2023, 3, 30), "")},
	"spartanat slug ending in a two-digit year": {src: spartanat,
		title: "Ukraine: Die Lage 401", link: sp + "2023/03/ukraine-die-lage-401-29-3-23/", pub: "2023-03-31T07:00:00Z",
		want: ro(401, day(2023, 3, 29), "")},
	"German hyphenated numeric date in the title": {src: germanTr,
		title: "Ukraine: Die Lage 401 - 29-03-2023", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(401, day(2023, 3, 29), "")},
	"ISW new slug with a WordPress -2 suffix": {src: isw,
		title: "Russian Offensive Campaign Assessment", link: "https://understandingwar.org/research/russia-ukraine/russian-offensive-campaign-assessment-march-29-2023-2/", pub: "2023-03-30T01:00:00Z",
		want: ro(0, day(2023, 3, 29), "https://understandingwar.org/research/russia-ukraine/russian-offensive-campaign-assessment-march-29-2023-2/")},
	"German slug date with the Institute for the Study of War in the text": {src: germanTr,
		title: "Lagebericht Ukraine", link: "https://example.de/lagebericht-ukraine-17-01-2023/",
		content: "<p>Übersetzung des aktuellen Berichts des Institute for the Study of War.</p>", pub: "2023-01-19T07:00:00Z",
		want: ro(0, day(2023, 1, 17), "")},
	"German slug date without ISW anywhere is not a report": {src: germanTr,
		title: "Lagebericht Ukraine", link: "https://example.de/lagebericht-ukraine-17-01-2023/", pub: "2023-01-19T07:00:00Z",
		want: notReport},

	// Translators naming ISW only in the text.
	"German dated title with an ISW link in the text": {src: germanTr,
		title: "Lagebericht Ukraine 17.01.2023", link: "https://example.de/lagebericht-ukraine/",
		content: `<p>Quelle: <a href="` + bg + `russian-offensive-campaign-assessment-january-17-2023">ISW</a></p>`, pub: "2023-01-19T07:00:00Z",
		want: ro(0, day(2023, 1, 17), bg+"russian-offensive-campaign-assessment-january-17-2023")},
	"German dated title with the Institute for the Study of War in the text": {src: germanTr,
		title: "Lagebericht Ukraine 17.01.2023", link: "https://example.de/lagebericht-ukraine/",
		content: "<p>Zusammenfassung des Institute for the Study of War.</p>", pub: "2023-01-19T07:00:00Z",
		want: ro(0, day(2023, 1, 17), "")},
	"German Institut für Kriegsstudien in the text": {src: germanTr,
		title: "Lagebericht vom 17.01.2023", link: "https://example.de/lagebericht/",
		content: "<p>Laut dem US-Institut für Kriegsstudien …</p>", pub: "2023-01-19T07:00:00Z",
		want: ro(0, day(2023, 1, 17), "")},
	"German dated news citing ISW in the text is not a report": {src: germanTr,
		title: "Niederlage bei Bachmut am 17.01.2023", link: "https://example.de/bachmut/",
		content: "<p>Laut dem Institute for the Study of War zogen sich die Truppen zurück.</p>", pub: "2023-01-19T07:00:00Z",
		want: notReport},
	"German dated title without ISW anywhere is not a report": {src: germanTr,
		title: "Lagebericht Ukraine 17.01.2023", link: "https://example.de/lagebericht-ukraine/", pub: "2023-01-19T07:00:00Z",
		want: notReport},
	"Update N about Ukraine with a date and ISW in the text": {src: germanTr,
		title: "Ukraine: Update 401 / 29.03.2023", link: "https://example.de/update-401/",
		content: "<p>Übersetzt aus dem Englischen, Quelle: ISW.</p>", pub: "2023-03-31T07:00:00Z",
		want: ro(401, day(2023, 3, 29), "")},
	"Update N on another topic citing ISW is not a report": {src: germanTr,
		title: "Update 2: Neue Glock am 29.03.2023", link: "https://example.de/glock/",
		content: "<p>Die Pistole ist laut ISW auch in der Ukraine im Einsatz.</p>", pub: "2023-03-30T07:00:00Z",
		want: notReport},
	"a dated stock sale citing ISW is not a report": {src: spartanat,
		title: "Lagerverkauf am 17.03.2023", link: "https://www.spartanat.com/2023/03/lagerverkauf/",
		content: "<p>Laut ISW ist die Nachfrage gestiegen.</p>", pub: "2023-03-10T07:00:00Z",
		want: notReport},
	"a dated reportage citing ISW is not a report": {src: spartanat,
		title: "Reportage: Besuch beim Jagdkommando am 12. März 2023", link: "https://www.spartanat.com/2023/03/reportage/",
		content: "<p>Das Institute for the Study of War berichtet …</p>", pub: "2023-03-14T07:00:00Z",
		want: notReport},
	"an analysis about Ukraine citing ISW is not a report": {src: spartanat,
		title: "Analyse: Leopard 2 in der Ukraine, 29.03.2023", link: "https://www.spartanat.com/2023/03/leopard/",
		content: "<p>Laut dem Institute for the Study of War …</p>", pub: "2023-03-30T07:00:00Z",
		want: notReport},
	"Update N with a date alone is not a report": {src: germanTr,
		title: "Update 401 / 29.03.2023", link: "https://example.de/update-401/", pub: "2023-03-31T07:00:00Z",
		want: notReport},

	// Dates as translators write them.
	"German slash date": {src: germanTr,
		title: "ISW: Lage am 29/03/2023", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"German slash date with a two-digit year": {src: germanTr,
		title: "ISW: Lage am 29/03/23", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"French slash date": {src: frTr,
		title: "Rapport ISW du 29/03/2023", link: "https://example.fr/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"English slash date that can only be month first": {src: enTr,
		title: "ISW update 03/29/2023", link: "https://example.com/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"ISO date with slashes": {src: enTr,
		title: "ISW 2023/03/29", link: "https://example.com/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"mixed separators are not a date": {src: germanTr,
		title: "ISW 29.03/2023", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, time.Time{}, "")},
	"German numeric date with a one-digit month": {src: germanTr,
		title: "ISW-Bericht 29.3.2023", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"German numeric date with spaces after the dots": {src: germanTr,
		title: "ISW-Lage 29. 3. 2023", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"German year-less numeric date": {src: germanTr,
		title: "ISW-Bericht vom 29.03.", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"German year-less numeric date at year's end": {src: germanTr,
		title: "ISW-Lage vom 31.12.", link: "https://example.de/x", pub: "2023-01-02T07:00:00Z",
		want: ro(0, day(2022, 12, 31), "")},
	"German year-less long date": {src: germanTr,
		title: "ISW-Bericht vom 29. März", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"German year mistyped at New Year": {src: germanTr,
		title: "ISW-Bericht vom 3. Januar 2022", link: "https://example.de/x", pub: "2023-01-05T07:00:00Z",
		want: ro(0, day(2023, 1, 3), "")},
	"German retrospective a year back keeps its year": {src: germanTr,
		title: "Ein Jahr danach: ISW-Bericht vom 29. März 2022", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2022, 3, 29), "")},
	"generic Update N citing ISW in the text without a date is not a report": {src: germanTr,
		title: "Update 3: Explosion auf der Krim-Brücke", link: "https://example.de/krim",
		content: "<p>Laut dem Institute for the Study of War war es ein Anschlag.</p>", pub: "2022-10-08T07:00:00Z",
		want: notReport},
	"English day-first long date": {src: enTr,
		title: "ISW report 29 March 2023", link: "https://example.com/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"English ordinal without year": {src: enTr,
		title: "ISW report March 29th", link: "https://example.com/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"English abbreviated month without year": {src: enTr,
		title: "ISW report Mar 29", link: "https://example.com/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"English the 29th of March": {src: enTr,
		title: "ISW report for the 29th of March, 2023", link: "https://example.com/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"English weekday before the date": {src: enTr,
		title: "ISW report, Wednesday, March 29th, 2023", link: "https://example.com/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"Ukrainian numeric date": {src: ukTr,
		title: "Звіт ISW за 29.03.2023", link: "https://example.ua/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"Ukrainian title in capitals": {src: ukTr,
		title: "ЗВІТ ISW: 29 БЕРЕЗНЯ 2023 РОКУ", link: "https://example.ua/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"Ukrainian abbreviated month": {src: ukTr,
		title: "Аналітики ISW: головне станом на 29 берез. 2023", link: "https://example.ua/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"Ukrainian series name with a colon": {src: ukTr,
		title: "Оцінка російської наступальної кампанії: 29 березня 2023", link: "https://example.ua/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"Ukrainian year-less genitive month": {src: ukTr,
		title: "Звіт ISW від 31 грудня", link: "https://example.ua/x", pub: "2023-01-02T07:00:00Z",
		want: ro(0, day(2022, 12, 31), "")},
	"Russian 29-го марта": {src: ruTr,
		title: "Сводка ISW от 29-го марта", link: "https://example.ru/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"Russian abbreviated month": {src: ruTr,
		title: "ISW: 29 мар. 2023 г.", link: "https://example.ru/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"Russian series name with года": {src: ruTr,
		title: "Оценка российской наступательной кампании, 29 марта 2023 года", link: "https://example.ru/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"Russian numeric date": {src: ruTr,
		title: "Отчет ISW 29.03.2023", link: "https://example.ru/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"French series name with 1er": {src: frTr,
		title: "Évaluation de la campagne offensive russe, 1er avril 2023", link: "https://example.fr/x", pub: "2023-04-03T07:00:00Z",
		want: ro(0, day(2023, 4, 1), "")},
	"English series name with ISW prefix and German note": {src: germanTr,
		title: "ISW: Russian Offensive Campaign Assessment, March 29, 2023 (Übersetzung)", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"English series name with a German date": {src: germanTr,
		title: "[DE] Russian Offensive Campaign Assessment – 29. März 2023", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"ISO date after a Lage number": {src: germanTr,
		title: "Ukraine-Lage 401: 2023-03-29", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(401, day(2023, 3, 29), "")},

	// Numbers as translators write them.
	"ISW #N": {src: germanTr,
		title: "ISW #401", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(401, time.Time{}, "")},
	"ISW report 24/7 in 2026 is no update 24": {src: enTr,
		title: "ISW report 24/7: how we follow the war", link: "https://example.org/isw-247/", pub: "2026-02-01T07:00:00Z",
		want: ro(0, time.Time{}, "")},
	"Update N of the time is still read without a date": {src: germanTr,
		title: "Ukraine: Update 1400", link: "https://example.de/u", pub: "2026-01-10T07:00:00Z",
		want: ro(1400, time.Time{}, "")},
	"a bare #N is no update number": {src: germanTr,
		title: "Ukraine-Podcast #45", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: notReport},
	"help for Ukraine #7 is no report": {src: germanTr,
		title: "Hilfe für die Ukraine #7", link: "https://example.de/y", pub: "2023-03-31T07:00:00Z",
		want: notReport},
	"Lage N": {src: germanTr,
		title: "Lage 401", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(401, time.Time{}, "")},
	"Die Lage (N)": {src: germanTr,
		title: "Die Lage (401)", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(401, time.Time{}, "")},
	"Die Lage: N": {src: germanTr,
		title: "Die Lage: 401", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(401, time.Time{}, "")},
	"Ukraine-Lage Nr. N": {src: germanTr,
		title: "Ukraine-Lage Nr. 401", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(401, time.Time{}, "")},
	"title with an &#8211; entity": {src: spartanat,
		title: "Ukraine &#8211; Die Lage 401", link: sp + "2023/03/ukraine-die-lage-401/", pub: "2023-03-31T07:00:00Z",
		want: ro(401, time.Time{}, "")},
	"title with a doubly escaped &nbsp;": {src: germanTr,
		title: "ISW&amp;nbsp;#401", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(401, time.Time{}, "")},
	"German day counter does not win over the ISW number": {src: germanTr,
		title: "Tag 400 des Krieges – ISW-Bericht 398", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(398, time.Time{}, "")},
	"German Kriegstag with a year-less numeric date": {src: germanTr,
		title: "400. Kriegstag: ISW-Lage vom 29.3.", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"English Day 500 ISW update without date is a report without number or date": {src: enTr,
		title: "Day 500 of the war: ISW update", link: "https://example.com/day-500", pub: "2023-07-08T07:00:00Z",
		want: ro(0, time.Time{}, "")},
	"someone else's day series repeating its D+N is no update number": {src: germanTr,
		title: "Ukraine-Krieg 2.0 – Update 54 vom 20. April (D+54)", link: "https://example.de/update-54/", pub: "2022-04-21T07:00:00Z",
		want: notReport},
	"English Day 500 ISW update with a date": {src: enTr,
		title: "Day 500 of the war: ISW update, July 7, 2023", link: "https://example.com/day-500", pub: "2023-07-08T07:00:00Z",
		want: ro(0, day(2023, 7, 7), "")},
	"Ukrainian день counter before the Звіт number": {src: ukTr,
		title: "Війна, день 400: звіт ISW №398", link: "https://example.ua/x", pub: "2023-03-31T07:00:00Z",
		want: ro(398, time.Time{}, "")},
	"a year after Lage is not an update number": {src: spartanat,
		title: "Ukraine: Die Lage 2023", link: sp + "2023/01/ukraine-die-lage-2023/", pub: "2023-01-05T07:00:00Z",
		want: notReport},

	"Russian transliterated month in the slug is a date, not a number": {src: ruTr,
		title: "Сводка ISW от 31 марта", link: "https://ru.example/svodka-isw-31-marta/", pub: "2023-04-02T07:00:00Z",
		want: ro(0, day(2023, 3, 31), "")},
	"Ukrainian transliterated month in the slug dates the post": {src: ukTr,
		title: "Звіт ISW №401", link: "https://uk.example/zvit-isw-401-vid-29-bereznya-2023/", pub: "2023-03-31T07:00:00Z",
		want: ro(401, day(2023, 3, 29), "")},
	"transliterated month in a title is not read": {src: germanTr,
		title: "ISW-Bericht: Marta 29 Jahre", link: "https://example.de/x", pub: "2023-03-31T07:00:00Z",
		want: ro(0, time.Time{}, "")},

	// Items that name ISW but are no version of one report, each with one that is.
	"a piece about ISW's reports in general is no report": {src: enTr,
		title: "The reports of the Institute for the Study of War (ISW) should not be taken seriously", link: "https://en.example/opinion-1", pub: "2024-06-28T07:00:00Z",
		want: notReport},
	"ISW publishing every morning is ISW's habit, no report": {src: enTr,
		link: "https://sv.example/a/1", content: "<p>Klockan fem varje morgon publicerar Institute for the Study of War (ISW) sin dagliga rapport om Ukraina.</p>", pub: "2023-03-10T07:00:00Z",
		want: notReport},
	"a report's own long-standing words far from ISW's name leave it a report": {src: enTr,
		link: "https://en.example/post/5", content: "<p>Key Takeaways from the ISW:</p><ul><li>Russia continues to weaponize its position on the United Nations Security Council (UNSC) to propagate several long-standing Russian information operations.</li></ul>", pub: "2024-01-23T07:00:00Z",
		want: ro(0, time.Time{}, "")},
	"ISW as a source of information is a piece about ISW": {src: enTr,
		link: "https://sk.example/svet/1", content: "<p>Inštitút pre štúdium vojny sa stal najobľúbenejším zdrojom informácií o vývoji na ukrajinskom bojisku.</p>", pub: "2023-02-01T07:00:00Z",
		want: notReport},
	"ISW's order of battle is another publication": {src: frTr,
		link: "https://fr.example/forces-russes", content: "<p>Décrivant l'ordre de bataille russe actuel en Ukraine, l'Institut pour l'étude de la guerre (ISW) indique que les forces russes opèrent dans des formations décentralisées.</p>", pub: "2023-05-01T07:00:00Z",
		want: notReport},
	"ISW's assessment of Russian forces in Ukraine is a report": {src: frTr,
		link: "https://fr.example/forces-russes-2", content: "<p>L'Institut pour l'étude de la guerre (ISW) indique que les forces russes avancent près de Bakhmout.</p>", pub: "2023-05-01T07:00:00Z",
		want: ro(0, time.Time{}, "")},
	"an ISW page with the ISW Press byline and no series is another publication": {src: enTr,
		link: "https://cafe.example/read?id=3663", content: "<p>2025년 2월 19일 - ISW Press</p><p>러시아의 약점이 레버리지를 제공한다</p>", pub: "2025-02-21T07:00:00Z",
		want: notReport},
	"an ISW page with the ISW Press byline under the daily series' title is a report": {src: enTr,
		link: "https://cafe.example/read?id=3664", content: "<p>Russian Offensive Campaign Assessment, March 19, 2025</p><p>March 19, 2025 - ISW Press</p>", pub: "2025-03-21T07:00:00Z",
		want: ro(0, day(2025, 3, 19), "")},
	"a copy of an ISW publication of no series is another publication": {src: enTr,
		title: "24-210-01 ISW Occupation Playbook", link: "https://docs.example/document/725497411", content: "<p>February 2024 Karolina Hird ©2024 by the Institute for the Study of War.</p>", pub: "2024-04-20T07:00:00Z",
		want: notReport},
	"the Kremlin's playbook in an ISW summary leaves it a report": {src: enTr,
		title: "ISW: the Kremlin follows its Syria playbook in Ukraine", link: "https://en.example/news/playbook", pub: "2024-04-20T07:00:00Z",
		want: ro(0, time.Time{}, "")},
	"the latest reports of ISW are one report's news": {src: enTr,
		link: "https://en.example/news/latest", content: "<p>According to the latest reports of the Institute for the Study of War, Russian forces advanced near Pokrovsk.</p>", pub: "2024-09-20T07:00:00Z",
		want: ro(0, time.Time{}, "")},
	"ISW's data over two years is a trend, no report": {src: enTr,
		link: "https://es.example/avance", content: "<p>Los datos del Instituto para el Estudio de la Guerra (ISW) muestran que Rusia ha ganado casi seis veces más territorio en 2024 que en 2023.</p>", pub: "2025-01-02T07:00:00Z",
		want: notReport},
	"ISW's statistics of one year in a summary leave it a report": {src: plTr,
		link: "https://pl.example/isw", content: "<p>ISW opublikował raport statystyczny dotyczący postępów Rosji na froncie w 2025 r.</p>", pub: "2025-12-10T07:00:00Z",
		want: ro(0, time.Time{}, "")},
	"ISW's separate statement is another publication": {src: enTr,
		title: "미 싱크탱크 ISW \"서방, 우크라 방식 전쟁 믿고 지지해야\"", link: "https://ko.example/article/1", content: "<p>별도 성명 발표… 미국 싱크탱크 전쟁연구소(ISW)는 25일 주문했다.</p>", pub: "2023-09-26T07:00:00Z",
		want: notReport},
	"ISW on Iran, not on the war, is the Iran Update; the year from the text's full date": {src: enTr,
		link: "https://en.example/news/sitrep-iran", content: "<p>An analysis by the Critical Threats Project with support from the ISW was published on October 6th; it stated that Iran may attack US targets.</p><p>Map of the protests in Iran as of October 9th, 2022</p>",
		want: identity{Series: seriesIran, Date: day(2022, 10, 6)}},
	"ISW on Iranian drones over Ukraine is the daily report": {src: enTr,
		title: "ISW: Iranian drones strike Kyiv", link: "https://en.example/news/drones", pub: "2022-10-18T07:00:00Z",
		want: ro(0, time.Time{}, "")},
	"ISW's Key Takeaways reposted without ISW's name": {src: enTr,
		link: "https://en.example/post/13553", content: "<p>Key Takeaways</p><ul><li>Russian authorities detained more than 50 people at anti-war demonstrations in Russian cities.</li></ul>", pub: "2024-02-25T07:00:00Z",
		want: ro(0, time.Time{}, "")},
	"key takeaways about a phone are no report": {src: enTr,
		link: "https://en.example/post/13554", content: "<p>Key takeaways: the new phone has a larger battery.</p><p>Analysts at ISW.com compare it.</p>", pub: "2024-02-25T07:00:00Z",
		want: notReport},
	"ISW touching Japanese letters is still ISW": {src: config.Source{Name: "ja", Lang: "ja", Role: config.RoleTranslation},
		link: "https://ja.example/read/741", content: "<p>ISWさんも大分語気を強めてきたなぁ ロシア軍は攻勢を継続している。</p>", pub: "2022-09-16T07:00:00Z",
		want: ro(0, time.Time{}, "")},
	"a longer Latin word is not ISW, whatever script follows": {src: config.Source{Name: "ja", Lang: "ja", Role: config.RoleTranslation},
		link: "https://ja.example/read/742", content: "<p>ISWAさんも ロシア軍は攻勢を継続している。</p>", pub: "2022-09-16T07:00:00Z",
		want: notReport},

	// Dates a summary states away from ISW's name, each with one that is not the report's.
	"a summary's opening day that the next sentence credits to ISW's report": {src: ukTr,
		link: "https://uk.example/news-2", content: "<p>13 травня російські окупанти продовжували наступи на північ від Харкова. Про це йдеться у свіжому звіті аналітиків Інституту вивчення війни.</p>", pub: "2024-05-14T06:00:00Z",
		want: ro(0, day(2024, 5, 13), "")},
	"a dateline with its year opening a repost is no report date": {src: enTr,
		title: "RUSSIAN OFFENSIVE CAMPAIGN ASSESSMENT", link: "https://en.example/2024/02/roca.html", content: "<p>19 February 2024 RUSSIAN OFFENSIVE CAMPAIGN ASSESSMENT Riley Bailey. Institute for the Study of War.</p>", pub: "2024-02-19T07:00:00Z",
		want: ro(0, time.Time{}, "")},
	"the day a report covers, after «протягом доби»": {src: ukTr,
		link: "https://uk.example/news-3", content: "<p>Сили оборони України просунулись. Про це йдеться у звіті Інституту вивчення війни (ISW).</p><p>Аналітики зазначають, що на Бахмутському напрямку протягом доби, 11 березня, тривали позиційні бої.</p>", pub: "2024-03-12T06:00:00Z",
		want: ro(0, day(2024, 3, 11), "")},
	"an event's day in the report's news is no report date": {src: ukTr,
		link: "https://uk.example/news-4", content: "<p>Сили оборони України просунулись. Про це йдеться у звіті Інституту вивчення війни (ISW).</p><p>Аналітики зазначають, що 11 березня тривали позиційні бої.</p>", pub: "2024-03-12T06:00:00Z",
		want: ro(0, time.Time{}, "")},
	"a report published in the night of the 17th to the 18th is the 17th's": {src: ruTr,
		title: "ISW: Российские войска наращивают силы под Изюмом", link: "https://ru.example/news/1", content: "<p>Американский Институт изучения войны (Institute for the Study of War) в ночь с 17 на 18 апреля опубликовал новую карту.</p>", pub: "2022-04-18T09:00:00Z",
		want: ro(0, day(2022, 4, 17), "")},
	"a report of the 18th stated after ISW's name": {src: ruTr,
		title: "ISW: Российские войска наращивают силы под Изюмом", link: "https://ru.example/news/2", content: "<p>Американский Институт изучения войны 18 апреля опубликовал новую карту.</p>", pub: "2022-04-19T09:00:00Z",
		want: ro(0, day(2022, 4, 18), "")},
	"ISW's note on its next report dates a repost the day before": {src: enTr,
		title: "RUSSIAN OFFENSIVE CAMPAIGN ASSESSMENT", link: "https://en.example/2024/02/roca-2.html", content: "<p>Note: The data cut-off for this product was 2:20pm ET on February 16. ISW will cover subsequent reports in the February 17 Russian Offensive Campaign Assessment.</p>", pub: "2024-02-19T07:00:00Z",
		want: ro(0, day(2024, 2, 16), "")},
	"a data cut-off alone dates no report": {src: enTr,
		title: "RUSSIAN OFFENSIVE CAMPAIGN ASSESSMENT", link: "https://en.example/2024/02/roca-3.html", content: "<p>Note: The data cut-off for this product was 2:20pm ET on February 16.</p>", pub: "2024-02-19T07:00:00Z",
		want: ro(0, time.Time{}, "")},
	"ISW's byline in a repost wins over the title's date": {src: enTr,
		title: "UPDATE (08 August 2024) - Ukrainian forces continue advance", link: "https://farm.example/article/4870", content: "<p>December 14, 2023, 10:25pm ET</p><p>Russian Offensive Campaign Assessment</p>", pub: "2024-08-09T07:00:00Z",
		want: ro(0, day(2023, 12, 14), "")},
	"a title's date stands where the text carries no byline of ISW": {src: enTr,
		title: "ISW update (08 August 2024): Ukrainian forces continue advance", link: "https://farm.example/article/4871", content: "<p>Ukrainian forces continued to advance, ISW said.</p>", pub: "2024-08-09T07:00:00Z",
		want: ro(0, day(2024, 8, 8), "")},
	"ISW's PDF header gives a year-less byline its year": {src: enTr,
		link: "https://milthink.example/detail/63737", content: "<p>Institute for the Study of War & The Critical Threats Project 2022 Russian Offensive Campaign Assessment December 22, 7 pm ET</p>",
		want: ro(0, day(2022, 12, 22), "")},
	"an event's bare year gives a year-less date no year": {src: enTr,
		link: "https://forum.example/topic/182", content: "<p>Key Takeaways from the Institute for the Study of War as of December 23: ISW assesses that the Kremlin has been setting conditions since at least October 2022.</p>",
		want: ro(0, time.Time{}, "")},

	// A slug's count.
	"a slug's count under a title that names its update by date is no number": {src: enTr,
		title: "Ukraine Invasion Update 2/26", link: "https://en.example/2022-02-26-ukraine-invasion-update-9.html", content: "<p>ISW Russia Team | 2022.02.26</p>", pub: "2022-02-27T07:00:00Z",
		want: ro(0, day(2022, 2, 26), "")},
	"a slug's number under a title without the report word": {src: enTr,
		title: "Ukraine: Russian forces regroup in the east", link: "https://en.example/ukraine-update-45/", pub: "2022-04-05T07:00:00Z",
		want: ro(45, time.Time{}, "")},

	// Title against slug.
	"German title date wins over the slug's": {src: germanTr,
		title: "ISW-Bericht vom 29. März 2023", link: "https://example.de/isw-bericht-28-03-2023/", pub: "2023-03-31T07:00:00Z",
		want: ro(0, day(2023, 3, 29), "")},
	"spartanat title date wins over the slug's": {src: spartanat,
		title: "Ukraine: Die Lage 401 (29. März 2023)", link: sp + "2023/03/ukraine-die-lage-401-28-maerz-2023/", pub: "2023-03-31T07:00:00Z",
		want: ro(401, day(2023, 3, 29), "")},
	"title date chooses the ISW link, not the slug's": {src: germanTr,
		title: "ISW-Bericht vom 29. März 2023", link: "https://example.de/isw-bericht-28-03-2023/",
		content: `<p><a href="` + oldURL401 + `">Original</a>, siehe auch <a href="` + bg + `russian-offensive-campaign-assessment-march-28-2023">gestern</a>.</p>`,
		pub:     "2023-03-31T07:00:00Z",
		want:    ro(0, day(2023, 3, 29), oldURL401)},
	"translator's Iran Update with a slash date stays apart": {src: germanTr,
		title: "Iran Update, 29/03/2023", link: "https://example.de/iran", pub: "2023-03-31T07:00:00Z",
		want: identity{Series: seriesIran, Date: day(2023, 3, 29)}},
}

func longContent() string {
	b := []byte("<p>")
	for range 2000 {
		b = append(b, "Russische Truppen griffen an. "...)
	}
	return string(b) + "</p><p>Quelle: Russian Offensive Campaign Assessment, August 24</p>"
}

func (c identityCase) item(t testing.TB) fetch.Item {
	content := c.content
	if len(content) > 0 && content[0] == '@' {
		content = fixture(t, content[1:])
	}
	it := fetch.Item{Source: c.src.Name, Lang: c.src.Lang, Title: c.title, Link: c.link, Content: content}
	if c.pub != "" {
		it.Published = at(c.pub)
		it.Updated = it.Published
	}
	return it
}

func TestRead(t *testing.T) {
	if len(identityCases) < 80 {
		t.Fatalf("only %d cases; the spec asks for at least 80", len(identityCases))
	}
	for name, c := range identityCases {
		t.Run(name, func(t *testing.T) {
			r, err := newSourceReader(c.src)
			if err != nil {
				t.Fatal(err)
			}
			got := r.Read(c.item(t))
			if got.Series != c.want.Series || got.Number != c.want.Number || !got.Date.Equal(c.want.Date) || got.ISWURL != c.want.ISWURL {
				t.Errorf("Read(%q, %q)\n got  %s\n want %s", c.title, c.link, show(got), show(c.want))
			}
		})
	}
}

func show(id identity) string {
	if id.Series == "" {
		return "not a report"
	}
	d := "no date"
	if !id.Date.IsZero() {
		d = id.Date.Format(time.DateOnly)
	}
	return id.Series + " #" + strconv.Itoa(id.Number) + " " + d + " " + id.ISWURL
}

func TestISWURLDates(t *testing.T) {
	for name, c := range map[string]struct {
		url  string
		want time.Time
		ok   bool
	}{
		"old backgrounder slug":               {oldURL401, day(2023, 3, 29), true},
		"new research slug":                   {newURL, day(2026, 2, 26), true},
		"duplicate -0":                        {oldURL401 + "-0", day(2023, 3, 29), true},
		"criticalthreats.org":                 {ctURL401, day(2023, 3, 29), true},
		"query and fragment ignored":          {oldURL401 + "?utm_source=x#top", day(2023, 3, 29), true},
		"Iran Update slug":                    {"https://www.criticalthreats.org/analysis/iran-update-january-5-2024", day(2024, 1, 5), true},
		"year-less 2022 slug cannot be dated": {bg + "russian-offensive-campaign-assessment-august-24", time.Time{}, false},
		"year-less duplicate cannot be dated": {bg + "russian-offensive-campaign-assessment-august-24-0", time.Time{}, false},
		"slug without date":                   {bg + "russia-ukraine-warning-update-initial-russian-offensive-campaign-assessment", time.Time{}, false},
		"other host":                          {"https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/", time.Time{}, false},
		"look-alike host":                     {"https://understandingwar.org.example.com/backgrounder/russian-offensive-campaign-assessment-march-29-2023", time.Time{}, false},
		"impossible date":                     {bg + "russian-offensive-campaign-assessment-february-30-2023", time.Time{}, false},
		"not a URL":                           {"::", time.Time{}, false},
		"short link MMDDYY":                   {"https://isw.pub/UkrWar070425", day(2025, 7, 4), true},
		"short link of no date":               {"https://isw.pub/UkrWar", time.Time{}, false},
		"short link look-alike host":          {"https://notisw.pub/UkrWar070425", time.Time{}, false},
		"uploaded PDF, URL-encoded":           {"https://understandingwar.org/sites/default/files/2025-04-28-PDF-Russian%20Offensive%20Campaign%20Assessment.pdf", day(2025, 4, 28), true},
		"upload named after the report":       {"https://www.understandingwar.org/wp-content/uploads/2023/03/Russian%20Offensive%20Campaign%20Assessment%20March%2029%2C%202023.pdf", day(2023, 3, 29), true},
		"Blogger mirror, year from the path":  {"https://www.iswresearch.org/2025/02/china-taiwan-weekly-update-february-20.html", day(2025, 2, 20), true},
		"archived copy of ISW's page":         {"https://megalodon.jp/ref/2025-0909-1224-15/https://understandingwar.org:443/research/china-taiwan/china-taiwan-weekly-update-september-8-2025", day(2025, 9, 8), true},
	} {
		t.Run(name, func(t *testing.T) {
			d, ok := iswDay(c.url)
			var got time.Time
			if ok && d.Year != 0 {
				got, ok = d.In(time.Time{})
			} else {
				ok = false
			}
			if ok != c.ok || !got.Equal(c.want) {
				t.Errorf("iswDay(%q) = %v, %v; want %v, %v", c.url, got, ok, c.want, c.ok)
			}
		})
	}
}

func TestNormaliseISWURL(t *testing.T) {
	want := "https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-29-2023"
	for name, u := range map[string]string{
		"as is":               want,
		"www and http":        "http://www.understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-29-2023",
		"duplicate -0":        oldURL401 + "-0",
		"trailing slash":      oldURL401 + "/",
		"query and fragment":  oldURL401 + "?utm_source=feed#main",
		"upper-case host":     "https://WWW.UnderstandingWar.org/backgrounder/russian-offensive-campaign-assessment-march-29-2023",
		"duplicate and slash": oldURL401 + "-0/",
	} {
		t.Run(name, func(t *testing.T) {
			if got := normaliseISWURL(u); got != want {
				t.Errorf("normaliseISWURL(%q) = %q, want %q", u, got, want)
			}
		})
	}
	t.Run("year-less duplicate", func(t *testing.T) {
		u := bg + "russian-offensive-campaign-assessment-august-2-0"
		if got := normaliseISWURL(u); got != "https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-august-2" {
			t.Errorf("normaliseISWURL(%q) = %q", u, got)
		}
	})
	t.Run("other sites come back as given", func(t *testing.T) {
		u := "https://www.spartanat.com/2023/03/ukraine-die-lage-401/?x=1"
		if got := normaliseISWURL(u); got != u {
			t.Errorf("normaliseISWURL(%q) = %q", u, got)
		}
	})
}

func TestNewReaderRejectsBadSources(t *testing.T) {
	for name, src := range map[string]config.Source{
		"unknown role":             {Name: "x", Role: "mirror"},
		"pattern does not compile": {Name: "x", Role: config.RoleTranslation, Number: `Die Lage (\d+`},
		"pattern without a group":  {Name: "x", Role: config.RoleTranslation, Number: `Die Lage \d+`},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := newSourceReader(src); err == nil {
				t.Errorf("newSourceReader(%+v) accepted it", src)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	for _, c := range identityCases {
		f.Add(c.title, c.link, c.content, c.src.Role == config.RoleOriginal)
	}
	f.Add("Ukraine: Die Lage 401", sp+"2023/03/ukraine-die-lage-401/", fixture(f, "de-update-401.html"), false)
	originals, _ := newSourceReader(isw)
	translations, _ := newSourceReader(spartanat)
	pub := at("2023-03-31T07:00:00Z")
	f.Fuzz(func(t *testing.T, title, link, content string, original bool) {
		r := translations
		if original {
			r = originals
		}
		id := r.Read(fetch.Item{Title: title, Link: link, Content: content, Published: pub})
		if id.Series == "" && id != (identity{}) {
			t.Errorf("not a report but carries %+v", id)
		}
		if id.Number < 0 {
			t.Errorf("negative number %d", id.Number)
		}
		if !id.Date.IsZero() && (id.Date.Hour() != 0 || id.Date.Location() != time.UTC) {
			t.Errorf("date %v is not a day at 00:00 UTC", id.Date)
		}
	})
}

func BenchmarkRead(b *testing.B) {
	spartanatItem := fetch.Item{Title: "Ukraine: Die Lage 401", Link: sp + "2023/03/ukraine-die-lage-401/",
		Content: fixture(b, "de-update-401.html"), Published: at("2023-03-31T07:00:00Z")}
	iswItem := fetch.Item{Title: "Russian Offensive Campaign Assessment, March 29, 2023", Link: oldURL401,
		Content: fixture(b, "isw-original-march-29-2023.html"), Published: at("2023-03-30T02:10:00Z")}
	longItem := fetch.Item{Title: "Wie ist der aktuelle Stand?", Link: "https://example.de/stand",
		Content: longContent(), Published: at("2022-08-26T07:00:00Z")}
	tr, _ := newSourceReader(spartanat)
	orig, _ := newSourceReader(isw)
	for _, bc := range []struct {
		name string
		r    *sourceReader
		it   fetch.Item
	}{{"spartanat", tr, spartanatItem}, {"isw", orig, iswItem}, {"long", tr, longItem}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.r.Read(bc.it)
			}
		})
	}
}
