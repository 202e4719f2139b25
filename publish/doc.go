// Package publish owns what iswfeed serves: the merged Atom, RSS and JSON
// feeds written with gorilla/feeds, the HTML pages, the JSON API, HTTP caching,
// WebSub pings and the static export. It never fetches and never decides what
// an item is.
package publish
