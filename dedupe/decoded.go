package dedupe

import (
	"hash/maphash"
	"sync"
)

// decodedReports keeps each report as last decoded, with a hash of the bytes
// it was decoded from, so that reading every report (a re-render does) decodes
// only those whose bytes changed. It is never wrong, only slower, when it
// misses: a report found with other bytes is decoded again.
//
// It is the one copy of the reports' metadata that a daemon holds: an update
// it returns shares its Variants with it (see Update), and the strings that
// recur in every report (series, languages, sources, roles, feed titles) are
// held once, not once per report.
type decodedReports struct {
	mu    sync.Mutex
	seed  maphash.Seed
	byKey map[string]decodedReport
	words words
}

type decodedReport struct {
	sum uint64
	u   Update
}

// decode returns the report stored under k as v. Its Variants are shared
// with every other reader of the same bytes: read-only.
func (d *decodedReports) decode(k, v []byte) (Update, error) {
	d.mu.Lock()
	if d.byKey == nil {
		d.seed, d.byKey = maphash.MakeSeed(), map[string]decodedReport{}
	}
	sum := maphash.Bytes(d.seed, v)
	e, ok := d.byKey[string(k)]
	d.mu.Unlock()
	if ok && e.sum == sum {
		return e.u, nil
	}
	e.sum = sum
	if err := decodeReport(v, &e.u); err != nil {
		return Update{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.words.intern(&e.u)
	d.byKey[string(k)] = e
	return e.u, nil
}

// forget drops the report under k, e.g. when it is deleted.
func (d *decodedReports) forget(k []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.byKey, string(k))
}

// words holds one copy of each string that recurs across reports. They come
// from the config (series, sources, languages, roles) and the sources' feed
// titles, so there are a few dozen, however many reports there are; past
// maxWords (a source whose feed title changes daily) new ones are kept as
// decoded.
type words map[string]string

const maxWords = 4096

// intern makes u's recurring strings the held copies.
func (w *words) intern(u *Update) {
	if *w == nil {
		*w = words{}
	}
	w.one(&u.Series)
	for i := range u.Variants {
		v := &u.Variants[i]
		w.one(&v.Lang)
		w.one(&v.Source)
		w.one(&v.Role)
		w.one(&v.FeedTitle)
		if v.URL == u.ISWURL {
			u.ISWURL = v.URL // the original's link, most often: one copy
		}
	}
}

func (w words) one(s *string) {
	if held, ok := w[*s]; ok {
		*s = held
		return
	}
	if len(w) < maxWords {
		w[*s] = *s
	}
}
