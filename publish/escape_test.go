package publish

import (
	"net/http"
	"testing"
)

// escapedPaths pairs documents with requests whose path unescapes to the
// document's but whose escaped path the mux splits into other segments (an
// escaped slash) or spells otherwise (an escaped letter).
// code is what the mux's route answers the escaped path with.
var escapedPaths = []struct {
	canonical, escaped string
	code               int
}{
	{"/archive/en/2023-02.atom", "/archive/en%2F2023-02.atom", http.StatusNotFound},
	{"/updates/russian-offensive/2023-02-26", "/updates/russian-offensive%2F2023-02-26", http.StatusBadRequest},
	{"/api/updates/russian-offensive/2023-02-26", "/api/updates/russian-offensive%2F2023-02-26", http.StatusBadRequest},
	{"/de/feed.atom", "/de%2Ffeed.atom", http.StatusNotFound},
	{"/archive/en/2023-02.atom", "/archive/%65n/2023-02.atom", http.StatusOK},
	{"/updates/401", "/updates/%34%301", http.StatusOK},
}

// TestEscapedPathsGetWhatTheMuxRoutesThemTo checks that a request with
// escapes in its path is answered as the mux routes it, whether or not the
// document whose path it unescapes to was served first, and that it leaves
// that document's answer as it was.
func TestEscapedPathsGetWhatTheMuxRoutesThemTo(t *testing.T) {
	for _, p := range escapedPaths {
		t.Run(p.escaped, func(t *testing.T) {
			cold := newFixture(t, Options{})
			threeReports(cold)
			first := cold.get(p.escaped)
			if first.StatusCode != p.code {
				t.Errorf("%s: %d %.80q, want %d", p.escaped, first.StatusCode, first.body, p.code)
			}
			if r := cold.get(p.canonical); r.StatusCode != http.StatusOK {
				t.Errorf("%s after %s: %d %.80q", p.canonical, p.escaped, r.StatusCode, r.body)
			}

			warm := newFixture(t, Options{})
			threeReports(warm)
			canonical := warm.get(p.canonical)
			if canonical.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", p.canonical, canonical.StatusCode)
			}
			if r := warm.get(p.escaped); r.StatusCode != first.StatusCode || r.body != first.body {
				t.Errorf("%s after %s: %d %.80q, as the first request: %d %.80q",
					p.escaped, p.canonical, r.StatusCode, r.body, first.StatusCode, first.body)
			}
			if r := warm.get(p.canonical); r.StatusCode != http.StatusOK || r.body != canonical.body {
				t.Errorf("%s after %s: %d, not the document", p.canonical, p.escaped, r.StatusCode)
			}
		})
	}
}

// TestSpellingsOfOnePathShareOneCachedDocument checks that the cache keeps a
// document under the path the mux routed, so that another spelling of it
// (an escaped letter) is served from the same entry.
func TestSpellingsOfOnePathShareOneCachedDocument(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	a, b := f.get("/archive/en/2023-02.atom"), f.get("/archive/%65n/2023-02.atom")
	if a.StatusCode != http.StatusOK || b.StatusCode != http.StatusOK || a.body != b.body {
		t.Fatalf("two spellings: %d and %d, same body %v", a.StatusCode, b.StatusCode, a.body == b.body)
	}
	st := f.srv.site.Load()
	st.mu.Lock()
	defer st.mu.Unlock()
	var keys []string
	for k := range st.lazy {
		keys = append(keys, k)
	}
	if len(keys) != 1 || keys[0] != "/archive/en/2023-02.atom" {
		t.Errorf("cache keys %q, want the one canonical path", keys)
	}
}
