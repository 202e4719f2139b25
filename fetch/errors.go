package fetch

import (
	"errors"
	"fmt"
)

// Sentinel errors that a poll's error wraps, so callers can tell causes apart
// with errors.Is. The full message also names the source and the detail.
var (
	ErrStatus           = errors.New("unexpected HTTP status")
	ErrChallenge        = errors.New("blocked by a CDN challenge page")
	ErrNotFeed          = errors.New("not a feed")
	ErrParse            = errors.New("malformed feed")
	ErrEmpty            = errors.New("empty response")
	ErrTooLarge         = errors.New("response too large")
	ErrTooManyRedirects = errors.New("too many redirects")
	ErrTimeout          = errors.New("timed out")
	ErrSlow             = errors.New("answer too slow")
	ErrNetwork          = errors.New("network error")
	ErrSink             = errors.New("unable to store items")
	// ErrPrivateAddress is a connection refused because it would reach a
	// loopback, private, link-local or metadata address off the source's own
	// configured hosts (fetch.allow_private_networks lifts it).
	ErrPrivateAddress = errors.New("refused to connect to a private address")
	// ErrInsecureRedirect is a redirect from https to http, never followed.
	ErrInsecureRedirect = errors.New("refused a redirect from https to http")
)

// kinds names each sentinel in a word, for State.ErrorKind, and says what
// the public may read of it: failures that would tell which addresses and
// ports answer are all "no answer".
var kinds = []struct {
	err          error
	kind, public string
}{
	{ErrStatus, "status", ""},
	{ErrChallenge, "challenge", ErrChallenge.Error()},
	{ErrNotFeed, "not_feed", ErrNotFeed.Error()},
	{ErrParse, "parse", ErrParse.Error()},
	{ErrEmpty, "empty", ErrEmpty.Error()},
	{ErrTooLarge, "too_large", ErrTooLarge.Error()},
	{ErrSink, "sink", ErrSink.Error()},
	{ErrTooManyRedirects, "redirects", noAnswer},
	{ErrInsecureRedirect, "insecure_redirect", noAnswer},
	{ErrPrivateAddress, "private_address", noAnswer},
	{ErrSlow, "slow", noAnswer},
	{ErrTimeout, "timeout", noAnswer},
	{ErrNetwork, "network", noAnswer},
}

const noAnswer = "no usable answer from the source"

// kindOf returns the word for err's cause, "" when it has none of ours.
func kindOf(err error) string {
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return k.kind
		}
	}
	return ""
}

// publicReason is what /status and /api/sources say of a failure of kind.
func publicReason(kind string, status int) string {
	if kind == "status" && status != 0 {
		return fmt.Sprintf("HTTP status %d", status)
	}
	for _, k := range kinds {
		if k.kind == kind && k.public != "" {
			return k.public
		}
	}
	return "the last poll failed"
}

// pollError is the error of one failed poll: "fetch: SOURCE: CAUSE: DETAIL".
type pollError struct {
	source string
	kind   error
	detail string
	cause  error
}

func (e *pollError) Error() string {
	msg := "fetch: " + e.source + ": " + e.kind.Error()
	if e.detail != "" {
		msg += ": " + e.detail
	}
	return msg
}

func (e *pollError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

func failure(source string, kind error, detail string, cause error) error {
	return &pollError{source: source, kind: kind, detail: detail, cause: cause}
}
