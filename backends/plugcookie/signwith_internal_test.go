package plugcookie

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

// signWith signs as MessageVerifier.sign does with any of its digests.
func signWith(header string, key, payload []byte) string {
	h := map[string]func() hash.Hash{hs256: sha256.New, hs384: sha512.New384, hs512: sha512.New}[header]
	signed := header + "." + b64.EncodeToString(payload)
	mac := hmac.New(h, key)
	mac.Write([]byte(signed))
	return signed + "." + b64.EncodeToString(mac.Sum(nil))
}
