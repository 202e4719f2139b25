package main

import (
	"context"
	"embed"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"iswfeed/config"
)

// demoFeeds are the static demo's sample sources: ISW's feed and two
// translators, as they stand after five reports.
//
//go:embed demo/isw.xml demo/spartanat.xml demo/ukrainian.atom
var demoFeeds embed.FS

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "", stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "address of the demo's web server")
	static := fs.Bool("static", false, "serve the same five reports forever instead of publishing on a clock")
	tick := fs.Duration("tick", 20*time.Second, "how often the moving demo's ISW publishes a report")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *tick < time.Second {
		return fmt.Errorf("demo: -tick %s is too short; give 1s or more", *tick)
	}
	var handler http.Handler = http.HandlerFunc(serveDemoFile)
	// A static demo is polled every minute; a moving one four times a tick,
	// and backs off at most a tick, so that ISW's outage ends in time. Its
	// feeds ask readers to come back after a tick, not the default 5m.
	poll, ceiling, maxAge := time.Minute, 6*time.Hour, 5*time.Minute
	script := &demoScript{start: time.Now(), tick: *tick, now: time.Now}
	if !*static {
		handler = script
		poll, ceiling, maxAge = max(*tick/4, time.Second), *tick, *tick
	}
	sources, err := serveDemoSources(ctx, handler)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "iswfeed-demo")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	yaml := fmt.Sprintf(`listen: %s
database: %s
title: ISW daily reports, merged (demo)
schedule: "@every %s"
min_interval: %s
max_interval: %s
cache_max_age: %s
fetch: {allow_private_networks: true} # the samples are on loopback
sources:
  - {name: isw, title: Institute for the Study of War, url: "%s/isw.xml", lang: en, role: original}
  - {name: spartanat, url: "%s/spartanat.xml", lang: de, role: translation}
  - {name: ukrainian, url: "%s/ukrainian.atom", lang: uk, role: translation}
`, *listen, filepath.Join(dir, "demo.db"), poll, poll, ceiling, maxAge, sources, sources, sources)
	// Written out so that the other commands can look into the demo's store.
	path := filepath.Join(dir, "demo.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		return err
	}
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	log, _ := newLogger(stderr, "text")
	return serve(ctx, cfg, log, func(url string) {
		fmt.Fprintf(stdout, "iswfeed demo: three sample sources on %s\n"+
			"Open %s for the reports, %sfeed.atom for the merged feed, %sde+/feed.atom for German else the original. Ctrl-C stops.\n"+
			"Look into its store from another terminal: %s updates -config %s\n",
			sources, url, url, url, selfCommand(), path)
		if !*static {
			fmt.Fprint(stdout, script.story())
		}
	}, func() (*config.Config, error) { return config.Load(path) })
}

// serveDemoFile serves the static sample feeds.
func serveDemoFile(w http.ResponseWriter, r *http.Request) {
	body, err := demoFeeds.ReadFile("demo/" + strings.TrimPrefix(r.URL.Path, "/"))
	if err != nil || strings.Count(r.URL.Path, "/") != 1 {
		http.NotFound(w, r)
		return
	}
	kind := "application/rss+xml; charset=utf-8"
	if strings.HasSuffix(r.URL.Path, ".atom") {
		kind = "application/atom+xml; charset=utf-8"
	}
	w.Header().Set("Content-Type", kind)
	w.Write(body)
}

// serveDemoSources serves the sample feeds on a loopback port until ctx ends.
func serveDemoSources(ctx context.Context, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("unable to serve the sample sources: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	return "http://" + ln.Addr().String(), nil
}

// selfCommand is how the operator runs this program again: the binary, or
// "go run ./cmd/iswfeed" when it was started that way.
func selfCommand() string {
	exe, err := os.Executable()
	if err != nil || strings.Contains(exe, string(filepath.Separator)+"go-build") {
		return "go run ./cmd/iswfeed"
	}
	if p, err := exec.LookPath("iswfeed"); err == nil && p == exe {
		return "iswfeed"
	}
	return exe
}
