package fetch

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestStateRoundTripsThroughItsRecord(t *testing.T) {
	at := time.Date(2023, 3, 30, 1, 2, 3, 0, time.UTC)
	st := State{
		Name: "isw", URL: "https://understandingwar.org/feed/", LastAttempt: at, LastSuccess: at,
		LastStatus: 304, LastError: "x", ConsecutiveFailures: 2, NextPoll: at.Add(time.Hour),
		OKCount: 3, NotModifiedCount: 4, ErrorCount: 5, NetworkDown: true, ErrorKind: "timeout",
		ETag: `"a"`, LastModified: "Thu, 30 Mar 2023 01:02:03 GMT", ServedBy: "https://b.example/feed",
		Fallbacks: map[string]Validators{"https://b.example/feed": {ETag: `"b"`, LastModified: "y"}},
	}
	b, err := encodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeState(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, st) {
		t.Errorf("round trip changed the state:\n got %+v\nwant %+v", got, st)
	}
}

// The bucket's format is the record's, whatever becomes of State: a store
// written by an earlier version keeps its validators and counters.
func TestStateRecordKeepsTheStoredKeys(t *testing.T) {
	b, err := encodeState(State{Name: "isw"})
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"name", "url", "last_attempt", "last_success", "last_status", "last_error",
		"consecutive_failures", "next_poll", "ok_count", "not_modified_count", "error_count",
		"network_down", "etag", "last_modified"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("stored state lacks %q: %s", k, b)
		}
	}
	old := []byte(`{"name":"isw","url":"u","ok_count":7,"etag":"\"e\"","fallbacks":{"f":{"etag":"\"g\""}}}`)
	st, err := decodeState(old)
	if err != nil {
		t.Fatal(err)
	}
	if st.OKCount != 7 || st.ETag != `"e"` || st.Fallbacks["f"].ETag != `"g"` || !slices.Equal([]string{st.Name}, []string{"isw"}) {
		t.Errorf("an earlier record read as %+v", st)
	}
}
