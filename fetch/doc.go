// Package fetch owns one polite HTTP GET per source, parsing with gofeed into
// plain Items normalised once on the way in (UTF-8, one-line titles and
// authors within caps, http(s)-only links, relative URLs made absolute
// against xml:base, else the item's link, else the feed's URL less its
// secrets, an id and a date always present), the schedule, and each
// source's poll state and health in bbolt. It never decides what an item is:
// that is dedupe's job.
//
// Each source is polled on its own schedule (its cron spec, what the site
// asks for, backoff after failures), by a pool of fetch.concurrency polls
// that sends one request at a time per host; no poll waits for another. A
// poll hands its items to the Sink, which commits them, and only then saves
// the source's state (validators, next poll, counters), at once, so a crash
// costs at most one re-fetch.
//
// Polls make rounds (see RoundSink): a round begins when a poll starts while
// none runs and ends when no poll runs and none is due, or fetch.round_wait
// (5 s) after its first poll handed items to the sink, whichever comes first; the
// polls still running then make the next round. A Sink that is a RoundSink
// is told once at the end of each round that handed it items, so the daemon
// renders its feeds once per round, and a source that hangs delays what the
// others brought by fetch.round_wait at most. A PollAll is one round.
// iswfeed_poll_rounds_total counts rounds by how they ended.
//
// The files follow the concerns: poller.go the lifecycle (Start, Stop,
// Reload, PollAll), schedule.go when each source is due and the scheduler
// that starts it, rounds.go which polls make a round and when it ends,
// limits.go the pool and the per-host limit, poll.go one poll (fallback
// addresses, network-down judgement), fetch.go one GET with its phase
// timeouts and minimum rate, guard.go the rule that article pages and
// redirects reach no private address, fulltext.go the articles of full_text
// sources, state.go the poll state, metrics.go the poller's Prometheus
// collectors, parse.go, item.go and urls.go the normalisation.
//
// Buckets: "fetch.sources" holds one JSON State per source name;
// "fetch.articles" holds, per source, one record per item link: the hash of
// the teaser its article was fetched for, the page's validators and the
// article, so an unchanged item is never fetched twice.
package fetch
