package publish

import (
	"container/list"
	"slices"
	"sync"
	"unsafe"

	"iswfeed/dedupe"
)

// recentUpdates keeps sanitised updates that the current feeds do not show,
// the most recently used first, within a bound on the content bytes they
// hold (heldBytes): the documents of one month (its archives in every view
// and format, its pages and API entries) then sanitise each report once,
// while browsing the whole history never keeps it in memory.
type recentUpdates struct {
	mu    sync.Mutex
	limit int
	bytes int
	order list.List // of *dedupe.Update, most recently used in front
	byID  map[string]*list.Element
}

// maxRecentBytes bounds the memory of the sanitised updates a server keeps
// between renders: a month of reports in five languages is about 2 MiB
// (with less, an export sanitises each report once per document), the
// current feeds' reports about 5 MiB (a render holds those apart, see
// Server.keepCurrent, and splices the others' entries without content).
const maxRecentBytes = 4 << 20

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
	size := heldBytes(u)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byID == nil {
		r.byID = map[string]*list.Element{}
	}
	if e, ok := r.byID[u.ID]; ok {
		r.bytes -= heldBytes(e.Value.(*dedupe.Update))
		r.order.Remove(e)
		delete(r.byID, u.ID)
	}
	if size > r.limit {
		return
	}
	for r.bytes+size > r.limit {
		last := r.order.Back()
		old := last.Value.(*dedupe.Update)
		r.bytes -= heldBytes(old)
		r.order.Remove(last)
		delete(r.byID, old.ID)
	}
	r.byID[u.ID] = r.order.PushFront(u)
	r.bytes += size
}

// heldBytes is the memory a kept update holds, about: its structs, every
// string of it (a sanitised update is read afresh from the store, so none is
// shared), and the list element and map entry that keep it.
func heldBytes(u *dedupe.Update) int {
	n := int(unsafe.Sizeof(*u)) + cap(u.Variants)*int(unsafe.Sizeof(dedupe.Variant{})) + keptOverhead
	n += len(u.ID) + len(u.Series) + len(u.ISWURL)
	for i := range u.Variants {
		v := &u.Variants[i]
		n += len(v.Lang) + len(v.Source) + len(v.Role) + len(v.Title) + len(v.URL) + len(v.ItemID) + len(v.FeedTitle) + len(v.Content)
	}
	return n
}

// keptOverhead is what keeping an update costs beyond the update: its list
// element and its map entry, with the key's header.
const keptOverhead = int(unsafe.Sizeof(list.Element{})) + 64

// allocated is what the heap gives a byte slice of capacity n: a small one
// takes the smallest of the runtime's size classes it fits, a large one
// whole pages of the runtime's 8 KiB.
func allocated(n int) int {
	const large, page = 32 << 10, 8 << 10
	if n > large {
		return (n + page - 1) / page * page
	}
	i, _ := slices.BinarySearch(sizeClasses, uint16(n))
	return int(sizeClasses[i])
}

// sizeClasses are the runtime's size classes of small objects
// (internal/runtime/gc/sizeclasses.go), which TestAllocatedIsAppendsRounding
// holds to the runtime's own rounding.
var sizeClasses = []uint16{0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048,
	2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880,
	12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768}
