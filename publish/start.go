package publish

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	"iswfeed/dedupe"
)

// Start renders the current feeds from the newest reports alone, so that a
// daemon serves them without waiting to read its whole history, and then
// reads the history in the background, as Refresh does. The merged feed is
// rendered before Start returns, the other views' current feeds just after,
// in the background (a request for one waits for them); until the history is
// read, everything else (archives, pages, the API) waits for it, and a
// language that none of the newest reports has gets its feed then. When the
// newest reports cannot tell a view's current feed, Start reads the history
// first.
func (s *Server) Start() error {
	st, ok, err := s.newestSite()
	if err != nil {
		return err
	}
	if !ok {
		return s.RefreshFor(s.startCause())
	}
	st.shows = map[view][sha256.Size]byte{}
	if err := s.renderView(&site{}, st, view{}); err != nil {
		return err
	}
	st.rendered = make(chan struct{})
	s.site.Store(st)
	go func() {
		s.renderViews(st)
		if err := s.RefreshFor(s.startCause()); err != nil {
			s.log.Error("publish: unable to read the history; archives, pages and the API wait for the next refresh", "err", err)
		}
	}()
	return nil
}

// startCause is what Start's renders count as.
func (s *Server) startCause() string { return cmp.Or(s.opts.StartCause, RenderStartup) }

// renderViews replaces the site Start serves first, which holds only the
// merged feed, with one that holds every view's current feeds, unless a
// refresh has replaced it already.
func (s *Server) renderViews(first *site) {
	defer close(first.rendered)
	if s.onRender != nil {
		s.onRender()
	}
	next := s.newSite(first.updates)
	next.partial, next.complete = true, first.complete
	if err := s.renderCurrent(first, next); err != nil {
		s.log.Error("publish: unable to render the current feeds; they wait for the history", "err", err)
		return
	}
	s.site.CompareAndSwap(first, next)
}

// currentDoc returns the current feed at path. On the site Start serves
// first, a view other than the merged one waits for its feeds, or for ctx.
func (s *Server) currentDoc(ctx context.Context, path string) (*document, bool) {
	st := s.site.Load()
	doc, ok := st.docs[path]
	if ok || st.rendered == nil {
		return doc, ok
	}
	select {
	case <-st.rendered:
	case <-ctx.Done():
		return nil, false
	}
	doc, ok = s.site.Load().docs[path]
	return doc, ok
}

// newestSite is a partial site of each view's newest reports, enough for its
// current feed; ok is false when some view needs more.
func (s *Server) newestSite() (*site, bool, error) {
	series := s.publishedSeries()
	limit := s.cfg.FeedSize + 32 // the open month and the one report that names the previous
	q := dedupe.Query{Series: series, Limit: limit}
	merged, err := s.store.Updates(q)
	if err != nil || len(series) == 0 || len(merged) < limit {
		return nil, false, err
	}
	st := s.newSite(merged)
	st.partial, st.complete = true, make(chan struct{})
	byID := map[string]bool{}
	for _, u := range merged {
		byID[u.ID] = true
	}
	for _, l := range st.langs {
		q.Lang = l
		ups, err := s.store.Updates(q)
		if err != nil {
			return nil, false, fmt.Errorf("publish: %w", err)
		}
		if len(ups) == limit && len(splitHistory(ups, s.cfg.FeedSize).current) == len(ups) {
			return nil, false, nil
		}
		for _, u := range ups {
			if !byID[u.ID] {
				byID[u.ID] = true
				st.updates = append(st.updates, u)
			}
		}
	}
	slices.SortStableFunc(st.updates, newestFirst)
	if !st.tellsCurrent(merged[len(merged)-1].Date, s.cfg.FeedSize) {
		return nil, false, nil
	}
	s.keepCurrent(st)
	return st, true, nil
}

// tellsCurrent reports whether a partial site holds every report that the
// current feeds of its views show, and the one after, which names the
// previous archive. It holds every report newer than cutoff, and each
// language's newest (checked as they are read).
func (st *site) tellsCurrent(cutoff time.Time, size int) bool {
	for _, v := range st.views() {
		if v.lang != "" && !v.orOriginal {
			continue
		}
		ups := st.inView(v)
		next := len(st.history(v, size).current)
		if next >= len(ups) || !ups[next].Date.After(cutoff) {
			return false
		}
	}
	return true
}

// whole returns the current site once it holds the whole history: at once,
// except after Start until the history is read, or until ctx ends.
func (s *Server) whole(ctx context.Context) (*site, error) {
	st := s.site.Load()
	if !st.partial {
		return st, nil
	}
	select {
	case <-st.complete:
		return s.site.Load(), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// newestFirst orders updates as dedupe.Store.Updates does: newest report date
// first, then by series.
func newestFirst(a, b dedupe.Update) int {
	return cmp.Or(b.Date.Compare(a.Date), cmp.Compare(a.Series, b.Series))
}
