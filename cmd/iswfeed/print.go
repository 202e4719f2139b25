package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"iswfeed/dedupe"
	"iswfeed/publish"
)

// The printers write the reads' public views for people; -json writes the
// views themselves, as the HTTP API does.

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printUpdates(w io.Writer, list publish.UpdateList) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tDATE\tSERIES\tLANGUAGES\tTITLE")
	for _, u := range list.Updates {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", numberText(u.Number), u.Date, u.Series, strings.Join(u.Langs, " "), u.LeadTitle)
	}
	return tw.Flush()
}

func printUpdate(w io.Writer, u publish.UpdateDoc) error {
	fmt.Fprintf(w, "Update %s of %s (%s)\nid:        %s\npublished: %s\nupdated:   %s\n\n",
		numberText(u.Number), u.Date, u.Series, u.ID, u.Published.Format(time.RFC3339), u.Updated.Format(time.RFC3339))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LANG\tSOURCE\tROLE\tTITLE\tURL")
	for _, va := range u.Variants {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", va.Lang, va.Source, va.Role, va.Title, va.URL)
	}
	return tw.Flush()
}

func numberText(n int) string {
	if n == 0 {
		return "?"
	}
	return strconv.Itoa(n)
}

func printSources(w io.Writer, list publish.SourceList) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tLANG\tSTATUS\tLAST SUCCESS\tNEXT POLL\tFAILURES\t200/304/ERR\tLAST ERROR")
	for _, s := range list.Sources {
		if s.LastAttempt.IsZero() {
			fmt.Fprintf(tw, "%s\t%s\tnever polled\t-\t-\t0\t0/0/0\t\n", s.Name, s.Lang)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d/%d/%d\t%s\n", s.Name, s.Lang, health(s),
			ago(s.LastSuccess), ago(s.NextPoll), s.ConsecutiveFailures, s.Count200, s.Count304, s.CountErrors, s.LastError)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(list.Numbering) > 0 {
		printNumbering(w, list.Numbering)
	}
	return nil
}

// health sums a source's state up in a word or two.
func health(s publish.SourceStatus) string {
	switch {
	case s.NetworkDown:
		return "network down"
	case s.ConsecutiveFailures > 0:
		return fmt.Sprintf("failing (%d)", s.LastStatus)
	default:
		return fmt.Sprintf("ok (%d)", s.LastStatus)
	}
}

// ago writes a time relative to now, e.g. "5m ago" or "in 25m".
func ago(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := time.Until(t).Round(time.Second)
	if d < 0 {
		return (-d).String() + " ago"
	}
	return "in " + d.String()
}

func printGaps(w io.Writer, g dedupe.Gaps) {
	fmt.Fprintln(w, "Reports without a translation, per language:")
	if len(g.Missing) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for lang, refs := range g.Missing {
		names := make([]string, 0, len(refs))
		for _, r := range refs {
			names = append(names, refName(r))
		}
		fmt.Fprintf(w, "  %s (%d): %s\n", lang, len(refs), strings.Join(names, ", "))
	}
	fmt.Fprintln(w, "\nReports whose number is not known yet:")
	if len(g.Unnumbered) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, r := range g.Unnumbered {
		fmt.Fprintf(w, "  %s %s\n", r.Series, r.Date)
	}
	fmt.Fprintln(w, "\nItems that could not be placed:")
	if len(g.Unplaced) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, u := range g.Unplaced {
		fmt.Fprintf(w, "  %s: %q (number %s) %s\n", u.Source, u.Title, numberText(u.Number), u.URL)
	}
	fmt.Fprintln(w, "\nCalendar conflicts:")
	if len(g.Conflicts) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, c := range g.Conflicts {
		subject := "number " + strconv.Itoa(c.Number)
		if c.Date != "" {
			subject = "date " + c.Date
		}
		how := "most items"
		if c.Anchored {
			how = "the operator's anchor"
		}
		fmt.Fprintf(w, "  %s %s: items say %s; using %s (%s)\n", c.Series, subject, strings.Join(c.Claims, ", "), c.Chosen, how)
	}
	printNumbering(w, g.Numbering)
}

// printNumbering lists what each translation source taught of its numbering.
func printNumbering(w io.Writer, ns []dedupe.Numbering) {
	fmt.Fprintln(w, "\nLearned numbering per translation source:")
	if len(ns) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, n := range ns {
		fmt.Fprintf(w, "  %s: %s\n", n.Source, numberingText(n))
		for _, c := range n.Conflicts {
			fmt.Fprintf(w, "    item %s gives %d at %s for %s, the calendar %d\n", c.ItemID, c.Number, c.At, c.Date, c.Calendar)
		}
	}
}

// numberingText says how a source's items are numbered.
func numberingText(n dedupe.Numbering) string {
	learned := "nothing learned yet"
	if n.Pattern != "" {
		learned = fmt.Sprintf("learned %q (%d agreeing items)", n.Pattern, n.Agreeing)
	}
	if n.Override != "" {
		learned = fmt.Sprintf("operator's number: %q, which wins; %s", n.Override, learned)
	}
	switch {
	case n.LagOverride != nil:
		learned += fmt.Sprintf("; lag %d days (config)", *n.LagOverride)
	case n.Lag != nil:
		learned += fmt.Sprintf("; learned lag %d days", *n.Lag)
	}
	return learned
}

func refName(r dedupe.Ref) string {
	if r.Number > 0 {
		return strconv.Itoa(r.Number)
	}
	return r.Date
}
