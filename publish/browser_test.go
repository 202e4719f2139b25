package publish

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts headless Chromium for one test. The returned func stops
// listening and gives every console error, uncaught exception and error-level
// browser log entry the pages caused.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	return browserFor(t, 45*time.Second) // a cold Chromium may take 15 s to start
}

// browserFor is browser for a test that may take up to timeout.
func browserFor(t *testing.T, timeout time.Duration) (context.Context, func() []string) {
	t.Helper()
	chromium := requireTool(t, "chromium", "chromium")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })

	listen, stop := context.WithCancel(ctx)
	messages := chromedp.Console(listen)
	var problems []string
	var wg sync.WaitGroup
	wg.Go(func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == chromedp.ConsoleError {
				problems = append(problems, string(m.Type)+": "+m.String()+" at "+m.URL)
			}
		}
	})
	return ctx, func() []string {
		time.Sleep(100 * time.Millisecond) // let the last events arrive
		stop()
		wg.Wait()
		return problems
	}
}

func TestBrowserShowsTheReportsTheirNumbersAndLanguages(t *testing.T) {
	ctx, problems := browser(t)
	f := newFixture(t, Options{})
	threeReports(f)

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(f.web.URL+"/")); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	index, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	links, err := chromedp.Run(ctx, chromedp.AttributesAll(chromedp.CSSAll(".langs a")))
	if err != nil {
		t.Fatal(err)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(f.web.URL+"/updates/401")); err != nil {
		t.Fatal(err)
	}
	update, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}

	for _, want := range []string{"Update 401", "March 29, 2023", "March 28, 2023", "English", "Deutsch"} {
		if !strings.Contains(index, want) {
			t.Errorf("the index does not show %q; a person sees:\n%s", want, index)
		}
	}
	hreflangs := map[string]bool{}
	for _, l := range links {
		hreflangs[l["hreflang"]+" "+l["href"]] = true
	}
	if !hreflangs["de https://www.spartanat.com/2023/03/ukraine-die-lage-401-29-maerz-2023/"] ||
		!hreflangs["en https://www.understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-29-2023"] {
		t.Errorf("language links on the index: %v", links)
	}
	if overflow {
		t.Errorf("the index scrolls sideways on a 390 px wide phone")
	}
	for _, want := range []string{"Update 401: March 29, 2023", "Ukraine: Die Lage 401", "Die Lage am 29. März.", "March 29 report."} {
		if !strings.Contains(update, want) {
			t.Errorf("/updates/401 does not show %q; a person sees:\n%s", want, update)
		}
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("the pages caused errors:\n%s", strings.Join(p, "\n"))
	}
}
