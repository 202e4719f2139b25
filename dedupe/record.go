package dedupe

import (
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"
)

// reportRecord is an Update as the dedupe.reports bucket holds it, in JSON.
// Update carries no storage tags, so changing it changes no stored format, and
// what the store keeps never reaches a public format by accident.
type reportRecord struct {
	ID        string          `json:"id"`
	Series    string          `json:"series"`
	Number    int             `json:"number,omitempty"`
	Date      time.Time       `json:"date"`
	Published time.Time       `json:"published"`
	Updated   time.Time       `json:"updated"`
	ISWURL    string          `json:"isw_url,omitempty"`
	Variants  []variantRecord `json:"variants"`
}

// variantRecord is a Variant as a reportRecord holds it; its fields are
// Variant's, so the two convert into each other.
type variantRecord struct {
	Lang      string    `json:"lang"`
	Source    string    `json:"source"`
	Role      string    `json:"role"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	ItemID    string    `json:"item_id"`
	FeedTitle string    `json:"feed_title,omitempty"`
	Content   string    `json:"content,omitempty"`
	Published time.Time `json:"published"`
	Changed   time.Time `json:"changed"`
}

func recordOf(u *Update) reportRecord {
	r := reportRecord{ID: u.ID, Series: u.Series, Number: u.Number, Date: u.Date,
		Published: u.Published, Updated: u.Updated, ISWURL: u.ISWURL,
		Variants: make([]variantRecord, len(u.Variants))}
	for i, v := range u.Variants {
		r.Variants[i] = variantRecord(v)
	}
	return r
}

func (r *reportRecord) update() Update {
	u := Update{ID: r.ID, Series: r.Series, Number: r.Number, Date: r.Date,
		Published: r.Published, Updated: r.Updated, ISWURL: r.ISWURL,
		Variants: make([]Variant, len(r.Variants))}
	for i, v := range r.Variants {
		u.Variants[i] = Variant(v)
	}
	return u
}

// decodeReport reads a stored report into u.
func decodeReport(v []byte, u *Update) error {
	var r reportRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return err
	}
	*u = r.update()
	return nil
}

// getReport reads the report stored under k into u.
func getReport(b *bolt.Bucket, k []byte, u *Update) (bool, error) {
	v := b.Get(k)
	if v == nil {
		return false, nil
	}
	return true, decodeReport(v, u)
}

// putReport stores u under k.
func putReport(b *bolt.Bucket, k []byte, u *Update) error {
	r := recordOf(u)
	return putJSON(b, k, &r)
}
