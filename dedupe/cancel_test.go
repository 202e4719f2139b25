package dedupe

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"iswfeed/fetch"
)

// endsAt is a context that ends at the nth time it is asked: a stop that
// comes at every step of a batch in turn.
type endsAt struct {
	context.Context
	n  int64
	at atomic.Int64
}

func (c *endsAt) Err() error {
	if c.at.Add(1) >= c.n {
		return context.Canceled
	}
	return nil
}

// fiveReports are five of ISW's reports, the batch the tests give up.
func fiveReports() []fetch.Item {
	var items []fetch.Item
	for i := range 5 {
		d := isoDay("2022-04-01").AddDate(0, 0, i).Format(time.DateOnly)
		items = append(items, original(d, "Russian Offensive Campaign Assessment, "+isoDay(d).Format("January 2, 2006")))
	}
	return items
}

func TestIngestGivenUpBeforeItStartsWritesNothing(t *testing.T) {
	s := openStore(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	gen := s.Generation()
	if _, err := s.IngestBatchContext(ctx, isw, fiveReports()); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled ingest returned %v, want context.Canceled", err)
	}
	checkNothingWritten(t, s, gen)
}

// TestIngestGivenUpAtAnyStepWritesNothing stops the batch at each of its
// steps in turn, within the write transaction too: each time the batch is
// given up whole, and the store takes it afterwards as if it never came.
func TestIngestGivenUpAtAnyStepWritesNothing(t *testing.T) {
	items := fiveReports()
	inTransaction := false
	for n := int64(1); ; n++ {
		s := openStore(t, nil)
		gen := s.Generation()
		ctx := &endsAt{Context: context.Background(), n: n}
		rep, err := s.IngestBatchContext(ctx, isw, items)
		if err == nil {
			if n < 4 {
				t.Fatalf("stopped at step %d, the batch went through: the steps tested are not the batch's", n)
			}
			if rep.Changed != len(items) {
				t.Fatalf("the batch no stop reached changed %d items, want %d", rep.Changed, len(items))
			}
			break
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("stopped at step %d: %v, want context.Canceled", n, err)
		}
		inTransaction = inTransaction || n > 3
		checkNothingWritten(t, s, gen)
		if rep := ingest(t, s, isw, items...); rep.Changed != len(items) {
			t.Errorf("after a stop at step %d the batch changed %d items, want %d: some were written", n, rep.Changed, len(items))
		}
	}
	if !inTransaction {
		t.Error("no stop came within the write transaction")
	}
}

// checkNothingWritten fails when the store counts a write since generation
// gen or holds any item or report.
func checkNothingWritten(t *testing.T, s *Store, gen uint64) {
	t.Helper()
	if g := s.Generation(); g != gen {
		t.Errorf("generation %d after a given-up batch, want %d", g, gen)
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(st.Items, st.Updates, st.Variants); got != "0 0 0" {
		t.Errorf("items, updates, variants %s after a given-up batch, want none", got)
	}
}
