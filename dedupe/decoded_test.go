package dedupe

import (
	"testing"
	"unsafe"
)

func TestDecodedReportFollowsItsBytes(t *testing.T) {
	var d decodedReports
	k := reportKey("russian-offensive", "2023-03-29")
	u, err := d.decode(k, []byte(`{"id":"a","variants":[{"lang":"en","title":"first"}]}`))
	if err != nil || u.Variants[0].Title != "first" {
		t.Fatalf("decoded %+v, %v", u, err)
	}
	if next, _ := d.decode(k, []byte(`{"id":"a","variants":[{"lang":"en","title":"second"}]}`)); next.Variants[0].Title != "second" {
		t.Errorf("new bytes read as %q, want second", next.Variants[0].Title)
	}
}

func TestEveryReaderOfAReportSharesOneCopyOfItsMetadata(t *testing.T) {
	s := openStore(t, nil)
	ingest(t, s, isw,
		original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022"),
		original("2022-04-05", "Russian Offensive Campaign Assessment, April 5, 2022"))
	first, err := s.Updates(Query{})
	if err != nil || len(first) != 2 {
		t.Fatalf("updates %v, %v", first, err)
	}
	again, err := s.Updates(Query{})
	if err != nil || len(again) != 2 {
		t.Fatalf("updates %v, %v", again, err)
	}
	if &first[0].Variants[0] != &again[0].Variants[0] {
		t.Error("a second read of every report holds a second copy of its variants")
	}
	a, b := first[0].Variants[0], first[1].Variants[0]
	for _, f := range []struct{ name, a, b string }{{"lang", a.Lang, b.Lang}, {"source", a.Source, b.Source}, {"role", a.Role, b.Role}} {
		if unsafe.StringData(f.a) != unsafe.StringData(f.b) {
			t.Errorf("two reports hold two copies of their %s %q", f.name, f.a)
		}
	}
	if unsafe.StringData(first[0].Series) != unsafe.StringData(first[1].Series) {
		t.Errorf("two reports hold two copies of their series %q", first[0].Series)
	}
	if u := first[0]; u.ISWURL != u.Variants[0].URL || unsafe.StringData(u.ISWURL) != unsafe.StringData(u.Variants[0].URL) {
		t.Errorf("a report holds its original's link %q twice, as its ISW URL %q", u.Variants[0].URL, u.ISWURL)
	}
}

func TestReadingContentLeavesTheSharedMetadataWithout(t *testing.T) {
	s := openStore(t, nil)
	ingest(t, s, isw, original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022"))
	full, err := s.Updates(Query{Content: true})
	if err != nil || len(full) != 1 || full[0].Variants[0].Content != "<p>original</p>" {
		t.Fatalf("updates with content %+v, %v", full, err)
	}
	bare, err := s.Updates(Query{})
	if err != nil || len(bare) != 1 {
		t.Fatalf("updates %v, %v", bare, err)
	}
	if c := bare[0].Variants[0].Content; c != "" {
		t.Errorf("a read without content has %q: one caller's content reached every reader", c)
	}
}
