package publish

import (
	"bytes"
	stdgzip "compress/gzip"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"iswfeed/config"
	"iswfeed/fetch"
)

func TestCRC32CombineIsTheCRCOfTheConcatenation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range [][2]int{{0, 0}, {0, 5}, {5, 0}, {1, 1}, {3, 8}, {100, 1000}, {1 << 16, 1<<16 + 1}, {7, 3 << 20}} {
		a, b := make([]byte, n[0]), make([]byte, n[1])
		for i := range a {
			a[i] = byte(rng.Uint32())
		}
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		want := crc32.ChecksumIEEE(append(bytes.Clone(a), b...))
		if got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), len(b)); got != want {
			t.Errorf("%d then %d bytes: combined %08x, the CRC of both is %08x", n[0], n[1], got, want)
		}
	}
}

func FuzzCRC32Combine(f *testing.F) {
	f.Add([]byte("iswfeed"), []byte(" merged feed"))
	f.Add([]byte{}, []byte{0})
	f.Add(bytes.Repeat([]byte{0xff}, 300), bytes.Repeat([]byte{0}, 5000))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		want := crc32.ChecksumIEEE(append(bytes.Clone(a), b...))
		if got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), len(b)); got != want {
			t.Errorf("combined %08x, the CRC of both is %08x", got, want)
		}
	})
}

// joined is the gzip of the pieces of text cut at cuts (in order, within
// it), deflated alone or against the piece before and sep, with sep stored
// between them.
func joined(text []byte, cuts []int, sep string) ([]byte, []byte) {
	var pieces [][]byte
	last := 0
	for _, c := range cuts {
		pieces, last = append(pieces, text[last:c]), c
	}
	pieces = append(pieces, text[last:])
	var ps []piece
	var want []byte
	size := gzipFraming
	for i, p := range pieces {
		var buf bytes.Buffer
		var dict []byte
		if i%2 == 1 { // every other piece refers to what precedes it
			dict = append(bytes.Clone(pieces[i-1]), sep...)
			dict = dict[max(len(dict)-maxDict, 0):]
		}
		deflatePiece(&buf, dict, p)
		ps = append(ps, newPiece(buf.Bytes(), p))
		size += buf.Len()
		if i > 0 {
			want, size = append(want, sep...), size+storedLen(sep)
		}
		want = append(want, p...)
	}
	m := newGzipMember(size)
	for i := range ps {
		if i > 0 {
			m.addStored(sep)
		}
		m.add(ps[i])
	}
	return m.close(), want
}

// gunzipOne reads gz as exactly one gzip member with the standard library,
// which checks its CRC-32 and length.
func gunzipOne(t testing.TB, gz []byte) []byte {
	t.Helper()
	zr, err := stdgzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if rest, _ := io.ReadAll(zr); len(rest) > 0 {
		t.Fatal("bytes after the member")
	}
	return got
}

func TestPiecesJoinIntoOneValidGzipMember(t *testing.T) {
	text := []byte(strings.Repeat("<entry><title>Russian Offensive Campaign Assessment</title></entry>\n", 3000))
	gz, want := joined(text, []int{0, 1, 500, 70000, 70001, 150000}, ",\n    ")
	if got := gunzipOne(t, gz); !bytes.Equal(got, want) {
		t.Fatalf("the standard library inflates %d bytes, want %d", len(got), len(want))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("klauspost inflates %d bytes (%v), want %d", len(got), err, len(want))
	}
	if got := inflated(gz, len(want)); !bytes.Equal(got, want) {
		t.Fatal("inflated gives other bytes")
	} else if cap(got) != len(want) {
		t.Errorf("inflated holds %d bytes for %d: the plain cache counts them all", cap(got), len(want))
	}
	gzipT, err := exec.LookPath("gzip")
	if err != nil {
		t.Skip("no gzip(1) to test the member with")
	}
	name := filepath.Join(t.TempDir(), "feed.atom.gz")
	if err := os.WriteFile(name, gz, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gzipT, "-t", name).CombinedOutput(); err != nil {
		t.Fatalf("gzip -t: %v: %s", err, out)
	}
}

func FuzzJoinedGzip(f *testing.F) {
	f.Add([]byte("<feed><entry>a</entry><entry>b</entry></feed>"), uint64(7), "\n")
	f.Add([]byte{}, uint64(0), "")
	f.Add(bytes.Repeat([]byte("xyz"), 40000), uint64(1<<40+3), ",\n    ")
	f.Fuzz(func(t *testing.T, text []byte, seed uint64, sep string) {
		if len(sep) > 0xffff {
			return
		}
		rng := rand.New(rand.NewPCG(seed, 0))
		var cuts []int
		for at := 0; len(text) > 0 && len(cuts) < 8; {
			at += rng.IntN(len(text) + 1)
			if at > len(text) {
				break
			}
			cuts = append(cuts, at)
		}
		gz, want := joined(text, cuts, sep)
		if got := gunzipOne(t, gz); !bytes.Equal(got, want) {
			t.Fatalf("cut at %v: inflates to %d bytes, want %d", cuts, len(got), len(want))
		}
	})
}

// The joined gzip of a feed costs a few percent over one gzip of its bytes,
// after new reports arrive one by one as after a first render, on prose of
// random words from a small vocabulary (as bench/genfeeds writes), which
// deflating each entry alone would cost most (about 30%).
func TestAFeedsJoinedGzipIsNearlyAsSmallAsOneGzip(t *testing.T) {
	f := newFixture(t, Options{}, func(c *config.Config) { c.FeedSize = 20 })
	words := strings.Fields("Russian forces continued offensive operations near Bakhmut Avdiivka Kupiansk " +
		"Ukrainian officials reported the General Staff stated geolocated footage published on March " +
		"shows that advanced assessed likely attacks artillery drones positions southwest of Kremmina")
	rng := rand.New(rand.NewPCG(3, 4))
	report := func(i int) fetch.Item {
		var text strings.Builder
		for range 1500 {
			text.WriteString(words[rng.IntN(len(words))] + " ")
		}
		return original(day("2023-01-01").AddDate(0, 0, i).Format(time.DateOnly), "<p>"+text.String()+"</p>")
	}
	var items []fetch.Item
	for i := range 20 {
		items = append(items, report(i))
	}
	f.ingest(isw, items...)
	for i := 20; i < 25; i++ {
		f.ingest(isw, report(i))
	}
	for path, d := range f.srv.site.Load().docs {
		var once bytes.Buffer
		gzipTo(&once, d.bytes())
		cost := float64(len(d.gz))/float64(once.Len()) - 1
		t.Logf("%s: %d bytes joined, %d in one gzip (%+.1f%%)", path, len(d.gz), once.Len(), 100*cost)
		if cost > 0.05 {
			t.Errorf("%s: the joined gzip is %.1f%% larger than one gzip of the same bytes", path, 100*cost)
		}
	}
}
