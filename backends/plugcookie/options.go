package plugcookie

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
)

// Options is one complete set of Plug cookie-store options, the fields of
// `@session_options` in a Phoenix endpoint (plus its secret_key_base):
//
//	@session_options [
//	  store: :cookie,
//	  key: "_my_app_key",            # the cookie name: New's first argument
//	  signing_salt: "8chars..",      # SigningSalt
//	  encryption_salt: "8chars..",   # EncryptionSalt (absent: signed only)
//	  same_site: "Lax"               # sessions.Cookie.SameSite
//	]
//
// The zero values of the KDF fields are Plug's defaults.
type Options struct {
	// SecretKeyBase is the endpoint's secret_key_base. Plug refuses one
	// shorter than 64 bytes, and so does New.
	SecretKeyBase string
	// SigningSalt is the store's signing_salt; it is required, as in Plug.
	SigningSalt string
	// EncryptionSalt is the store's encryption_salt. Empty means signed
	// cookies (readable by the client, tamper-proof); set, encrypted ones.
	EncryptionSalt string
	// KeyIterations, KeyLength and KeyDigest are key_iterations (default
	// 1000), key_length (default 32) and key_digest (default SHA256).
	// Encryption needs a 32-byte key, as plug_crypto 2 does.
	KeyIterations int
	KeyLength     int
	KeyDigest     Digest
	// Encryption is the encrypted format written (both are read). The
	// default is plug_crypto 2's XCP format; choose [AES128GCM] only for
	// a Phoenix app pinned to plug_crypto 1.x, which cannot read XCP.
	Encryption EncryptionFormat
	// Serializer turns the session map into bytes; nil means [ETF], the
	// default of Plug (:external_term_format). [JSON] matches
	// `serializer: Jason`.
	Serializer Serializer
}

// Digest names the HMAC hash of Plug's key derivation (key_digest).
type Digest string

// The digests Plug accepts for key_digest.
const (
	SHA    Digest = "sha"
	SHA224 Digest = "sha224"
	SHA256 Digest = "sha256"
	SHA384 Digest = "sha384"
	SHA512 Digest = "sha512"
)

// EncryptionFormat is the format of encrypted cookies a Store writes.
type EncryptionFormat int

const (
	// XChaCha20Poly1305 is plug_crypto 2.x's format, "XCP." then the
	// nonce, tag and ciphertext. The default.
	XChaCha20Poly1305 EncryptionFormat = iota
	// AES128GCM is plug_crypto 1.x's format, "QTEyOEdDTQ." then a
	// wrapped content key, IV, ciphertext and tag.
	AES128GCM
)

// Plug's defaults and bounds.
const (
	// MinSecretKeyBase is the shortest secret_key_base Plug's cookie
	// store accepts.
	MinSecretKeyBase    = 64
	defaultIterations   = 1000
	defaultKeyLength    = 32
	maxKeyLength        = 1024
	maxIterations       = 1 << 24
	encryptionKeyLength = 32
)

func (d Digest) hash() (func() hash.Hash, error) {
	switch d {
	case SHA:
		return sha1.New, nil
	case SHA224:
		return sha256.New224, nil
	case "", SHA256:
		return sha256.New, nil
	case SHA384:
		return sha512.New384, nil
	case SHA512:
		return sha512.New, nil
	}
	return nil, fmt.Errorf("plugcookie: unknown key digest %q", string(d))
}

// check validates o as Plug's cookie store does at init; writing says
// whether o is the set cookies are written with.
func (o Options) check(writing bool) error {
	var errs []error
	if len(o.SecretKeyBase) < MinSecretKeyBase {
		errs = append(errs, fmt.Errorf("plugcookie: secret_key_base is %d bytes, Plug requires at least %d", len(o.SecretKeyBase), MinSecretKeyBase))
	}
	if o.SigningSalt == "" {
		errs = append(errs, errors.New("plugcookie: signing_salt is required"))
	}
	if o.KeyIterations < 0 || o.KeyIterations > maxIterations {
		errs = append(errs, fmt.Errorf("plugcookie: key_iterations %d is outside [1, %d]", o.KeyIterations, maxIterations))
	}
	if o.KeyLength < 0 || o.KeyLength > maxKeyLength {
		errs = append(errs, fmt.Errorf("plugcookie: key_length %d is outside [1, %d]", o.KeyLength, maxKeyLength))
	}
	if _, err := o.KeyDigest.hash(); err != nil {
		errs = append(errs, err)
	}
	if o.Encryption != XChaCha20Poly1305 && o.Encryption != AES128GCM {
		errs = append(errs, fmt.Errorf("plugcookie: unknown encryption format %d", o.Encryption))
	}
	if writing && o.EncryptionSalt != "" && o.Encryption == XChaCha20Poly1305 && o.keyLength() != encryptionKeyLength {
		errs = append(errs, fmt.Errorf("plugcookie: encrypting needs key_length %d, got %d (plug_crypto 2 refuses it too)", encryptionKeyLength, o.keyLength()))
	}
	return errors.Join(errs...)
}

func (o Options) iterations() int {
	if o.KeyIterations == 0 {
		return defaultIterations
	}
	return o.KeyIterations
}

func (o Options) keyLength() int {
	if o.KeyLength == 0 {
		return defaultKeyLength
	}
	return o.KeyLength
}
