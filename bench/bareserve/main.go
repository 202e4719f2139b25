// Command bareserve is bench/serve.sh's baseline: a bare net/http handler
// serving an `iswfeed export` directory from memory, with the headers iswfeed
// sends (ETag per representation, Last-Modified, Vary, Cache-Control,
// Content-Type, a feed's Link rel="self" against -base), gzip from the .gz
// beside each file, and 304 on a matching If-None-Match. It does nothing else: no routing beyond one map lookup, no
// metrics, so the gap between it and iswfeed is iswfeed's own overhead. Its
// http.Server has the daemon's timeouts, whose deadlines cost the same in both.
//
//	go run ./bench/bareserve -dir DIR -listen 127.0.0.1:18082 [-base http://127.0.0.1:18080/]
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// file is one exported document and its gzip, with its header values.
type file struct {
	body, gz           []byte
	etag, gzEtag       []string
	length, gzLength   []string
	contentType, mtime []string
	link               []string // feeds only
}

var types = map[string]string{
	".atom": "application/atom+xml; charset=utf-8", ".rss": "application/rss+xml; charset=utf-8",
	".json": "application/feed+json; charset=utf-8", ".html": "text/html; charset=utf-8",
	".svg": "image/svg+xml; charset=utf-8",
}

var (
	vary         = []string{"Accept-Encoding"}
	gzipEncoding = []string{"gzip"}
	cacheControl = []string{"public, max-age=300"}
)

func main() {
	dir := flag.String("dir", "", "an iswfeed export directory (required)")
	listen := flag.String("listen", "127.0.0.1:18082", "address to listen on")
	base := flag.String("base", "", "the daemon's base_url, for the Link rel=\"self\" of feeds")
	flag.Parse()
	if *dir == "" {
		flag.Usage()
		os.Exit(2)
	}
	files, err := load(*dir, strings.TrimSuffix(*base, "/"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bareserve:", err)
		os.Exit(1)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		f.serve(w, r)
	})
	// The daemon's limits (cmd/iswfeed's serve): each request sets its
	// deadlines on the connection, so the two pay the same per request.
	srv := &http.Server{Addr: *listen, Handler: handler, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 32 << 10}
	fmt.Fprintln(os.Stderr, "bareserve: serving", len(files), "documents on", *listen)
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "bareserve:", err)
		os.Exit(1)
	}
}

func (f *file) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	gz := strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
	etag := f.etag
	if gz {
		etag = f.gzEtag
	}
	h["Etag"], h["Vary"], h["Cache-Control"], h["Last-Modified"] = etag, vary, cacheControl, f.mtime
	if f.link != nil {
		h["Link"] = f.link
	}
	if r.Header.Get("If-None-Match") == etag[0] {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body, length := f.body, f.length
	if gz {
		body, length = f.gz, f.gzLength
		h["Content-Encoding"] = gzipEncoding
	}
	h["Content-Type"], h["Content-Length"] = f.contentType, length
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// load reads every exported file that has a .gz beside it, under the paths
// iswfeed serves it at.
func load(dir, base string) (map[string]*file, error) {
	files := map[string]*file{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".gz") {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		gz, err := os.ReadFile(p + ".gz")
		if err != nil {
			return nil // not a document (the export's manifest)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		tag := hex.EncodeToString(sum[:16])
		f := &file{body: body, gz: gz, etag: []string{`"` + tag + `"`}, gzEtag: []string{`"` + tag + `-gzip"`},
			length: []string{strconv.Itoa(len(body))}, gzLength: []string{strconv.Itoa(len(gz))},
			contentType: []string{types[filepath.Ext(p)]}, mtime: []string{info.ModTime().UTC().Format(http.TimeFormat)}}
		rel, _ := filepath.Rel(dir, p)
		path := "/" + filepath.ToSlash(rel)
		if ext := filepath.Ext(p); base != "" && (ext == ".atom" || ext == ".rss" || ext == ".json") && !strings.HasPrefix(path, "/api") {
			f.link = []string{"<" + base + path + `>; rel="self"`}
		}
		files[path] = f
		return nil
	})
	return files, err
}
