package main

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/dedupe"
	"iswfeed/fetch"
	"iswfeed/publish"
)

// A read is one question a command asks of the store, answered with a public
// view (package publish's view types). It runs where the store is: in the
// command when the file is free, and in the daemon, which answers it on the
// admin socket, while the daemon holds the file. Adding a read command is one
// entry in reads and the command that prints its answer.
type read func(st storeReader, params url.Values) (any, error)

var reads = map[string]read{
	"updates": readUpdates,
	"update":  readUpdate,
	"gaps":    readGaps,
	"sources": readSources,
}

// storeReader is a store open for reading, with the config it serves.
type storeReader struct {
	cfg   *config.Config
	store *dedupe.Store
	db    *bolt.DB
}

// errNoSuchUpdate marks a read whose update is not in the store; the admin
// socket answers it with 404.
var errNoSuchUpdate = errors.New("no such update")

// readUpdates lists updates newest first; params: series (none: all), lang,
// limit (0: all).
func readUpdates(st storeReader, params url.Values) (any, error) {
	q := dedupe.Query{Series: params["series"], Lang: params.Get("lang")}
	if l := params.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return nil, fmt.Errorf("limit: %w", err)
		}
		q.Limit = n
	}
	ups, err := st.store.Updates(q)
	if err != nil {
		return nil, err
	}
	out := publish.UpdateList{APIVersion: publish.APIVersion, Updates: []publish.UpdateView{}}
	for i := range ups {
		out.Updates = append(out.Updates, publish.ViewOf(st.cfg, &ups[i]))
	}
	return out, nil
}

// readUpdate finds one update of params' series by its number or report
// date (params' key), with its content.
func readUpdate(st storeReader, params url.Values) (any, error) {
	series, key := params.Get("series"), params.Get("key")
	u, ok, err := lookup(st.store, series, key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: no update %s in series %s (iswfeed updates lists them)", errNoSuchUpdate, key, series)
	}
	return publish.UpdateDoc{APIVersion: publish.APIVersion, UpdateView: publish.ViewOf(st.cfg, &u)}, nil
}

// lookup finds an update by number or by report date.
func lookup(store *dedupe.Store, series, key string) (dedupe.Update, bool, error) {
	if n, err := strconv.Atoi(key); err == nil && n > 0 {
		return store.Update(series, n)
	}
	d, err := time.Parse(time.DateOnly, key)
	if err != nil {
		return dedupe.Update{}, false, fmt.Errorf("%q is neither an update number nor a date (YYYY-MM-DD)", key)
	}
	return store.UpdateOn(series, d)
}

// readGaps lists what the store could not complete.
func readGaps(st storeReader, _ url.Values) (any, error) {
	g, err := st.store.Gaps(nil)
	return publish.GapsDoc{APIVersion: publish.APIVersion, Gaps: g}, err
}

// readSources shows each configured source's poll state.
func readSources(st storeReader, _ url.Values) (any, error) {
	sources, err := sourceStatuses(st.cfg, st.db, fetch.State.ErrorText)
	if err != nil {
		return nil, err
	}
	numbering, err := st.store.Numberings(st.cfg.Sources)
	return publish.SourceList{APIVersion: publish.APIVersion, Sources: sources, Numbering: numbering}, err
}

// sourceStatuses joins the configured sources with their poll state; lastError
// tells a failure: whole for the operator's CLI, coarse for the public pages.
func sourceStatuses(cfg *config.Config, db *bolt.DB, lastError func(fetch.State) string) ([]publish.SourceStatus, error) {
	states, err := fetch.States(db)
	if err != nil {
		return nil, err
	}
	byName := map[string]fetch.State{}
	for _, s := range states {
		byName[s.Name] = s
	}
	out := make([]publish.SourceStatus, 0, len(cfg.Sources))
	for _, src := range cfg.Sources {
		s := byName[src.Name]
		out = append(out, publish.SourceStatus{
			Name: src.Name, URL: src.URL, Lang: src.Lang, Role: src.Role,
			LastAttempt: s.LastAttempt, LastSuccess: s.LastSuccess, LastStatus: s.LastStatus, LastError: lastError(s),
			ConsecutiveFailures: s.ConsecutiveFailures, NextPoll: s.NextPoll,
			Count200: int(s.OKCount), Count304: int(s.NotModifiedCount), CountErrors: int(s.ErrorCount),
			NetworkDown: s.NetworkDown,
		})
	}
	return out, nil
}
