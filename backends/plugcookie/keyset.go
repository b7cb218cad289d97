package plugcookie

import (
	"crypto/cipher"
	"errors"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

// keyset is one Options with its keys derived, once: what reads and
// writes cookies.
type keyset struct {
	signKey    []byte
	encrypt    bool
	format     EncryptionFormat
	xcp        cipher.AEAD // nil if the encryption key is not 32 bytes
	v1         *v1Keys     // nil if the encryption key cannot wrap
	serializer Serializer
}

func newKeyset(o Options, writing bool) (*keyset, error) {
	if err := o.check(writing); err != nil {
		return nil, err
	}
	ks := &keyset{encrypt: o.EncryptionSalt != "", format: o.Encryption, serializer: o.Serializer}
	if ks.serializer == nil {
		ks.serializer = ETF()
	}
	var err error
	if ks.signKey, err = DeriveKey(o.SecretKeyBase, o.SigningSalt, o.iterations(), o.keyLength(), o.KeyDigest); err != nil {
		return nil, err
	}
	if !ks.encrypt {
		return ks, nil
	}
	encKey, err := DeriveKey(o.SecretKeyBase, o.EncryptionSalt, o.iterations(), o.keyLength(), o.KeyDigest)
	if err != nil {
		return nil, err
	}
	if len(encKey) == chacha20poly1305.KeySize {
		ks.xcp, _ = chacha20poly1305.NewX(encKey) // a 32-byte key never fails
	}
	ks.v1, _ = newV1Keys(encKey, ks.signKey) // nil for a key AES cannot take
	if writing && ks.format == AES128GCM && ks.v1 == nil {
		return nil, errors.New("plugcookie: key_length must be 16, 24 or at least 32 to write plug_crypto 1.x cookies")
	}
	return ks, nil
}

// seal signs or encrypts payload, as Plug's cookie store puts a session.
func (ks *keyset) seal(payload []byte) string {
	switch {
	case !ks.encrypt:
		return sign(ks.signKey, payload)
	case ks.format == AES128GCM:
		return ks.v1.seal(payload, []byte(cookieAAD))
	}
	return sealXCP(ks.xcp, payload, []byte(cookieAAD))
}

// open verifies or decrypts token, as Plug's cookie store gets a session:
// an encrypting store reads only encrypted cookies, a signing one only
// signed cookies.
func (ks *keyset) open(token string) ([]byte, error) {
	switch {
	case !ks.encrypt:
		return verify(ks.signKey, token)
	case strings.HasPrefix(token, xcpPrefix) && ks.xcp != nil:
		return openXCP(ks.xcp, token, []byte(cookieAAD))
	case strings.HasPrefix(token, a128Prefix) && ks.v1 != nil:
		return ks.v1.open(token, []byte(cookieAAD))
	}
	return nil, errDecrypt
}
