package fetch

import (
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// stateBucket holds one JSON State per source name.
var stateBucket = []byte("fetch.sources")

// State is a source's poll state and health, kept in bbolt.
type State struct {
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
	NetworkDown  bool   `json:"network_down"`
	ETag         string `json:"etag"`
	LastModified string `json:"last_modified"`
}

func (s State) validators() validators {
	return validators{ETag: s.ETag, LastModified: s.LastModified}
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
			var s State
			if err := json.Unmarshal(v, &s); err != nil {
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

// load returns the states of the named sources; a source never polled has a zero State.
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

// save writes states in one transaction, so that a cycle costs one fsync.
func (s *store) save(states ...State) error {
	if len(states) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(stateBucket)
		for _, st := range states {
			v, err := json.Marshal(st)
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
