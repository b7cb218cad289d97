package plugcookie_test

import (
	"strings"

	"github.com/typedsession/sessions/backends/plugcookie"
)

// The settings of Plug's own cookie-store tests.
var testSKB = strings.Repeat("abcdef0123456789", 8)

const cookieName = "_my_app_key"

func signedOptions() plugcookie.Options {
	return plugcookie.Options{SecretKeyBase: testSKB, SigningSalt: "signing salt"}
}

func encryptedOptions() plugcookie.Options {
	o := signedOptions()
	o.EncryptionSalt = "encrypted cookie salt"
	return o
}
