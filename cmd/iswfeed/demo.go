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

	"iswfeed/config"
)

// demoFeeds are the built-in sample sources: ISW's feed and two translators.
//
//go:embed demo/isw.xml demo/spartanat.xml demo/ukrainian.atom
var demoFeeds embed.FS

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "", stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "address of the demo's web server")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	sources, err := serveDemoSources(ctx)
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
schedule: "@every 1m"
min_interval: 1m
sources:
  - {name: isw, url: "%s/isw.xml", lang: en, role: original}
  - {name: spartanat, url: "%s/spartanat.xml", lang: de, role: translation}
  - {name: ukrainian, url: "%s/ukrainian.atom", lang: uk, role: translation}
`, *listen, filepath.Join(dir, "demo.db"), sources, sources, sources)
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
			"Open %s for the reports, %sfeed.atom for the merged feed. Ctrl-C stops.\n"+
			"Look into its store from another terminal: %s updates -config %s\n",
			sources, url, url, selfCommand(), path)
	}, func() (*config.Config, error) { return config.Load(path) })
}

// serveDemoSources serves the sample feeds on a loopback port until ctx ends.
func serveDemoSources(ctx context.Context) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("unable to serve the sample sources: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{name}", func(w http.ResponseWriter, r *http.Request) {
		body, err := demoFeeds.ReadFile("demo/" + r.PathValue("name"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		kind := "application/rss+xml; charset=utf-8"
		if strings.HasSuffix(r.PathValue("name"), ".atom") {
			kind = "application/atom+xml; charset=utf-8"
		}
		w.Header().Set("Content-Type", kind)
		w.Write(body)
	})
	srv := &http.Server{Handler: mux}
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
