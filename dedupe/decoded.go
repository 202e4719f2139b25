package dedupe

import (
	"hash/maphash"
	"slices"
	"sync"
)

// decodedReports keeps each report as last decoded, with a hash of the bytes
// it was decoded from, so that reading every report (a re-render does) decodes
// only those whose bytes changed. It is never wrong, only slower, when it
// misses: a report found with other bytes is decoded again.
type decodedReports struct {
	mu    sync.Mutex
	seed  maphash.Seed
	byKey map[string]decodedReport
}

type decodedReport struct {
	sum uint64
	u   Update
}

// decode returns the report stored under k as v; its Variants are the
// caller's own.
func (d *decodedReports) decode(k, v []byte) (Update, error) {
	d.mu.Lock()
	if d.byKey == nil {
		d.seed, d.byKey = maphash.MakeSeed(), map[string]decodedReport{}
	}
	sum := maphash.Bytes(d.seed, v)
	e, ok := d.byKey[string(k)]
	d.mu.Unlock()
	if !ok || e.sum != sum {
		e.sum = sum
		if err := decodeReport(v, &e.u); err != nil {
			return Update{}, err
		}
		d.mu.Lock()
		d.byKey[string(k)] = e
		d.mu.Unlock()
	}
	u := e.u
	u.Variants = slices.Clone(u.Variants)
	return u, nil
}

// forget drops the report under k, e.g. when it is deleted.
func (d *decodedReports) forget(k []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.byKey, string(k))
}
