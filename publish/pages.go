package publish

import (
	"embed"
	"html/template"
	"net/http"
	"time"

	"iswfeed/config"
	"iswfeed/dedupe"
)

//go:embed templates
var templateFS embed.FS

var pages = map[string]*template.Template{}

func init() {
	funcs := template.FuncMap{"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}}
	for _, name := range []string{"index", "update", "status"} {
		pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
}

var iconDoc = func() *document {
	b, err := templateFS.ReadFile("templates/icon.svg")
	if err != nil {
		panic(err)
	}
	return newDocument(b, typeSVG, time.Unix(0, 0))
}()

// pageCSP forbids scripts and everything else the pages do not use.
const pageCSP = "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// page is what the layout needs; Main is the page's own data.
type page struct {
	Lang, Title, Subtitle string
	// L holds the words the page shares with the feeds, in its language.
	L          labels
	Feeds      []feedLinks
	Alternates []version
}

type feedLinks struct {
	Label, Lang, Atom, RSS, JSON string
}

type report struct {
	Anchor, Series, Page, Date, DateISO string
	// ISWURL links ISW's original; HasOriginal says a version is it.
	ISWURL             string
	HasOriginal        bool
	Number             int
	Published, Updated string
	Versions           []version
}

type version struct {
	Lang, Name, Source, SourceTitle, Title, URL, Published string
	Original                                               bool
	Content                                                template.HTML
}

func (s *Server) reportOf(u *dedupe.Update) report {
	r := report{
		Anchor: u.ID, Series: u.Series, Page: updatePath(u), Number: u.Number,
		Date: u.Date.Format("January 2, 2006"), DateISO: u.Date.Format(time.DateOnly),
		ISWURL:    iswURL(u),
		Published: firstPublished(u).UTC().Format("2006-01-02 15:04 UTC"), Updated: u.Updated.UTC().Format("2006-01-02 15:04 UTC"),
	}
	for _, v := range u.Variants {
		r.HasOriginal = r.HasOriginal || v.Role == config.RoleOriginal
		r.Versions = append(r.Versions, version{
			Lang: v.Lang, Name: langName(v.Lang), Source: v.Source, SourceTitle: s.sourceTitle(v), Title: plainText(v.Title), URL: linkOf(v),
			Published: v.Published.UTC().Format("2006-01-02 15:04 UTC"), Original: v.Role == config.RoleOriginal,
			// Content was sanitised by withContent; it is empty on index rows.
			Content: template.HTML(v.Content),
		})
	}
	return r
}

func (s *Server) layout(st *site, title string) page {
	p := page{Lang: "en", Title: title, Subtitle: s.cfg.Subtitle, L: labelsFor("en")}
	for _, v := range st.views() {
		p.Feeds = append(p.Feeds, feedLinks{Label: v.name(labelsFor(p.Lang)), Lang: v.lang,
			Atom: v.feedPath("atom"), RSS: v.feedPath("rss"), JSON: v.feedPath("json")})
	}
	return p
}

// indexPage renders / : the reports of the current feed with their languages.
func (s *Server) indexPage(st *site, r *http.Request) (*document, error) {
	h := st.history(view{}, s.cfg.FeedSize)
	data := struct {
		page
		Reports []report
		Months  []string
	}{page: s.layout(st, s.cfg.Title), Months: h.months}
	if data.Subtitle == "" {
		data.Subtitle = config.DefaultSubtitle
	}
	var modified time.Time
	for i := range h.current {
		data.Reports = append(data.Reports, s.reportOf(&h.current[i]))
		modified = latest(modified, h.current[i].Updated)
	}
	return s.htmlDocument(r.URL.Path, "index", data, modified)
}

// updatePage renders /updates/{n}: the report with every version's content.
func (s *Server) updatePage(st *site, r *http.Request) (*document, error) {
	u, err := s.fullUpdate(st, r)
	if err != nil {
		return nil, err
	}
	data := struct {
		page
		Report report
	}{page: s.layout(st, reportTitle(u)), Report: s.reportOf(u)}
	data.Alternates = data.Report.Versions
	return s.htmlDocument(r.URL.Path, "update", data, u.Updated)
}

func (s *Server) htmlDocument(key, name string, data any, modified time.Time) (*document, error) {
	buf := getBuffer()
	defer putBuffer(buf)
	if err := pages[name].ExecuteTemplate(buf, "layout", data); err != nil {
		return nil, err
	}
	d := s.document(key, copyExact(buf.Bytes()), typeHTML, modified)
	d.header = http.Header{"Content-Security-Policy": {pageCSP}, "X-Content-Type-Options": {"nosniff"}}
	return d, nil
}
