package dedupe

import "testing"

func TestDecodedReportFollowsItsBytesAndIsTheCallersOwn(t *testing.T) {
	var d decodedReports
	k := reportKey("russian-offensive", "2023-03-29")
	first := []byte(`{"id":"a","variants":[{"lang":"en","title":"first"}]}`)
	u, err := d.decode(k, first)
	if err != nil || u.Variants[0].Title != "first" {
		t.Fatalf("decoded %+v, %v", u, err)
	}
	u.Variants[0].Title = "changed by the caller"
	if again, _ := d.decode(k, first); again.Variants[0].Title != "first" {
		t.Errorf("a caller's change reached the next reader: %q", again.Variants[0].Title)
	}
	if next, _ := d.decode(k, []byte(`{"id":"a","variants":[{"lang":"en","title":"second"}]}`)); next.Variants[0].Title != "second" {
		t.Errorf("new bytes read as %q, want second", next.Variants[0].Title)
	}
}
