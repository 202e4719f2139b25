package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// demoAt is the moving demo's sources at a moment, in ticks since its start.
func demoAt(ticks float64) *demoScript {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tick := 20 * time.Second
	return &demoScript{start: start, tick: tick, now: func() time.Time { return start.Add(time.Duration(ticks * float64(tick))) }}
}

func demoGet(d *demoScript, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	d.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestMovingDemoPublishesOnItsClock(t *testing.T) {
	cases := []struct {
		name  string
		ticks float64
		path  string
		code  int
		has   []string
		lacks []string
	}{
		{"two reports in every language from the start", 0, "/ukrainian.atom", 200, []string{"№401", "№402"}, []string{"№403"}},
		{"ISW publishes the next report every tick", 2, "/isw.xml", 200, []string{"March 31, 2023", "April 1, 2023"}, []string{"April 2, 2023"}},
		{"the German translation follows a tick later", 2, "/spartanat.xml", 200, []string{"Die Lage 403"}, []string{"Die Lage 440", "Die Lage 404"}},
		{"spartanat first posts update 404 as 440", 3.2, "/spartanat.xml", 200, []string{"Die Lage 440"}, []string{"Die Lage 404<"}},
		{"and corrects it", 4.6, "/spartanat.xml", 200, []string{"Die Lage 404<"}, []string{"Die Lage 440"}},
		{"ISW's feed is down for a while", 4, "/isw.xml", 503, []string{"Just a moment"}, nil},
		{"while translations arrive", 5, "/spartanat.xml", 200, []string{"Die Lage 406"}, nil},
		{"and comes back with what it published meanwhile", 6.6, "/isw.xml", 200, []string{"April 3, 2023", "April 4, 2023", "April 5, 2023"}, nil},
		{"feeds hold their newest ten items", 40, "/isw.xml", 200, []string{"?p=13039"}, []string{"?p=13029<"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := demoGet(demoAt(c.ticks), c.path)
			body := rec.Body.String()
			if rec.Code != c.code {
				t.Fatalf("%s at %.1f ticks: %d, want %d", c.path, c.ticks, rec.Code, c.code)
			}
			for _, s := range c.has {
				if !strings.Contains(body, s) {
					t.Errorf("%s at %.1f ticks lacks %q:\n%s", c.path, c.ticks, s, body)
				}
			}
			for _, s := range c.lacks {
				if strings.Contains(body, s) {
					t.Errorf("%s at %.1f ticks has %q:\n%s", c.path, c.ticks, s, body)
				}
			}
		})
	}
}

func TestMovingDemoAnswersConditionalPollsWith304(t *testing.T) {
	d := demoAt(1.5)
	first := demoGet(d, "/spartanat.xml")
	req := httptest.NewRequest(http.MethodGet, "/spartanat.xml", nil)
	req.Header.Set("If-None-Match", first.Header().Get("ETag"))
	rec := httptest.NewRecorder()
	d.ServeHTTP(rec, req)
	if first.Header().Get("ETag") == "" || rec.Code != http.StatusNotModified {
		t.Errorf("ETag %q, revalidation %d; want 304", first.Header().Get("ETag"), rec.Code)
	}
}

// TestMovingDemoMergesReportsAsTheyArrive runs the demo on a two-second
// clock and watches its API as a newcomer watches the page.
func TestMovingDemoMergesReportsAsTheyArrive(t *testing.T) {
	listen := freeAddr(t)
	d := &daemon{cmd: exec.Command(binary, "demo", "-tick", "2s", "-listen", listen), out: &syncBuffer{}}
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.cmd.Process.Signal(os.Interrupt)
		time.AfterFunc(5*time.Second, func() { d.cmd.Process.Kill() })
		d.cmd.Wait()
	})
	langs := func() map[int][]string {
		_, body := get("http://" + listen + "/api/updates")
		var out struct {
			Updates []struct {
				Number int      `json:"number"`
				Langs  []string `json:"langs"`
			} `json:"updates"`
		}
		json.Unmarshal([]byte(body), &out)
		m := map[int][]string{}
		for _, u := range out.Updates {
			m[u.Number] = u.Langs
		}
		return m
	}
	sawTranslationFirst := false
	deadline := time.Now().Add(90 * time.Second)
	for {
		m := langs()
		if l := m[406]; len(l) > 0 && !slices.Contains(l, "en") {
			sawTranslationFirst = true
		}
		if len(m[406]) == 3 && len(m[404]) == 3 && m[440] == nil && len(m[409]) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 90 s the demo shows %v; want 404 and 406 in three languages, no 440, and 409 published\n%s", m, d.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !sawTranslationFirst {
		t.Errorf("report 406 never arrived as a translation first while ISW was down")
	}
	if !strings.Contains(d.out.String(), "ISW's feed is down from") {
		t.Errorf("the demo does not tell what it will show:\n%s", d.out.String())
	}
}
