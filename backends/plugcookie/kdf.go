package plugcookie

import (
	"crypto/pbkdf2"
	"fmt"
)

// DeriveKey is Plug.Crypto.KeyGenerator.generate/3: PBKDF2 with HMAC of
// digest over secret and salt. Zero iterations, length and digest take
// Plug's defaults (1000, 32, SHA256). A Store derives its keys once, in
// New; DeriveKey is exported for tools and tests.
func DeriveKey(secret, salt string, iterations, length int, digest Digest) ([]byte, error) {
	h, err := digest.hash()
	if err != nil {
		return nil, err
	}
	if iterations == 0 {
		iterations = defaultIterations
	}
	if length == 0 {
		length = defaultKeyLength
	}
	if iterations < 1 || iterations > maxIterations || length < 1 || length > maxKeyLength {
		return nil, fmt.Errorf("plugcookie: iterations %d or length %d out of range", iterations, length)
	}
	return pbkdf2.Key(h, secret, []byte(salt), iterations, length)
}
