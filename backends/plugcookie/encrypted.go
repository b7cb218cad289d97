package plugcookie

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

// The prefixes of the two encrypted formats, and the associated data
// Plug's cookie store encrypts under (MessageEncryptor's default, kept
// "for backwards compatibility").
const (
	xcpPrefix  = "XCP."
	a128Prefix = "QTEyOEdDTQ." // base64url of "A128GCM"
	cookieAAD  = "A128GCM"
)

// Sizes of the formats' parts.
const (
	xcpNonceLen = chacha20poly1305.NonceSizeX
	tagLen      = 16
	gcmIVLen    = 12
	cekLen      = 16
)

var errDecrypt = errors.New("plugcookie: does not decrypt")

// sealXCP is plug_crypto 2's MessageEncryptor.encrypt: "XCP." then
// base64url of nonce (24) ‖ tag (16) ‖ ciphertext. Go's AEAD puts the tag
// after the ciphertext; Plug puts it first.
func sealXCP(aead cipher.AEAD, plaintext, aad []byte) string {
	raw := make([]byte, xcpNonceLen+tagLen+len(plaintext))
	nonce := raw[:xcpNonceLen]
	_, _ = rand.Read(nonce) // never fails: crypto/rand aborts the process instead
	sealed := aead.Seal(nil, nonce, plaintext, aad)
	ct, tag := sealed[:len(plaintext)], sealed[len(plaintext):]
	copy(raw[xcpNonceLen:], tag)
	copy(raw[xcpNonceLen+tagLen:], ct)
	return xcpPrefix + b64.EncodeToString(raw)
}

// openXCP reverses sealXCP; token starts with "XCP.".
func openXCP(aead cipher.AEAD, token string, aad []byte) ([]byte, error) {
	raw, err := b64.DecodeString(strings.TrimPrefix(token, xcpPrefix))
	if err != nil || len(raw) < xcpNonceLen+tagLen {
		return nil, errDecrypt
	}
	nonce, tag, ct := raw[:xcpNonceLen], raw[xcpNonceLen:xcpNonceLen+tagLen], raw[xcpNonceLen+tagLen:]
	sealed := make([]byte, 0, len(ct)+tagLen)
	sealed = append(append(sealed, ct...), tag...)
	plain, err := aead.Open(sealed[:0], nonce, sealed, aad)
	if err != nil {
		return nil, errDecrypt
	}
	return plain, nil
}

// v1Keys are plug_crypto 1's encryption keys: the key-wrapping cipher
// (AES-GCM under the encryption key, truncated to 32 bytes as 1.x did)
// and the signing key, which is the wrap's associated data.
type v1Keys struct {
	wrap    cipher.AEAD
	signKey []byte
}

func newV1Keys(encKey, signKey []byte) (*v1Keys, error) {
	if len(encKey) > 32 {
		encKey = encKey[:32]
	}
	wrap, err := newGCM(encKey)
	if err != nil {
		return nil, err
	}
	return &v1Keys{wrap: wrap, signKey: signKey}, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal is plug_crypto 1's MessageEncryptor.encrypt: a fresh 16-byte
// content key encrypts the message with AES-128-GCM, and is itself wrapped
// with AES-GCM under the encryption key, the signing key as associated
// data. The token is
//
//	"QTEyOEdDTQ." b64(ct_k ‖ tag_k ‖ iv_k) "." b64(iv) "." b64(ct) "." b64(tag)
func (k *v1Keys) seal(plaintext, aad []byte) string {
	var cek [cekLen]byte
	var iv, ivK [gcmIVLen]byte
	_, _ = rand.Read(cek[:]) // never fails: crypto/rand aborts the process instead
	_, _ = rand.Read(iv[:])
	_, _ = rand.Read(ivK[:])
	content, _ := newGCM(cek[:]) // a 16-byte key never fails
	sealed := content.Seal(nil, iv[:], plaintext, aad)
	ct, tag := sealed[:len(plaintext)], sealed[len(plaintext):]
	wrapped := k.wrap.Seal(nil, ivK[:], cek[:], k.signKey) // ct_k ‖ tag_k
	wrapped = append(wrapped, ivK[:]...)
	return a128Prefix + b64.EncodeToString(wrapped) + "." + b64.EncodeToString(iv[:]) + "." +
		b64.EncodeToString(ct) + "." + b64.EncodeToString(tag)
}

// open reverses seal. It checks, as plug_crypto does, a 96-bit IV, a
// 128-bit tag and an unwrapped content key of 128, 192 or 256 bits.
func (k *v1Keys) open(token string, aad []byte) ([]byte, error) {
	parts := strings.Split(strings.TrimPrefix(token, a128Prefix), ".")
	if len(parts) != 4 {
		return nil, errDecrypt
	}
	var raw [4][]byte
	for i, p := range parts {
		b, err := b64.DecodeString(p)
		if err != nil {
			return nil, errDecrypt
		}
		raw[i] = b
	}
	wrapped, iv, ct, tag := raw[0], raw[1], raw[2], raw[3]
	if len(iv) != gcmIVLen || len(tag) != tagLen || len(wrapped) < tagLen+gcmIVLen {
		return nil, errDecrypt
	}
	ivK := wrapped[len(wrapped)-gcmIVLen:]
	cek, err := k.wrap.Open(nil, ivK, wrapped[:len(wrapped)-gcmIVLen], k.signKey)
	if err != nil {
		return nil, errDecrypt
	}
	content, err := newGCM(cek) // refuses keys other than 16, 24, 32 bytes
	if err != nil {
		return nil, errDecrypt
	}
	sealed := append(append(make([]byte, 0, len(ct)+tagLen), ct...), tag...)
	plain, err := content.Open(sealed[:0], iv, sealed, aad)
	if err != nil {
		return nil, errDecrypt
	}
	return plain, nil
}
