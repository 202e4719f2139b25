package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"syscall"
	"time"
)

// fullDiskEvery is how often a full disk is logged: while it is full every
// poll fails the same way, and a line per poll would only fill it further.
const fullDiskEvery = time.Minute

// fullDiskHandler passes records to its handler, except that those whose
// error is a full disk (ENOSPC, EDQUOT) are written once per fullDiskEvery;
// the next one written counts those left out in between.
type fullDiskHandler struct {
	slog.Handler
	quiet *fullDiskQuiet
}

// fullDiskQuiet is shared by a handler and those derived from it.
type fullDiskQuiet struct {
	mu      sync.Mutex
	last    time.Time
	leftOut int
}

func quietFullDisk(h slog.Handler) slog.Handler {
	return fullDiskHandler{Handler: h, quiet: &fullDiskQuiet{}}
}

func (h fullDiskHandler) Handle(ctx context.Context, r slog.Record) error {
	if !aboutFullDisk(r) {
		return h.Handler.Handle(ctx, r)
	}
	leftOut, ok := h.quiet.admit(time.Now())
	if !ok {
		return nil
	}
	if leftOut > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("repeats_left_out", leftOut))
	}
	return h.Handler.Handle(ctx, r)
}

func (h fullDiskHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return fullDiskHandler{Handler: h.Handler.WithAttrs(attrs), quiet: h.quiet}
}

func (h fullDiskHandler) WithGroup(name string) slog.Handler {
	return fullDiskHandler{Handler: h.Handler.WithGroup(name), quiet: h.quiet}
}

// admit reports whether a full-disk record may be written at now, and how
// many were left out since the last one.
func (q *fullDiskQuiet) admit(now time.Time) (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.last.IsZero() && now.Sub(q.last) < fullDiskEvery {
		q.leftOut++
		return 0, false
	}
	n := q.leftOut
	q.last, q.leftOut = now, 0
	return n, true
}

// aboutFullDisk reports whether one of the record's errors is a full disk.
func aboutFullDisk(r slog.Record) bool {
	full := false
	r.Attrs(func(a slog.Attr) bool {
		err, ok := a.Value.Any().(error)
		full = ok && (errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT))
		return !full
	})
	return full
}
