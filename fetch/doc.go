// Package fetch owns one polite HTTP GET per source, parsing with gofeed into
// plain Items normalised once on the way in (UTF-8, one-line titles and
// authors within caps, http(s)-only links, relative URLs made absolute
// against xml:base, else the item's link, else the feed's URL less its
// secrets, an id and a date always present), the cron schedule, and each
// source's poll state and health in bbolt. It never decides what an item is:
// that is dedupe's job.
package fetch
