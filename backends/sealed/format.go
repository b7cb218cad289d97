package sealed

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/typedsession/sessions"
	"golang.org/x/crypto/chacha20poly1305"
)

// The layout of a sealed token, before base64url encoding:
//
//	version (1) ‖ key ID (4) ‖ nonce (24) ‖ XChaCha20-Poly1305(header ‖ payload) ‖ tag (16)
//
// The version and key ID travel in the clear so that opening picks one
// key, and are bound into the associated data with the cookie name and
// purpose. The header is:
//
//	session ID (16 random bytes) ‖ flags (1) ‖ uvarint record version ‖
//	varint CreatedAt (Unix ms) ‖ varint ExpiresAt−CreatedAt (ms) ‖
//	uvarint owner generation ‖ uvarint owner length ‖ owner
//
// and the payload is the codec's encoding of the value, to the end.
const (
	formatVersion byte = 1
	prefixLen          = 1 + keyIDLen
	nonceLen           = chacha20poly1305.NonceSizeX
	tagLen             = chacha20poly1305.Overhead
	sidLen             = 16
	// minHeaderLen is a header with every varint one byte and no owner.
	minHeaderLen = sidLen + 1 + 1 + 1 + 1 + 1 + 1
	minRawLen    = prefixLen + nonceLen + minHeaderLen + tagLen
	// overhead is what sealing adds to a header and payload.
	overhead = prefixLen + nonceLen + tagLen
)

// flagPersistent is the one defined flag bit; any other bit is refused.
const flagPersistent byte = 1

// tokenEncoding is the one spelling of a sealed token.
var tokenEncoding = base64.RawURLEncoding.Strict()

// minTokenLen is the length of the shortest possible sealed token.
var minTokenLen = tokenEncoding.EncodedLen(minRawLen)

// header is the authenticated metadata of a sealed record.
type header struct {
	sid        [sidLen]byte
	version    uint64
	created    int64 // Unix milliseconds
	expires    int64 // Unix milliseconds
	generation uint64
	owner      string
	persistent bool
}

// newHeader describes rec for session sid, at millisecond precision;
// times are truncated, so a sealed deadline is never later than asked.
func newHeader[V any](sid [sidLen]byte, rec sessions.Record[V], generation uint64) header {
	return header{
		sid:        sid,
		version:    rec.Version,
		created:    rec.CreatedAt.UnixMilli(),
		expires:    rec.ExpiresAt.UnixMilli(),
		generation: generation,
		owner:      rec.Owner,
		persistent: rec.Persistent,
	}
}

func (h *header) createdAt() time.Time { return time.UnixMilli(h.created).UTC() }
func (h *header) expiresAt() time.Time { return time.UnixMilli(h.expires).UTC() }

// appendTo appends the header's encoding to dst.
func (h *header) appendTo(dst []byte) []byte {
	var flags byte
	if h.persistent {
		flags |= flagPersistent
	}
	dst = append(dst, h.sid[:]...)
	dst = append(dst, flags)
	dst = binary.AppendUvarint(dst, h.version)
	dst = binary.AppendVarint(dst, h.created)
	dst = binary.AppendVarint(dst, h.expires-h.created)
	dst = binary.AppendUvarint(dst, h.generation)
	dst = binary.AppendUvarint(dst, uint64(len(h.owner)))
	return append(dst, h.owner...)
}

// maxHeaderLen bounds appendTo's output for an owner of n bytes.
func maxHeaderLen(n int) int { return sidLen + 1 + 5*binary.MaxVarintLen64 + n }

// errBadHeader reports authenticated bytes that are not a header this
// version writes. Only a holder of a key can produce them.
var errBadHeader = fmt.Errorf("%w: malformed sealed header", sessions.ErrTampered)

// parseHeader decodes a header and returns it with the payload after it.
// It accepts exactly what appendTo writes: minimal varints, known flags,
// an owner no longer than sessions.MaxOwnerLen.
func parseHeader(b []byte) (header, []byte, error) {
	var h header
	if len(b) < minHeaderLen || b[sidLen]&^flagPersistent != 0 {
		return h, nil, errBadHeader
	}
	copy(h.sid[:], b)
	h.persistent = b[sidLen]&flagPersistent != 0
	r := reader{b: b[sidLen+1:]}
	h.version = r.uvarint()
	h.created = r.varint()
	delta := r.varint()
	h.generation = r.uvarint()
	n := r.uvarint()
	if r.err || n > sessions.MaxOwnerLen || n > uint64(len(r.b)) {
		return h, nil, errBadHeader
	}
	if (delta > 0 && h.created > math.MaxInt64-delta) || (delta < 0 && h.created < math.MinInt64-delta) {
		return h, nil, errBadHeader
	}
	h.expires = h.created + delta
	h.owner = string(r.b[:n])
	return h, r.b[n:], nil
}

// reader reads minimal varints, remembering the first failure.
type reader struct {
	b   []byte
	err bool
}

func (r *reader) uvarint() uint64 {
	x, n := binary.Uvarint(r.b)
	// A final zero byte after the first means a longer spelling than
	// needed; appendTo never writes one.
	if n <= 0 || (n > 1 && r.b[n-1] == 0) {
		r.err = true
		return 0
	}
	r.b = r.b[n:]
	return x
}

func (r *reader) varint() int64 {
	ux := r.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

// validSyntax reports whether s could be a sealed token of at most maxLen
// characters: a length that base64 without padding can produce, within
// bounds, and only characters of the base64url alphabet. It allocates
// nothing; everything else about a token is checked after decoding, and a
// failure there is reported as tampering.
func validSyntax(s string, maxLen int) bool {
	if len(s) < minTokenLen || len(s) > maxLen || len(s)%4 == 1 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !inAlphabet(s[i]) {
			return false
		}
	}
	return true
}

// The base64url alphabet as a 128-bit set: bit c%64 of the word for c/64
// is set for every byte c in it. Below 64: '-' (45) and '0'-'9' (48-57).
// From 64: 'A'-'Z' (65-90), '_' (95) and 'a'-'z' (97-122).
const (
	alphabetBelow64 uint64 = 1<<45 | 0x3ff<<48
	alphabetFrom64  uint64 = 0x3ffffff<<1 | 1<<31 | 0x3ffffff<<33
)

// inAlphabet reports whether c is in the base64url alphabet. A bit test
// rather than a chain of range comparisons: tokens are checked on every
// request, hundreds of characters at a time, and the comparisons'
// branches mispredict on random text.
func inAlphabet(c byte) bool {
	word := alphabetBelow64
	if c >= 64 {
		word = alphabetFrom64
	}
	return c < 128 && word>>(c&63)&1 != 0
}

// decodeToken decodes a token whose syntax was checked. The strict
// decoder refuses stray bits in the last character, so each byte string
// has exactly one spelling.
func decodeToken(s string) ([]byte, error) {
	raw, err := tokenEncoding.DecodeString(s)
	if err != nil {
		return nil, errNotCanonical
	}
	return raw, nil
}

var errNotCanonical = fmt.Errorf("%w: not a canonical base64url token", sessions.ErrTampered)

// errExpired and errFuture report authenticated deadlines that rule the
// record out at now.
var (
	errExpired = fmt.Errorf("sealed: %w", sessions.ErrExpired)
	errFuture  = fmt.Errorf("%w: issued in the future", sessions.ErrTampered)
)
