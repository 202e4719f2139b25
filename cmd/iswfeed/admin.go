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
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/dedupe"
	"iswfeed/fetch"
)

// bbolt locks its file for the writer's whole life, so while a daemon runs the
// other commands cannot open the store. The daemon therefore answers them on a
// unix socket beside the store, readable only by its own user.

// socketPath is the admin socket of the daemon that owns database.
func socketPath(database string) string { return database + ".sock" }

// adminHandler serves the store's reads and a consistent backup to the
// command line.
func adminHandler(a *app) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /updates", func(w http.ResponseWriter, r *http.Request) {
		q, err := queryOf(r.URL.Query())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeAdminJSON(w)(a.store.Updates(q))
	})
	mux.HandleFunc("GET /updates/{number}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("number"))
		if err != nil {
			http.Error(w, "not a number", http.StatusBadRequest)
			return
		}
		u, ok, err := a.store.Update(r.URL.Query().Get("series"), n)
		if err == nil && !ok {
			http.Error(w, "no such update", http.StatusNotFound)
			return
		}
		writeAdminJSON(w)(u, err)
	})
	mux.HandleFunc("GET /gaps", func(w http.ResponseWriter, r *http.Request) {
		writeAdminJSON(w)(a.store.Gaps(nil, r.URL.Query()["series"]...))
	})
	mux.HandleFunc("GET /sources", func(w http.ResponseWriter, r *http.Request) {
		writeAdminJSON(w)(fetch.States(a.db))
	})
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		err := a.db.View(func(tx *bolt.Tx) error {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Length", strconv.FormatInt(tx.Size(), 10))
			_, err := tx.WriteTo(w)
			return err
		})
		if err != nil {
			a.log.Error("backup failed", "err", err)
		}
	})
	return mux
}

func writeAdminJSON(w http.ResponseWriter) func(v any, err error) {
	return func(v any, err error) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
}

// serveAdmin listens on the admin socket until ctx ends.
func serveAdmin(ctx context.Context, a *app) error {
	path := socketPath(a.cfg.Load().Database)
	os.Remove(path) // a stale socket of a daemon that died; the store's lock proves none runs
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("unable to open the admin socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("unable to protect the admin socket: %w", err)
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

// errLocked says the store is held by a process that does not answer on the
// admin socket.
var errLocked = errors.New("the store is locked by another process")

// storeView is what the read-only commands need, from the file or from the daemon.
type storeView interface {
	Updates(q dedupe.Query) ([]dedupe.Update, error)
	Update(series string, n int) (dedupe.Update, bool, error)
	Gaps(langs []string, series ...string) (dedupe.Gaps, error)
	Sources() ([]fetch.State, error)
	Backup(w io.Writer) error
	Close() error
}

// openView opens the store read-only, or, while a daemon holds it, asks the daemon.
func openView(cfg *config.Config) (storeView, error) {
	if _, err := os.Stat(cfg.Database); err != nil {
		return nil, fmt.Errorf("no store at %s (run iswfeed serve or poll first, or pass -config): %w", cfg.Database, err)
	}
	db, err := bolt.Open(cfg.Database, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return dialDaemon(cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("unable to open the store %s: %w", cfg.Database, err)
	}
	store, err := dedupe.Open(db, cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &localView{Store: store, db: db}, nil
}

type localView struct {
	*dedupe.Store
	db *bolt.DB
	// remove names a temporary copy to delete on Close.
	remove string
}

func (v *localView) Backup(w io.Writer) error {
	return v.db.View(func(tx *bolt.Tx) error {
		_, err := tx.WriteTo(w)
		return err
	})
}

func (v *localView) Sources() ([]fetch.State, error) { return fetch.States(v.db) }

func (v *localView) Close() error {
	err := v.db.Close()
	if v.remove != "" {
		os.Remove(v.remove)
	}
	return err
}

// remoteView reads through the running daemon's admin socket.
type remoteView struct{ client *http.Client }

func dialDaemon(cfg *config.Config) (storeView, error) {
	path := socketPath(cfg.Database)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}
	v := &remoteView{client: client}
	resp, err := v.get("/gaps")
	if err != nil {
		return nil, fmt.Errorf("%w: %s (and no daemon answers on %s)", errLocked, cfg.Database, path)
	}
	resp.Body.Close()
	return v, nil
}

func (v *remoteView) get(path string) (*http.Response, error) {
	resp, err := v.client.Get("http://iswfeed" + path)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		return nil, fmt.Errorf("daemon answered %s: %s", resp.Status, body)
	}
	return resp, nil
}

func (v *remoteView) decode(path string, out any) (bool, error) {
	resp, err := v.get(path)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return false, nil
	}
	return true, json.NewDecoder(resp.Body).Decode(out)
}

func (v *remoteView) Updates(q dedupe.Query) ([]dedupe.Update, error) {
	var out []dedupe.Update
	_, err := v.decode("/updates?"+queryValues(q).Encode(), &out)
	return out, err
}

// queryValues and queryOf carry a dedupe.Query over the admin socket, whole.
func queryValues(q dedupe.Query) url.Values {
	params := url.Values{"series": q.Series}
	if q.Lang != "" {
		params.Set("lang", q.Lang)
	}
	if q.Limit > 0 {
		params.Set("limit", strconv.Itoa(q.Limit))
	}
	if !q.Before.IsZero() {
		params.Set("before", q.Before.Format(time.DateOnly))
	}
	if !q.After.IsZero() {
		params.Set("after", q.After.Format(time.DateOnly))
	}
	if q.Content {
		params.Set("content", "1")
	}
	return params
}

func queryOf(params url.Values) (dedupe.Query, error) {
	q := dedupe.Query{Series: params["series"], Lang: params.Get("lang"), Content: params.Get("content") == "1"}
	var err error
	if l := params.Get("limit"); l != "" {
		if q.Limit, err = strconv.Atoi(l); err != nil {
			return q, fmt.Errorf("limit: %w", err)
		}
	}
	for name, t := range map[string]*time.Time{"before": &q.Before, "after": &q.After} {
		if d := params.Get(name); d != "" {
			if *t, err = time.Parse(time.DateOnly, d); err != nil {
				return q, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return q, nil
}

func (v *remoteView) Update(series string, n int) (dedupe.Update, bool, error) {
	var u dedupe.Update
	ok, err := v.decode(fmt.Sprintf("/updates/%d?series=%s", n, url.QueryEscape(series)), &u)
	return u, ok, err
}

func (v *remoteView) Gaps(_ []string, series ...string) (dedupe.Gaps, error) {
	var g dedupe.Gaps
	_, err := v.decode("/gaps?"+url.Values{"series": series}.Encode(), &g)
	return g, err
}

func (v *remoteView) Sources() ([]fetch.State, error) {
	var out []fetch.State
	_, err := v.decode("/sources", &out)
	return out, err
}

func (v *remoteView) Backup(w io.Writer) error {
	resp, err := v.get("/backup")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, resp.Body)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("backup cut short: %d of %d bytes", n, resp.ContentLength)
	}
	return err
}

func (v *remoteView) Close() error { return nil }
