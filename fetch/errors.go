package fetch

import "errors"

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
	ErrNetwork          = errors.New("network error")
	ErrSink             = errors.New("unable to store items")
)

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
