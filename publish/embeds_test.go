package publish

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConsentPlaceholdersBecomeLinksToWhatTheyEmbed(t *testing.T) {
	tweet := "https://twitter.com/GeneralStaffUA/status/1641005000000000000"
	video := "https://www.youtube.com/embed/dQw4w9WgXcQ"
	for file, want := range map[string]string{
		"borlabs2-twitter-de.html":          tweet + "?ref_src=twsrc%5Etfw",
		"borlabs2-youtube-base64-text.html": video + "?feature=oembed",
		"borlabs2-preview-only.html":        "",
		"borlabs3-x-de.html":                tweet + "?ref_src=twsrc%5Etfw",
		"complianz-youtube.html":            video + "?feature=oembed",
		"embed-privacy-twitter-footer.html": tweet,
		"embed-privacy-twitter.html":        tweet + "?ref_src=twsrc%5Etfw",
		"lyte.html":                         "https://youtu.be/dQw4w9WgXcQ",
		"cookiebot.html":                    video,
		"text-only-de.html":                 "",
	} {
		t.Run(file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "embeds", file))
			if err != nil {
				t.Fatal(err)
			}
			got := sanitize(unblockEmbeds(string(raw)))
			text := plainText(got)
			for _, dead := range []string{"Inhalt", "laden", "Mehr erfahren", "Datenschutz", "akzeptieren", "Cliquez", "Klicke", "immer", "Cookie", "JavaScript"} {
				if strings.Contains(text, dead) {
					t.Errorf("a reader still sees %q:\n%s", dead, text)
				}
			}
			for _, kept := range []string{"Das ukrainische Widerstandszentrum berichtet am 29. März.", "Das vollständige Russian Offensive Update 401"} {
				if !strings.Contains(got, kept) {
					t.Errorf("the post's own text %q is gone:\n%s", kept, got)
				}
			}
			links := strings.Count(got, "<a ")
			switch {
			case want == "" && links != 0:
				t.Errorf("nothing names the embedded post, yet a link remains:\n%s", got)
			case want != "" && (links != 1 || !strings.Contains(got, `<a href="`+strings.ReplaceAll(want, "&", "&amp;")+`"`)):
				t.Errorf("want one link to %s:\n%s", want, got)
			}
		})
	}
}

func TestContentWithoutPlaceholdersIsLeftAsItWas(t *testing.T) {
	for _, raw := range []string{
		"<p>Die Lage am 29. März.</p>",
		`<p>Ein <a href="https://example.org/">Link</a> und <img src="https://example.org/map.png"></p>`,
		"plain text & more",
		"<p>Die Datenschutzerklärung des Kremls ist kurz.</p><p>Mehr erfahren</p>",
		"<p>By loading the trucks, Russian forces agree to nothing.</p>",
		"<p>Cookies<br>are not <b>tracked</b> here &amp; there</p>",
	} {
		if got := unblockEmbeds(raw); got != raw {
			t.Errorf("unblockEmbeds(%q) = %q", raw, got)
		}
	}
}

func TestATranslatorsPlaceholderReachesSubscribersAsALink(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "embeds", "borlabs2-twitter-de.html"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, Options{})
	f.ingest(spa, german(401, "2023-03-29", string(raw)))
	for _, path := range []string{"/de/feed.atom", "/updates/401"} {
		body := f.get(path).body
		if strings.Contains(body, "Inhalt laden") || !strings.Contains(body, "twitter.com/GeneralStaffUA/status/1641005000000000000") {
			t.Errorf("%s shows the placeholder, not a link to the tweet:\n%s", path, body)
		}
	}
}

// FuzzUnblockEmbeds feeds arbitrary HTML, seeded with the plugins' markup,
// through the placeholder pass and the sanitiser: nothing panics, nothing
// active comes out, and a second pass finds nothing more to change.
func FuzzUnblockEmbeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "embeds", "*.html"))
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(string(b))
	}
	f.Add(`<div class="BorlabsCookie"><div data-borlabs-cookie-type="content-blocker">PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==</div></div>`)
	f.Add(`<div class="embed-privacy-container"><script>var _oembed_x = '{\"embed\":\"&lt;a href=&quot;javascript:alert(1)&quot;&gt;\"}';</script></div>`)
	f.Fuzz(func(t *testing.T, raw string) {
		once := unblockEmbeds(raw)
		if twice := unblockEmbeds(once); twice != once {
			t.Errorf("a second pass changed %q\nto %q", once, twice)
		}
		if out := sanitize(once); strings.Contains(out, "<script") || strings.Contains(out, "javascript:") {
			t.Errorf("active content came through: %q", out)
		}
	})
}
