package sessions

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// fixedTestToken is a fixed token of the default scheme: 32 bytes 0x00..0x1f.
var fixedTestToken = func() string {
	var raw [32]byte
	for i := range raw {
		raw[i] = byte(i)
	}
	return base64.RawURLEncoding.EncodeToString(raw[:])
}()

// mintTestToken mints a token from crypto/rand.
func mintTestToken(t testing.TB) string {
	t.Helper()
	tok, err := mintToken(rand.Reader)
	if err != nil {
		t.Fatalf("mintToken: %v", err)
	}
	return tok
}

// spliceByte returns s with the byte at i replaced by the bytes of r.
func spliceByte(s string, i int, r string) string { return s[:i] + r + s[i+1:] }

func TestValidTokenAcceptsMintedTokens(t *testing.T) {
	tok := mintTestToken(t)
	if len(tok) != TokenLen || TokenLen != 43 {
		t.Fatalf("minted token has %d characters, TokenLen=%d, want 43", len(tok), TokenLen)
	}
	if !ValidToken(tok) {
		t.Errorf("ValidToken(%q) = false for a minted token", tok)
	}
	if !ValidToken(fixedTestToken) {
		t.Errorf("ValidToken(%q) = false for an encoded token", fixedTestToken)
	}
}

func TestValidTokenRejectsWrongLengths(t *testing.T) {
	tok := mintTestToken(t)
	tests := []struct {
		name string
		s    string
	}{
		{"empty", ""},
		{"42", tok[:42]},
		{"44", tok + "A"},
		{"padded to 44", tok + "="},
		{"one character", "A"},
		{"86", tok + tok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ValidToken(tt.s) {
				t.Errorf("ValidToken(%q) = true, want false", tt.s)
			}
		})
	}
}

func TestValidTokenRejectsBytesOutsideTheAlphabet(t *testing.T) {
	bad := []string{"+", "/", "=", " ", "\x00", "\x80", "\xff", "\n", "\r", "\t", ".", "~", "%", "\"", ";", ","}
	tok := fixedTestToken
	for _, b := range bad {
		for _, pos := range []int{0, 1, 21, 41, 42} {
			s := spliceByte(tok, pos, b)
			if ValidToken(s) {
				t.Errorf("ValidToken accepts %q at position %d: %q", b, pos, s)
			}
		}
	}
	// A two-byte character keeps 43 bytes only if it replaces two.
	for _, pos := range []int{0, 20, 41} {
		s := tok[:pos] + "é" + tok[pos+2:]
		if len(s) != TokenLen {
			t.Fatalf("test setup: length %d", len(s))
		}
		if ValidToken(s) {
			t.Errorf("ValidToken accepts é at position %d: %q", pos, s)
		}
	}
}

func TestValidTokenAcceptsEveryAlphabetCharacterBeforeTheLast(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < len(alphabet); i++ {
		for _, pos := range []int{0, 17, 41} {
			s := spliceByte(fixedTestToken, pos, alphabet[i:i+1])
			if !ValidToken(s) {
				t.Errorf("ValidToken rejects %q at position %d", alphabet[i], pos)
			}
		}
	}
}

func TestValidTokenRejectsNonCanonicalFinalCharacter(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	const canonical = "AEIMQUYcgkosw048"
	for i := 0; i < len(alphabet); i++ {
		c := alphabet[i : i+1]
		s := fixedTestToken[:TokenLen-1] + c
		want := strings.Contains(canonical, c)
		if got := ValidToken(s); got != want {
			t.Errorf("ValidToken with final %q = %v, want %v", c, got, want)
		}
		// Whatever ValidToken says must match the strict decoder.
		raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
		if strict := err == nil && len(raw) == 32; strict != want {
			t.Errorf("final %q: strict decoding ok=%v, want %v", c, strict, want)
		}
	}
	// The lenient decoder accepts a stray low bit; ValidToken must not,
	// or two spellings would name one session.
	s := fixedTestToken[:TokenLen-1] + "B"
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil && base64.RawURLEncoding.EncodeToString(raw) == s {
		t.Fatalf("test setup: %q is canonical", s)
	}
	if ValidToken(s) {
		t.Errorf("ValidToken(%q) = true for a non-canonical spelling", s)
	}
}

func TestValidTokenTreatsCaseAsSignificant(t *testing.T) {
	tok := fixedTestToken
	// Find a letter to flip; fixedTestToken starts with "AAEC".
	i := strings.IndexFunc(tok[:TokenLen-1], func(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' })
	c := tok[i]
	flipped := c ^ 0x20
	other := spliceByte(tok, i, string(flipped))
	if other == tok {
		t.Fatal("test setup: flip changed nothing")
	}
	if !ValidToken(other) {
		t.Errorf("ValidToken(%q) = false after flipping the case of a letter", other)
	}
	if storageID(other) == storageID(tok) {
		t.Error("tokens differing in case map to the same storage ID")
	}
}

// brokenEntropy is a randomness source whose every read fails.
type brokenEntropy struct{ err error }

func (r brokenEntropy) Read([]byte) (int, error) { return 0, r.err }

func TestMintTokenReportsAFailingReader(t *testing.T) {
	boom := errors.New("no entropy")
	tests := []struct {
		name string
		r    interface{ Read([]byte) (int, error) }
	}{
		{"fails at once", brokenEntropy{boom}},
		{"short", bytes.NewReader(make([]byte, 31))},
		{"empty", bytes.NewReader(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := mintToken(tt.r)
			if err == nil {
				t.Fatalf("mintToken = %q, nil; want an error", tok)
			}
			if tok != "" {
				t.Errorf("mintToken returned token %q with error %v", tok, err)
			}
		})
	}
	if _, err := mintToken(brokenEntropy{boom}); !errors.Is(err, boom) {
		t.Errorf("mintToken error %v does not wrap the reader's error", err)
	}
}

func TestMintTokenEncodesTheBytesItReads(t *testing.T) {
	raw := bytes.Repeat([]byte{0xab}, 40)
	tok, err := mintToken(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if want := base64.RawURLEncoding.EncodeToString(raw[:32]); tok != want {
		t.Errorf("mintToken = %q, want %q", tok, want)
	}
}

func TestMintTokenGivesDistinctValidTokens(t *testing.T) {
	const n = 1000
	seen := make(map[string]bool, n)
	for range n {
		tok := mintTestToken(t)
		if !ValidToken(tok) {
			t.Fatalf("minted token %q is not valid", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q minted twice", tok)
		}
		seen[tok] = true
	}
}

func TestStorageIDIsDeterministicAndDistinctFromSecret(t *testing.T) {
	tok := mintTestToken(t)
	a, b := storageID(tok), storageID(tok)
	if a != b {
		t.Errorf("storageID differs between calls: %v, %v", a, b)
	}
	if a.IsZero() {
		t.Error("storageID is zero")
	}
	if sec := tokenSecret(tok); sec == [32]byte(a) {
		t.Error("tokenSecret equals storageID")
	}
	// Both derivations are pinned to SHA-256(label ‖ token), computed
	// here independently: changing either would orphan every stored
	// session or invalidate every CSRF token.
	if want := sha256.Sum256([]byte(storageIDLabel + tok)); a != ID(want) {
		t.Errorf("storageID = %v, want SHA-256 of the storage label and the token", a)
	}
	if want := sha256.Sum256([]byte(secretLabel + tok)); tokenSecret(tok) != want {
		t.Error("tokenSecret is not SHA-256 of the secret label and the token")
	}
	if storageID(mintTestToken(t)) == a {
		t.Error("two tokens share a storage ID")
	}
	// The ID is a labelled hash, not a plain hash of the token.
	if labelledHash("", tok) == [32]byte(a) {
		t.Error("storageID is an unlabelled hash of the token")
	}
}

func TestLabelledHashAllocatesNothingForATokenLength(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation may add allocations")
	}
	tok := mintTestToken(t)
	var sink [32]byte
	allocs := testing.AllocsPerRun(100, func() {
		sink = labelledHash(storageIDLabel, tok)
		sink = labelledHash(secretLabel, tok)
	})
	_ = sink
	if allocs != 0 {
		t.Errorf("labelledHash allocates %v times per run for a 43-character token, want 0", allocs)
	}
}

func TestLabelledHashHandlesLongInput(t *testing.T) {
	long := strings.Repeat("x", 1000)
	if labelledHash(storageIDLabel, long) == labelledHash(storageIDLabel, long[:999]) {
		t.Error("labelledHash ignores input past the stack buffer")
	}
}

func TestParseIDRoundTripsString(t *testing.T) {
	for range 20 {
		id := storageID(mintTestToken(t))
		s := id.String()
		if len(s) != 64 || strings.ToLower(s) != s {
			t.Fatalf("String() = %q, want 64 lowercase hex digits", s)
		}
		got, err := ParseID(s)
		if err != nil || got != id {
			t.Fatalf("ParseID(%q) = %v, %v; want %v", s, got, err, id)
		}
	}
	zero, err := ParseID(strings.Repeat("0", 64))
	if err != nil || !zero.IsZero() {
		t.Errorf("ParseID(zeros) = %v, %v; want the zero ID", zero, err)
	}
}

func TestParseIDRejectsOtherSpellings(t *testing.T) {
	s := storageID(fixedTestToken).String()
	i := strings.IndexAny(s, "abcdef")
	if i < 0 {
		t.Fatal("test setup: no hex letter in ID")
	}
	tests := []struct {
		name string
		s    string
	}{
		{"empty", ""},
		{"63", s[:63]},
		{"65", s + "0"},
		{"uppercase", strings.ToUpper(s)},
		{"one uppercase", spliceByte(s, i, strings.ToUpper(s[i:i+1]))},
		{"non-hex letter", spliceByte(s, 10, "g")},
		{"space", spliceByte(s, 0, " ")},
		{"0x prefix", "0x" + s[2:]},
		{"NUL", spliceByte(s, 63, "\x00")},
		{"high byte", spliceByte(s, 5, "\xff")},
		{"dashes", s[:8] + "-" + s[9:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if id, err := ParseID(tt.s); err == nil {
				t.Errorf("ParseID(%q) = %v, nil; want an error", tt.s, id)
			}
		})
	}
}

func TestIDTextRoundTrip(t *testing.T) {
	id := storageID(fixedTestToken)
	text, err := id.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	if string(text) != id.String() {
		t.Errorf("MarshalText = %q, want %q", text, id.String())
	}
	var got ID
	if err := got.UnmarshalText(text); err != nil || got != id {
		t.Errorf("UnmarshalText(%q) = %v, %v; want %v", text, got, err, id)
	}
	bad := ID{1}
	if err := bad.UnmarshalText([]byte("zz")); err == nil {
		t.Error("UnmarshalText accepted malformed text")
	}
	if bad != (ID{1}) {
		t.Error("a failed UnmarshalText changed the ID")
	}
}

func TestIDShortIsTheFirstEightHexDigits(t *testing.T) {
	id := storageID(fixedTestToken)
	short := id.Short()
	if len(short) != 8 || short != id.String()[:8] {
		t.Errorf("Short() = %q, want %q", short, id.String()[:8])
	}
	if (ID{}).Short() != "00000000" {
		t.Errorf("zero Short() = %q", (ID{}).Short())
	}
}

func TestIDIsZero(t *testing.T) {
	if !(ID{}).IsZero() {
		t.Error("zero ID is not zero")
	}
	if (ID{31: 1}).IsZero() {
		t.Error("non-zero ID is zero")
	}
}
