package fetch

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"go.etcd.io/bbolt"

	"iswfeed/config"
)

// stateBucket holds one JSON stateRecord per source name.
var stateBucket = []byte("fetch.sources")

// State is a source's poll state and health. bbolt keeps it as a
// stateRecord, so that neither changes the other's shape.
type State struct {
	Name        string
	URL         string
	LastAttempt time.Time
	LastSuccess time.Time
	// LastStatus is the HTTP status of the last answer, 0 when none came.
	LastStatus          int
	LastError           string
	ConsecutiveFailures int
	NextPoll            time.Time
	OKCount             int64
	NotModifiedCount    int64
	ErrorCount          int64
	// NetworkDown is set when the last poll failed while every source
	// failed: the failure was not counted against the source.
	NetworkDown bool
	// ErrorKind names the cause of LastError in a word (see PublicError).
	ErrorKind    string
	ETag         string
	LastModified string
	// ServedBy is the address whose answer the last poll used: the URL, or
	// one of the source's fallback addresses when the URL failed.
	ServedBy string
	// Fallbacks holds the validators of each fallback address that answered.
	Fallbacks map[string]Validators
}

// Validators are what a conditional GET sends back to one address.
type Validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// validatorsOf returns the validators kept for one of the source's addresses.
func (s State) validatorsOf(addr string) Validators {
	if addr == s.URL {
		return Validators{ETag: s.ETag, LastModified: s.LastModified}
	}
	return s.Fallbacks[addr]
}

// PublicError is LastError told coarsely enough to show anyone: what kind
// of failure, never which address or port refused or timed out, so the
// public status pages cannot serve as a port scanner. Logs and the CLI keep LastError.
func (s State) PublicError() string {
	if s.LastError == "" {
		return ""
	}
	return publicReason(s.ErrorKind, s.LastStatus)
}

// ErrorText is LastError, for the operator: logs and the CLI.
func (s State) ErrorText() string { return s.LastError }

// unreached reports whether the source's last poll got no answer at all.
func (s State) unreached() bool {
	return s.NetworkDown || s.ConsecutiveFailures > 0 && s.LastStatus == 0
}

// stateFor returns a source's stored state, started afresh when its URL
// changed, and without the validators of fallback addresses no longer listed.
func stateFor(src config.Source, st State) State {
	if st.URL != src.URL {
		return State{Name: src.Name, URL: src.URL, OKCount: st.OKCount, NotModifiedCount: st.NotModifiedCount, ErrorCount: st.ErrorCount}
	}
	addrs := src.Addresses()
	for addr := range st.Fallbacks {
		if !slices.Contains(addrs, addr) {
			st.Fallbacks = maps.Clone(st.Fallbacks)
			delete(st.Fallbacks, addr)
		}
	}
	return st
}

// remember takes the validators of a successful answer from addr. A 200
// replaces them with exactly what it carried; a 304 changes nothing but may refresh them.
func (s *State) remember(addr string, resp *response) {
	v := s.validatorsOf(addr)
	if resp.IsModified() {
		s.OKCount++
		v = Validators{ETag: resp.ETag(), LastModified: resp.LastModified()}
	} else {
		s.NotModifiedCount++
		if etag := resp.ETag(); etag != "" {
			v.ETag = etag
		}
		if lm := resp.LastModified(); lm != "" && newer(lm, v.LastModified) {
			v.LastModified = lm
		}
	}
	s.ServedBy = addr
	if addr == s.URL {
		s.ETag, s.LastModified = v.ETag, v.LastModified
		return
	}
	s.Fallbacks = maps.Clone(s.Fallbacks)
	if s.Fallbacks == nil {
		s.Fallbacks = map[string]Validators{}
	}
	s.Fallbacks[addr] = v
}

// newer reports whether HTTP date a is after b (or b is not a date).
func newer(a, b string) bool {
	ta, err := http.ParseTime(a)
	if err != nil {
		return false
	}
	tb, err := http.ParseTime(b)
	return err != nil || ta.After(tb)
}

// stateRecord is a State as the fetch.sources bucket holds it, in JSON.
type stateRecord struct {
	Name        string    `json:"name"`
	URL         string    `json:"url"`
	LastAttempt time.Time `json:"last_attempt"`
	LastSuccess time.Time `json:"last_success"`
	// LastStatus is the HTTP status of the last answer, 0 when none came.
	LastStatus          int       `json:"last_status"`
	LastError           string    `json:"last_error"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	NextPoll            time.Time `json:"next_poll"`
	OKCount             int64     `json:"ok_count"`
	NotModifiedCount    int64     `json:"not_modified_count"`
	ErrorCount          int64     `json:"error_count"`
	// NetworkDown is set when the last poll failed while every source
	// failed: the failure was not counted against the source.
	NetworkDown bool `json:"network_down"`
	// ErrorKind names the cause of LastError in a word (see PublicError).
	ErrorKind    string `json:"error_kind,omitempty"`
	ETag         string `json:"etag"`
	LastModified string `json:"last_modified"`
	// ServedBy is the address whose answer the last poll used: the URL, or
	// one of the source's fallback addresses when the URL failed.
	ServedBy string `json:"served_by,omitempty"`
	// Fallbacks holds the validators of each fallback address that answered.
	Fallbacks map[string]Validators `json:"fallbacks,omitempty"`
}

// encodeState and decodeState convert through stateRecord, which has State's fields.
func encodeState(st State) ([]byte, error) { return json.Marshal(stateRecord(st)) }

func decodeState(b []byte) (State, error) {
	var r stateRecord
	err := json.Unmarshal(b, &r)
	return State(r), err
}

// States returns every source's persisted state, sorted by name. It only
// reads, so it works on a read-only handle while a daemon runs.
func States(db *bbolt.DB) ([]State, error) {
	var states []State
	err := db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(stateBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			s, err := decodeState(v)
			if err != nil {
				return fmt.Errorf("state of %s: %w", k, err)
			}
			states = append(states, s)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("fetch: reading source states: %w", err)
	}
	return states, nil
}

// store keeps source states in bbolt.
type store struct{ db *bbolt.DB }

func newStore(db *bbolt.DB) (*store, error) {
	err := db.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(stateBucket)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("fetch: creating bucket %s: %w", stateBucket, err)
	}
	return &store{db: db}, nil
}

// load returns the states by source name; a source never polled has none.
func (s *store) load() (map[string]State, error) {
	all, err := States(s.db)
	if err != nil {
		return nil, err
	}
	m := make(map[string]State, len(all))
	for _, st := range all {
		m[st.Name] = st
	}
	return m, nil
}

// save writes states in one transaction, so that a PollAll costs one fsync.
func (s *store) save(states ...State) error {
	if len(states) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(stateBucket)
		for _, st := range states {
			v, err := encodeState(st)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(st.Name), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("fetch: saving source states: %w", err)
	}
	return nil
}

// saveSoon writes one poll's state, sharing the transaction (and fsync) with
// the other polls that end within bbolt's batch delay.
func (s *store) saveSoon(st State) error {
	v, err := encodeState(st)
	if err != nil {
		return fmt.Errorf("fetch: saving the state of %s: %w", st.Name, err)
	}
	err = s.db.Batch(func(tx *bbolt.Tx) error {
		return tx.Bucket(stateBucket).Put([]byte(st.Name), v)
	})
	if err != nil {
		return fmt.Errorf("fetch: saving the state of %s: %w", st.Name, err)
	}
	return nil
}

// remove deletes the states of sources no longer configured.
func (s *store) remove(names ...string) error {
	if len(names) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(stateBucket)
		for _, n := range names {
			if err := b.Delete([]byte(n)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("fetch: removing source states: %w", err)
	}
	return nil
}
