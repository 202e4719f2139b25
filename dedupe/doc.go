// Package dedupe owns a report's identity: reading series, update number,
// report date and the translated ISW URL from an item; the number↔date
// calendar; and the bbolt store of updates and their variants. It never does HTTP.
package dedupe
