package dedupe

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
)

func TestSchemaTwoStoreIsCompressedOnOpen(t *testing.T) {
	path, db := fileStore(t)
	cfg := &config.Config{Sources: []config.Source{isw, spa}}
	s, err := Open(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	html := strings.Repeat("<p>Russian forces continued offensive operations near Bakhmut.</p>\n", 100)
	for _, d := range []string{"2022-04-04", "2022-04-05", "2022-04-06"} {
		ingest(t, s, isw, original(d, html+d))
	}
	// Write the file as schema 2 left it: content as it came, no compression.
	err = db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketContent)
		var keys [][]byte
		c.ForEach(func(k, _ []byte) error { keys = append(keys, bytes.Clone(k)); return nil })
		for _, k := range keys {
			if err := c.Put(k, []byte(html+strings.TrimPrefix(string(k[bytes.IndexByte(k, 0)+1:]), "isw-"))); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte("2"))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openFile(t, path)
	defer db.Close()
	if s, err = Open(db, cfg); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"2022-04-04", "2022-04-05", "2022-04-06"} {
		if got := mustUpdateOn(t, s, d).Variants[0].Content; got != html+d {
			t.Errorf("%s: content after migration is %d bytes, want the %d stored", d, len(got), len(html+d))
		}
	}
	_ = db.View(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket(bucketMeta).Get(keySchema)); v != strconv.Itoa(SchemaVersion) {
			t.Errorf("schema = %s, want %d", v, SchemaVersion)
		}
		return tx.Bucket(bucketContent).ForEach(func(k, v []byte) error {
			if !bytes.HasPrefix(v, zstdMagic) || len(v)*3 > len(html) {
				t.Errorf("%q: %d bytes stored for %d of content, want a zstd frame a third the size or less", k, len(v), len(html))
			}
			return nil
		})
	})
}

func TestContentOfEitherSchemaReads(t *testing.T) {
	for name, html := range map[string]string{
		"empty": "", "text": "plain", "html": "<p>Die Lage am 29. März.</p>", "starts like a frame": "(\u00b5/",
	} {
		t.Run(name, func(t *testing.T) {
			for _, v := range [][]byte{[]byte(html), packContent(html)} {
				if got, err := unpackContent(v); err != nil || got != html {
					t.Errorf("read %q (err %v), want %q", got, err, html)
				}
			}
		})
	}
}
