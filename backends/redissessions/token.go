package redissessions

import (
	"crypto/sha256"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Node's token: 55 characters from its alphabet (which leaves out 'Z'),
// a 'Z', and the creation time in Unix milliseconds in lowercase base 36
// (8 digits from 1972 until 2059).
const (
	// TokenLen is the length of every token, Node's and this store's.
	TokenLen     = 64
	randomLen    = 55
	markerAt     = randomLen
	suffixLen    = TokenLen - randomLen - 1
	nodeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYabcdefghijklmnopqrstuvwxyz0123456789"
)

// mintToken returns a token in Node's shape whose random part comes from
// r (crypto/rand) and whose suffix is created. Node puts the time of
// minting there; this store puts the session's CreatedAt, which is the
// same instant except after a Renew, which keeps CreatedAt: that is how
// the creation time survives in a layout that has no field for it.
func mintToken(r io.Reader, created time.Time) (string, error) {
	suffix := strconv.FormatInt(created.UnixMilli(), 36)
	if len(suffix) != suffixLen || created.UnixMilli() < 0 {
		return "", fmt.Errorf("redissessions: creation time %v has no 8-digit base-36 form; Node's token shape covers 1972 to 2059", created)
	}
	var b [TokenLen]byte
	// Rejection sampling keeps the 61 characters equally likely: bytes
	// from 244 (4×61) up are drawn again.
	const limit = 256 - 256%len(nodeAlphabet)
	var buf [2 * randomLen]byte
	n := 0
	for n < randomLen {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return "", fmt.Errorf("redissessions: reading randomness: %w", err)
		}
		for _, c := range buf {
			if n == randomLen {
				break
			}
			if int(c) < limit {
				b[n] = nodeAlphabet[int(c)%len(nodeAlphabet)]
				n++
			}
		}
	}
	b[markerAt] = 'Z'
	copy(b[markerAt+1:], suffix)
	return string(b[:]), nil
}

// validToken reports whether token is 64 ASCII letters and digits (all
// Node checks) with 'Z' at position 55 and 8 lowercase base-36 digits
// after it (the shape Node mints, and the creation time this store
// needs). It does no I/O and allocates nothing.
func validToken(token string) bool {
	if len(token) != TokenLen || token[markerAt] != 'Z' {
		return false
	}
	for i := 0; i < markerAt; i++ {
		c := token[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	for i := markerAt + 1; i < TokenLen; i++ {
		c := token[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// createdAt returns the creation time a valid token carries.
func createdAt(token string) time.Time {
	ms, _ := strconv.ParseInt(token[markerAt+1:], 36, 64) // validToken checked the digits
	return time.UnixMilli(ms)
}

// Domain labels keep the hashes of one token for different uses apart.
const (
	idLabel     = "typedsession/sessions redis-sessions id v1\x00"
	secretLabel = "typedsession/sessions redis-sessions secret v1\x00"
)

// labelledHash returns SHA-256(label ‖ scope ‖ 0 ‖ token).
func labelledHash(label, scope, token string) [32]byte {
	var buf [256]byte
	b := append(append(append(append(buf[:0], label...), scope...), 0), token...)
	return sha256.Sum256(b)
}
