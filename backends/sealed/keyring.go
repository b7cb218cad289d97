package sealed

import (
	"bytes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// MinSecretLen is the shortest master secret NewKeyRing accepts.
const MinSecretLen = 32

// keyIDLen is the length of a key's ID in a sealed token.
const keyIDLen = 4

// Derivation labels: the HKDF salt names this format, the info strings
// name what each derived value is for, so no two uses share bytes.
const (
	hkdfSalt    = "typedsession/sessions sealed v1"
	infoAEAD    = "aead key"
	infoKeyID   = "key id"
	minDistinct = 8 // distinct byte values a master secret must hold
)

// KeyRing holds the keys of a sealed store: one key seals, every key
// opens. The keys are derived from master secrets once, when the ring is
// built; the secrets themselves are not kept. A KeyRing is immutable and
// safe for concurrent use; one ring may serve several stores.
//
// Each key has a 4-byte ID derived from its secret (an HKDF output, so it
// reveals nothing about the secret) that a sealed token carries in the
// clear, so opening tries exactly one key. IDs need no numbering by the
// operator; two secrets of one ring whose IDs collide are refused.
//
// # Rotation
//
// To replace the sealing key without ending anyone's session:
//
//  1. Generate a new secret of at least 32 random bytes (for example
//     `openssl rand -base64 32`).
//  2. Deploy it as an opening key on every server:
//     NewKeyRing(current, newSecret). Nothing is sealed with it yet, so
//     servers that do not have it yet see no cookie they cannot open.
//  3. Once every server has it, promote it: NewKeyRing(newSecret, current).
//     Cookies sealed with the old key still open, and each is sealed again
//     with the new key on its session's next write (never on a read).
//  4. When the Manager's lifetime has passed since step 3, remove the old
//     key: NewKeyRing(newSecret). Cookies still sealed with it (sessions
//     not written since) are then absent.
//
// A single server may do steps 2 and 3 at once. If a secret leaked, remove
// it at once instead: every session sealed with it ends.
type KeyRing struct {
	keys []ringKey // keys[0] seals
}

// ringKey is one derived key.
type ringKey struct {
	id   [keyIDLen]byte
	aead cipher.AEAD // XChaCha20-Poly1305; safe for concurrent use
}

// Constructor errors; NewKeyRing wraps them with the offending position.
var (
	ErrWeakSecret = errors.New("sealed: weak master secret")
	errNoSecret   = errors.New("sealed: a key ring needs a sealing secret")
)

// NewKeyRing derives a key ring from master secrets: sealing seals and
// opens, each of opening only opens. Every secret must be at least
// [MinSecretLen] bytes and must not look like a placeholder: all one byte,
// a short pattern repeated, or fewer than 8 distinct byte values are
// refused with an error wrapping [ErrWeakSecret]. Duplicate secrets are
// refused too. See [KeyRing] for the rotation procedure.
func NewKeyRing(sealing []byte, opening ...[]byte) (*KeyRing, error) {
	if sealing == nil {
		return nil, errNoSecret
	}
	secrets := append([][]byte{sealing}, opening...)
	ring := &KeyRing{keys: make([]ringKey, 0, len(secrets))}
	for i, secret := range secrets {
		if err := checkSecret(secret); err != nil {
			return nil, fmt.Errorf("%w (secret %d of %d)", err, i+1, len(secrets))
		}
		k, err := deriveKey(secret)
		if err != nil {
			return nil, err
		}
		for j, other := range ring.keys {
			if other.id == k.id {
				return nil, fmt.Errorf("sealed: secrets %d and %d are the same or their key IDs collide", j+1, i+1)
			}
		}
		ring.keys = append(ring.keys, k)
	}
	return ring, nil
}

// checkSecret refuses secrets that are short or obviously not random.
// It cannot measure entropy; it catches the mistakes that happen: an
// unset variable read as zeros, a placeholder such as "xxxx…", a short
// string repeated to reach the length.
func checkSecret(secret []byte) error {
	if len(secret) < MinSecretLen {
		return fmt.Errorf("%w: %d bytes, need at least %d", ErrWeakSecret, len(secret), MinSecretLen)
	}
	for period := 1; period <= len(secret)/2; period++ {
		if bytes.Equal(secret[period:], secret[:len(secret)-period]) {
			return fmt.Errorf("%w: a %d-byte pattern repeated", ErrWeakSecret, period)
		}
	}
	var seen [256]bool
	distinct := 0
	for _, b := range secret {
		if !seen[b] {
			seen[b] = true
			distinct++
		}
	}
	if distinct < minDistinct {
		return fmt.Errorf("%w: only %d distinct byte values", ErrWeakSecret, distinct)
	}
	return nil
}

// deriveKey derives the AEAD key and the key ID of one master secret.
func deriveKey(secret []byte) (ringKey, error) {
	key, err := hkdf.Key(sha256.New, secret, []byte(hkdfSalt), infoAEAD, chacha20poly1305.KeySize)
	if err != nil {
		return ringKey{}, fmt.Errorf("sealed: deriving a key: %w", err)
	}
	id, err := hkdf.Key(sha256.New, secret, []byte(hkdfSalt), infoKeyID, keyIDLen)
	if err != nil {
		return ringKey{}, fmt.Errorf("sealed: deriving a key ID: %w", err)
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return ringKey{}, fmt.Errorf("sealed: %w", err)
	}
	k := ringKey{aead: aead}
	copy(k.id[:], id)
	return k, nil
}

// Len returns the number of keys in the ring, the sealing key included.
func (r *KeyRing) Len() int { return len(r.keys) }
