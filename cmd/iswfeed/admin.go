package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"iswfeed/config"
	"iswfeed/dedupe"
)

// bbolt locks its file for the writer's whole life, so while a daemon runs the
// other commands cannot open the store. The daemon therefore answers their
// reads on a unix socket beside the store, readable only by its own user.

// socketPath is the admin socket of the daemon that owns database.
func socketPath(database string) string { return database + ".sock" }

// adminHandler serves the reads and a consistent backup to the command line.
func adminHandler(a *app) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /read/{name}", func(w http.ResponseWriter, r *http.Request) {
		run, ok := reads[r.PathValue("name")]
		if !ok {
			http.Error(w, "no such read", http.StatusNotFound)
			return
		}
		v, err := run(storeReader{cfg: a.cfg.Load(), store: a.store, db: a.db}, r.URL.Query())
		switch {
		case errors.Is(err, errNoSuchUpdate):
			http.Error(w, err.Error(), http.StatusNotFound)
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		default:
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(v)
		}
	})
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) { a.serveBackup(w, r) })
	return mux
}

// serveAdmin listens on the admin socket until ctx ends.
func serveAdmin(ctx context.Context, a *app) error {
	path := socketPath(a.cfg.Load().Database)
	os.Remove(path) // a stale socket of a daemon that died; the store's lock proves none runs
	ln, err := listenPrivate(path)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: adminHandler(a), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
		os.Remove(path)
	}()
	go srv.Serve(ln)
	return nil
}

// listenPrivate listens on a unix socket at path that only this user can
// reach from its first moment: it is created in a fresh 0700 directory, made
// 0600 there, and only then moved to path.
func listenPrivate(path string) (net.Listener, error) {
	dir, err := os.MkdirTemp(filepath.Dir(path), ".iswfeed-admin-*")
	if err != nil {
		return nil, fmt.Errorf("unable to open the admin socket: %w", err)
	}
	defer os.RemoveAll(dir)
	private := filepath.Join(dir, "sock")
	ln, err := net.Listen("unix", private)
	if err != nil {
		return nil, fmt.Errorf("unable to open the admin socket: %w", err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false) // serveAdmin removes it from path
	if err := os.Chmod(private, 0o600); err == nil {
		err = os.Rename(private, path)
	}
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("unable to open the admin socket: %w", err)
	}
	return ln, nil
}

// errLocked says the store is held by a process that does not answer on the
// admin socket.
var errLocked = errors.New("the store is locked by another process")

// storeAccess is how a read command reaches the store: the file itself when
// no daemon holds it, else the daemon's admin socket.
type storeAccess struct {
	local *storeReader // nil while a daemon holds the file
	// remote talks to the daemon's admin socket.
	remote *http.Client
	// remove names a temporary copy to delete on Close.
	remove string
}

// openConfigAccess loads the config at path and reaches its store.
func openConfigAccess(path string) (*config.Config, *storeAccess, error) {
	cfg, err := loadConfig(path)
	if err != nil {
		return nil, nil, err
	}
	acc, err := openAccess(cfg)
	return cfg, acc, err
}

// openAccess opens the store of cfg read-only, or, while a daemon holds it,
// reaches the daemon.
func openAccess(cfg *config.Config) (*storeAccess, error) {
	a, err := openLocal(cfg, cfg.Database)
	if errors.Is(err, errInUse) {
		return dialDaemon(cfg)
	}
	return a, err
}

// openLocal opens the store file at path read-only, for cfg.
func openLocal(cfg *config.Config, path string) (*storeAccess, error) {
	db, err := openReadOnly(path)
	if err != nil {
		return nil, err
	}
	store, err := dedupe.Open(db, cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &storeAccess{local: &storeReader{cfg: cfg, store: store, db: db}}, nil
}

// dialDaemon reaches the daemon that holds cfg's store on its admin socket.
func dialDaemon(cfg *config.Config) (*storeAccess, error) {
	path := socketPath(cfg.Database)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}
	a := &storeAccess{remote: client}
	resp, err := a.get(context.Background(), "/read/sources") // the cheapest read
	if err != nil {
		return nil, fmt.Errorf("%w: %s (and no daemon answers on %s)", errLocked, cfg.Database, path)
	}
	resp.Body.Close()
	return a, nil
}

// ask runs the read name with params where the store is and returns its answer.
func ask[T any](a *storeAccess, name string, params url.Values) (T, error) {
	var out T
	if a.local != nil {
		v, err := reads[name](*a.local, params)
		if err != nil {
			return out, err
		}
		return v.(T), nil
	}
	resp, err := a.get(context.Background(), "/read/"+name+"?"+params.Encode())
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

// get asks the daemon; an answer other than 200 is an error carrying the
// daemon's message.
func (a *storeAccess) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://iswfeed"+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := a.remote.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound {
			return nil, errors.New(strings.TrimSpace(string(body)))
		}
		return nil, fmt.Errorf("daemon answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return resp, nil
}

// Close releases the store file and deletes a temporary copy.
func (a *storeAccess) Close() error {
	if a.local == nil {
		return nil
	}
	err := a.local.db.Close()
	if a.remove != "" {
		os.Remove(a.remove)
	}
	return err
}
