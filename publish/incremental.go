package publish

import (
	"fmt"
	"slices"
	"time"

	"iswfeed/config"
	"iswfeed/dedupe"
)

// nextSite is the site after the store's writes since old's updates were
// read, nothing rendered yet, or nil when the published updates are as they
// were. It reads only the reports that those writes touched, when the store
// can tell them, else every report.
func (s *Server) nextSite(old *site, generation uint64) (*site, error) {
	if old.updates != nil && !old.partial {
		series := s.publishedSeries()
		ch, ok, err := s.store.ChangesSince(old.generation.Load(), series...)
		if err != nil {
			return nil, fmt.Errorf("publish: %w", err)
		}
		if ok {
			if len(series) == 0 {
				ch.Updates, ch.Gone = nil, nil
			}
			ups, langs, changed := old.patched(s.cfg, ch)
			if !changed {
				old.generation.Store(ch.Generation)
				return nil, nil
			}
			next := s.siteOf(ups, langs)
			next.generation.Store(ch.Generation)
			return next, nil
		}
	}
	s.fullReads.Add(1)
	ups, err := s.published()
	if err != nil {
		return nil, err
	}
	if old.updates != nil && !old.partial && fingerprint(old.updates) == fingerprint(ups) {
		old.generation.Store(generation)
		return nil, nil
	}
	next := s.newSite(ups)
	next.generation.Store(generation)
	return next, nil
}

// patched returns st's updates with the changes applied, and their
// languages; changed is false when no update the changes name differs from
// st's. It copies the list, whose updates share their variants with st's,
// and looks each change up by its place in the order.
func (st *site) patched(cfg *config.Config, ch dedupe.Changes) (ups []dedupe.Update, langs []string, changed bool) {
	olds := st.updates
	replaced := map[int]*dedupe.Update{} // index in olds → its new version, nil when gone
	var added []dedupe.Update
	lost := false // a language may have left with an old version
	seen := map[string]bool{}
	for _, l := range st.langs {
		seen[l] = true
	}
	for i := range ch.Updates {
		u := &ch.Updates[i]
		at, found := slices.BinarySearchFunc(olds, *u, newestFirst)
		switch {
		case !found:
			added = append(added, *u)
		case keyOf(&olds[at]) == keyOf(u):
			continue
		default:
			replaced[at] = u
			lost = lost || !containsAll(u.Langs(), olds[at].Langs())
		}
		for _, l := range u.Langs() {
			seen[l] = true
		}
	}
	for _, g := range ch.Gone {
		d, err := time.Parse(time.DateOnly, g.Date)
		if err != nil {
			continue
		}
		if at, found := slices.BinarySearchFunc(olds, dedupe.Update{Series: g.Series, Date: d}, newestFirst); found {
			replaced[at], lost = nil, true
		}
	}
	if len(replaced) == 0 && len(added) == 0 {
		return olds, st.langs, false
	}
	ups = make([]dedupe.Update, 0, len(olds)+len(added))
	for i, j := 0, 0; i < len(olds) || j < len(added); {
		if j < len(added) && (i == len(olds) || newestFirst(added[j], olds[i]) < 0) {
			ups = append(ups, added[j])
			j++
			continue
		}
		if u, ok := replaced[i]; !ok {
			ups = append(ups, olds[i])
		} else if u != nil {
			ups = append(ups, *u)
		}
		i++
	}
	if lost {
		return ups, sortedLangs(cfg, ups), true
	}
	return ups, orderLangs(cfg, seen), true
}

// containsAll reports whether every one of want is in have.
func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}
