// Package fetch owns one polite HTTP GET per source, parsing with gofeed into
// plain Items (UTF-8, absolute URLs, an id and a date always present), the cron
// schedule, and each source's poll state and health in bbolt. It never decides
// what an item is: that is dedupe's job.
package fetch
