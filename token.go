package sessions

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// ID identifies a record in a server-side store. It is derived from the
// token by a one-way hash, so stores never see tokens: a leaked database or
// a timing side channel on a store's index yields no usable session. An ID
// is not a credential; it may be shown to the session's owner (for example
// in a "your devices" list) and passed back to ClearOwned.
type ID [32]byte

// idHexLen is the length of an ID's text form.
const idHexLen = 2 * len(ID{})

// String returns the ID as 64 lowercase hexadecimal digits.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// Short returns the first 8 hexadecimal digits of the ID: enough to tell
// sessions apart in logs, too little to look one up.
func (id ID) Short() string { return id.String()[:8] }

// IsZero reports whether id is the zero ID, which names no session.
func (id ID) IsZero() bool { return id == ID{} }

// MarshalText implements [encoding.TextMarshaler] with the String form.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler]; it accepts exactly
// what ParseID accepts.
func (id *ID) UnmarshalText(b []byte) error {
	parsed, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = parsed
	return nil
}

// errBadID is returned by ParseID for anything but 64 lowercase hex digits.
var errBadID = errors.New("sessions: malformed ID")

// ParseID parses the String form of an ID: exactly 64 lowercase
// hexadecimal digits. Any other spelling is an error, so one ID has one
// text form.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != idHexLen {
		return id, errBadID
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return id, errBadID
		}
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return ID{}, errBadID
	}
	return id, nil
}

// The default token scheme: 32 random bytes, base64url without padding.
const (
	tokenBytes = 32
	// TokenLen is the length of a token of the default scheme.
	TokenLen = (tokenBytes*8 + 5) / 6 // 43
)

// tokenEncoding is the one spelling of a token.
var tokenEncoding = base64.RawURLEncoding

// Domain labels keep the hashes of one token for different purposes apart.
const (
	storageIDLabel = "typedsession/sessions storage-id v1\x00"
	secretLabel    = "typedsession/sessions session-secret v1\x00"
)

// mintToken reads 32 bytes from r and returns their canonical encoding.
// The Manager passes crypto/rand; tests inject failing readers.
func mintToken(r io.Reader) (string, error) {
	var raw [tokenBytes]byte
	if _, err := io.ReadFull(r, raw[:]); err != nil {
		return "", fmt.Errorf("reading randomness: %w", err)
	}
	return tokenEncoding.EncodeToString(raw[:]), nil
}

// ValidToken reports whether s is a token of the default scheme in its one
// canonical spelling: 43 characters of the base64url alphabet whose last
// character carries no stray low bits. It does no I/O and allocates
// nothing, so anything a client sends can be refused before a store is
// asked.
func ValidToken(s string) bool {
	if len(s) != TokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if base64URLValue(s[i]) < 0 {
			return false
		}
	}
	// 43 characters carry 258 bits for 256 bits of data: the last
	// character's two low bits must be zero, or two spellings would decode
	// to the same bytes.
	return base64URLValue(s[len(s)-1])&0b11 == 0
}

// base64URLValue returns the 6-bit value of c in the base64url alphabet,
// or -1 if c is not in it.
func base64URLValue(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '-':
		return 62
	case c == '_':
		return 63
	}
	return -1
}

// storageID derives the ID a server-side store keys a token's record by.
func storageID(token string) ID {
	return labelledHash(storageIDLabel, token)
}

// tokenSecret derives the per-session secret of a token of the default
// scheme (the root of its CSRF tokens). It is independent of the storage
// ID, so knowing an ID reveals nothing about the secret.
func tokenSecret(token string) [32]byte {
	return labelledHash(secretLabel, token)
}

// labelledHash returns SHA-256(label ‖ s). For tokens it hashes from a
// stack buffer, so deriving an ID on every request allocates nothing.
func labelledHash(label, s string) [32]byte {
	var buf [128]byte
	return sha256.Sum256(append(append(buf[:0], label...), s...))
}
