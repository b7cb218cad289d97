package redissessions

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 678e6, time.UTC)

func TestMintedTokensHaveNodesShapeAndTheCreationTime(t *testing.T) {
	seen := map[string]bool{}
	counts := map[byte]int{}
	for range 200 {
		tok, err := mintToken(rand.Reader, t0)
		if err != nil {
			t.Fatal(err)
		}
		if !validToken(tok) || seen[tok] || !createdAt(tok).Equal(t0.Truncate(time.Millisecond)) {
			t.Fatalf("token %q: valid %t, repeated %t, created %v", tok, validToken(tok), seen[tok], createdAt(tok))
		}
		seen[tok] = true
		for i := range randomLen {
			counts[tok[i]]++
		}
	}
	if len(counts) != len(nodeAlphabet) || counts['Z'] != 0 {
		t.Fatalf("the random part used %d characters (Z %d times), want all %d of Node's alphabet and no Z", len(counts), counts['Z'], len(nodeAlphabet))
	}
}

func TestMintingSkipsBytesThatWouldBiasTheAlphabet(t *testing.T) {
	// 244 and up are drawn again; 0 maps to 'A', 61 to 'A' too.
	src := append(bytes.Repeat([]byte{250}, 100), bytes.Repeat([]byte{61}, 200)...)
	tok, err := mintToken(bytes.NewReader(src), t0)
	if err != nil {
		t.Fatal(err)
	}
	if tok[:randomLen] != strings.Repeat("A", randomLen) {
		t.Fatalf("random part %q", tok[:randomLen])
	}
}

func TestMintingFailsWithTheRandomSourceOrOutsideNodesYears(t *testing.T) {
	if _, err := mintToken(iotest.ErrReader(errors.New("no entropy")), t0); err == nil {
		t.Error("a failing random source gave a token")
	}
	for _, at := range []time.Time{time.Date(1971, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if _, err := mintToken(rand.Reader, at); err == nil {
			t.Errorf("created %v: a token whose suffix is not 8 digits", at)
		}
	}
}

func TestCheckTokenAcceptsExactlyNodesMintedShape(t *testing.T) {
	good := "r30kKwv3sA6ExrJ9OmLSm4Wo3nt9MQA1yG94wn6ByFbNrVWhcwAyOM7Zhfxqh8fe" // Node's README
	for tok, want := range map[string]bool{
		good:                                   true,
		good[:63]:                              false,
		good + "a":                             false,
		strings.Replace(good, "Z", "Y", 1):     false, // no marker
		good[:56] + "HFXQH8FE":                 false, // upper-case base 36
		good[:10] + "-" + good[11:]:            false,
		good[:10] + "é" + good[12:]:            false,
		strings.Repeat("Z", 56) + "00000000":   true, // Node's check allows Z in the random part
		strings.Repeat("a", 55) + "Z" + "zzzz": false,
	} {
		if validToken(tok) != want {
			t.Errorf("validToken(%q) = %t, want %t", tok, !want, want)
		}
	}
	if got := createdAt(good); got.UnixMilli() != 1366882382570 {
		t.Errorf("createdAt of Node's README token = %v, want 2013-04-25 09:33:02.570 UTC", got.UTC())
	}
}

func TestTheReportedDeadlineIsTheManagersWhileNodeAgrees(t *testing.T) {
	la := t0.Unix()
	goExp := t0.Add(30 * time.Minute)
	node := time.Unix(la+1801, 0)
	for _, tt := range []struct {
		name string
		st   stored
		want time.Time
	}{
		{"written by this store", stored{lastActive: la, ttl: 1800, goExpires: goExp.UnixMilli()}, goExp},
		{"written by Node", stored{lastActive: la, ttl: 1800}, node},
		{"read by Node since (la moved)", stored{lastActive: la + 60, ttl: 1800, goExpires: goExp.UnixMilli()}, time.Unix(la+1861, 0)},
		{"shortened by Node's no_resave drift", stored{lastActive: la, ttl: 1799, goExpires: goExp.UnixMilli()}, time.Unix(la+1800, 0)},
		{"ttl raised to Node's minimum", stored{lastActive: la, ttl: 10, goExpires: t0.Add(3 * time.Second).UnixMilli()}, time.Unix(la+11, 0)},
	} {
		if got := tt.st.expiresAt(); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	w := newWire(t0, goExp)
	st := stored{lastActive: w.la, ttl: w.ttl, goExpires: goExp.UnixMilli()}
	if w.ttl != 1800 || !st.expiresAt().Equal(goExp) || w.score < goExp.Unix()+1 {
		t.Errorf("newWire = %+v: ttl 1800 and a score no wiper reaches before %v", w, goExp)
	}
}

func TestMergeIsNodesSet(t *testing.T) {
	got, err := merge(`{"foo":"bar","n":34}`, flatObject{"n": json.RawMessage("null"), "last": json.RawMessage(`"/x"`), "ok": json.RawMessage("true")})
	if err != nil || got != `{"foo":"bar","last":"/x","ok":true}` {
		t.Fatalf("merge = %s, %v", got, err)
	}
	if got, err := merge(`{"a":1}`, flatObject{"a": json.RawMessage("null")}); err != nil || got != "" {
		t.Fatalf("deleting the last key = %q, %v; want no d", got, err)
	}
	if _, err := merge(`[1]`, flatObject{}); err == nil {
		t.Fatal("a stored d that is no object merged")
	}
}

func FuzzStoredData(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":{"b":1}}`, `null`, `[1]`, `{"a":"\u00e9","b":null}`, `{`, `"x"`} {
		f.Add([]byte(s), s)
	}
	f.Fuzz(func(t *testing.T, written []byte, stored string) {
		obj, err := flatten(written, DefaultMaxValueBytes)
		if err != nil {
			return
		}
		d, err := merge(stored, obj)
		if err != nil || d == "" {
			return
		}
		var back map[string]json.RawMessage
		if err := json.Unmarshal([]byte(d), &back); err != nil {
			t.Fatalf("merge wrote %q, which does not parse: %v", d, err)
		}
		for k, v := range obj {
			if !isNull(v) && !bytes.Equal(compact(t, back[k]), compact(t, v)) {
				t.Fatalf("key %q: wrote %s, merged %s", k, v, back[k])
			}
			if isNull(v) && back[k] != nil {
				t.Fatalf("key %q was set to null but survived", k)
			}
		}
	})
}

func compact(t *testing.T, v json.RawMessage) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		t.Fatalf("%q: %v", v, err)
	}
	return b.Bytes()
}

func FuzzCheckToken(f *testing.F) {
	f.Add("r30kKwv3sA6ExrJ9OmLSm4Wo3nt9MQA1yG94wn6ByFbNrVWhcwAyOM7Zhfxqh8fe")
	f.Add(strings.Repeat("a", 64))
	f.Fuzz(func(t *testing.T, tok string) {
		if !validToken(tok) {
			return
		}
		ms := createdAt(tok).UnixMilli()
		if s := strconv.FormatInt(ms, 36); len(s) > suffixLen || !strings.HasSuffix(tok, s) {
			t.Fatalf("token %q carries %d ms (%s)", tok, ms, s)
		}
	})
}
