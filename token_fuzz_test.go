package sessions

import (
	"encoding/base64"
	"testing"
)

// FuzzValidToken checks that ValidToken accepts exactly the canonical
// spellings of 32-byte values: whatever it accepts decodes to 32 bytes
// and encodes back to the same string, and every 43-character string the
// strict decoder turns into 32 bytes is accepted.
func FuzzValidToken(f *testing.F) {
	f.Add("")
	f.Add(fixedTestToken)
	f.Add(fixedTestToken[:TokenLen-1] + "B")
	f.Add(fixedTestToken[:TokenLen-1] + "_")
	f.Add(fixedTestToken + "=")
	f.Add("+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("___________________________________________")
	f.Add("AAAAAAAAAAAAAAAAAAAA\nAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidToken(s) {
			raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
			if len(s) == TokenLen && err == nil && len(raw) == 32 {
				t.Fatalf("ValidToken(%q) = false for a canonical spelling", s)
			}
			return
		}
		raw, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("ValidToken(%q) but decoding fails: %v", s, err)
		}
		if len(raw) != 32 {
			t.Fatalf("ValidToken(%q) but it decodes to %d bytes", s, len(raw))
		}
		if again := base64.RawURLEncoding.EncodeToString(raw); again != s {
			t.Fatalf("ValidToken(%q) but its bytes encode as %q", s, again)
		}
		if storageID(s).IsZero() {
			t.Fatalf("storageID(%q) is zero", s)
		}
	})
}
