package plugcookie

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"hash"
	"strings"
)

// b64 is Plug's cookie encoding: base64url without padding, strict, so
// every byte string has one spelling.
var b64 = base64.RawURLEncoding.Strict()

// The protected headers of Plug.Crypto.MessageVerifier: base64url of
// "HS256", "HS384" and "HS512". Plug's cookie store signs with HS256.
const (
	hs256 = "SFMyNTY"
	hs384 = "SFMzODQ"
	hs512 = "SFM1MTI"
)

var errSignature = errors.New("plugcookie: bad signature")

// sign is MessageVerifier.sign(payload, key) with HS256:
// protected "." b64(payload) "." b64(HMAC(key, protected "." b64(payload))).
func sign(key, payload []byte) string {
	var sb strings.Builder
	sb.Grow(len(hs256) + 2 + b64.EncodedLen(len(payload)) + b64.EncodedLen(sha256.Size))
	sb.WriteString(hs256)
	sb.WriteByte('.')
	sb.WriteString(b64.EncodeToString(payload))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(sb.String()))
	sb.WriteByte('.')
	sb.WriteString(b64.EncodeToString(mac.Sum(nil)))
	return sb.String()
}

// verify is MessageVerifier.verify(token, key): it returns the payload if
// the signature, recomputed over the token's first two parts as received,
// matches in constant time. The protected header selects the digest.
func verify(key []byte, token string) ([]byte, error) {
	protected, rest, ok := strings.Cut(token, ".")
	if !ok {
		return nil, errSignature
	}
	payloadB64, sigB64, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(sigB64, ".") {
		return nil, errSignature
	}
	var h func() hash.Hash
	switch protected {
	case hs256:
		h = sha256.New
	case hs384:
		h = sha512.New384
	case hs512:
		h = sha512.New
	default:
		return nil, errSignature
	}
	sig, err := b64.DecodeString(sigB64)
	if err != nil {
		return nil, errSignature
	}
	mac := hmac.New(h, key)
	mac.Write([]byte(token[:len(protected)+1+len(payloadB64)]))
	if !hmac.Equal(mac.Sum(nil), sig) {
		return nil, errSignature
	}
	payload, err := b64.DecodeString(payloadB64)
	if err != nil {
		return nil, errSignature
	}
	return payload, nil
}
