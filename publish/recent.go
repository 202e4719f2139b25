package publish

import (
	"container/list"
	"sync"

	"iswfeed/dedupe"
)

// recentUpdates keeps sanitised updates that the current feeds do not show,
// the most recently used first, within a bound on the content bytes they
// hold: the documents of one month (its archives in every view and format,
// its pages and API entries) then sanitise each report once, while browsing
// the whole history never keeps it in memory.
type recentUpdates struct {
	mu    sync.Mutex
	limit int
	bytes int
	order list.List // of *dedupe.Update, most recently used in front
	byID  map[string]*list.Element
}

// maxRecentBytes bounds the content of the sanitised updates a server keeps
// beyond those its current feeds show: a month of reports in five languages
// is about 2 MiB.
const maxRecentBytes = 8 << 20

// get returns the sanitised copy of the update id as of updated, if kept.
func (r *recentUpdates) get(id string, updated dedupe.Update) (*dedupe.Update, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.byID[id]
	if !ok {
		return nil, false
	}
	u := e.Value.(*dedupe.Update)
	if !u.Updated.Equal(updated.Updated) {
		return nil, false
	}
	r.order.MoveToFront(e)
	return u, true
}

// put keeps u, dropping the least recently used to stay within the limit;
// an update larger than the limit is not kept.
func (r *recentUpdates) put(u *dedupe.Update) {
	size := contentBytes(u)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byID == nil {
		r.byID = map[string]*list.Element{}
	}
	if e, ok := r.byID[u.ID]; ok {
		r.bytes -= contentBytes(e.Value.(*dedupe.Update))
		r.order.Remove(e)
		delete(r.byID, u.ID)
	}
	if size > r.limit {
		return
	}
	for r.bytes+size > r.limit {
		last := r.order.Back()
		old := last.Value.(*dedupe.Update)
		r.bytes -= contentBytes(old)
		r.order.Remove(last)
		delete(r.byID, old.ID)
	}
	r.byID[u.ID] = r.order.PushFront(u)
	r.bytes += size
}
