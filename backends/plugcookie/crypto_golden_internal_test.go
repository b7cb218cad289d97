package plugcookie

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// The vectors in this file come from Plug's and plug_crypto's own test
// suites and from runs of Plug 1.20-dev with plug_crypto 2.1.1 on OTP 25.

// testSKB is the secret_key_base of Plug's cookie-store tests.
var testSKB = strings.Repeat("abcdef0123456789", 8)

// etfFooBar is term_to_binary(%{"foo" => "bar"}).
var etfFooBar = mustHex("8374000000016d00000003666f6f6d00000003626172")

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestDeriveKeyMatchesPlugCryptoKeyGenerator(t *testing.T) {
	tests := []struct {
		secret, salt string
		iterations   int
		length       int
		digest       Digest
		want         string
	}{
		{"password", "salt", 1, 20, SHA, "0c60c80f961f0e71f3a9b524af6012062fe037a6"},
		{"password", "salt", 2, 20, SHA, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"},
		{"password", "salt", 4096, 20, SHA, "4b007901b765489abead49d926f721d065a429c1"},
		{"passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25, SHA, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"},
		{"pass\x00word", "sa\x00lt", 4096, 16, SHA, "56fa6aa75548099dcc37d7f03425e0c3"},
		{"password", "salt", 0, 0, SHA, "6e88be8bad7eae9d9e10aa061224034fed48d03fcbad968b56006784539d5214"},
		{"password", "salt", 0, 0, "", "632c2812e46d4604102ba7618e9d6d7d2f8128f6266b4a03264d2a0460b7dcb3"},
		{"password", "salt", 1000, 64, SHA, "6e88be8bad7eae9d9e10aa061224034fed48d03fcbad968b56006784539d5214ce970d912ec2049b04231d47c2eb88506945b26b2325e6adfeeba08895ff9587"},
		{"password", "salt", 1, 16, SHA224, "3c198cbdb9464b7857966bd05b7bc92b"},
		{"password", "salt", 1, 16, SHA256, "120fb6cffcf8b32c43e7225256c4f837"},
		{"password", "salt", 1, 16, SHA384, "c0e14f06e49e32d73f9f52ddf1d0c5c7"},
		{"password", "salt", 1, 16, SHA512, "867f70cf1ade02cff3752599a3a53dc4"},
		{testSKB, "signing salt", 0, 0, "", "b9b9b4147dbfa45932fb115b7e55c2b054d36951f0bf56e9c52b2cfab4822047"},
		{testSKB, "encrypted cookie salt", 0, 0, "", "8638153fcd1a9a828c7bef4f31deb03ff6854796ed261825e57566c082740a03"},
		{testSKB, "QI9bW8Qe", 0, 0, "", "38311d53536cf017f6665ecff80be42f660c02b727403c33f462edfec5498e74"},
	}
	for _, tt := range tests {
		got, err := DeriveKey(tt.secret, tt.salt, tt.iterations, tt.length, tt.digest)
		if err != nil || hex.EncodeToString(got) != tt.want {
			t.Errorf("DeriveKey(%q, %q, %d, %d, %q) = %x, %v; want %s", tt.secret, tt.salt, tt.iterations, tt.length, tt.digest, got, err, tt.want)
		}
	}
}

func TestSignMatchesMessageVerifierByteForByte(t *testing.T) {
	tests := []struct {
		name    string
		key     []byte
		payload []byte
		want    string
	}{
		{"MessageVerifier.sign(\"hello world\", \"secret\")", []byte("secret"), []byte("hello world"),
			"SFMyNTY.aGVsbG8gd29ybGQ.k_zLAG_uMdIoLoQlm7legV0eIm0J2LmyIU4MH-J6at4"},
		{"cookie store, %{\"foo\" => \"bar\"}", mustHex("b9b9b4147dbfa45932fb115b7e55c2b054d36951f0bf56e9c52b2cfab4822047"), etfFooBar,
			"SFMyNTY.g3QAAAABbQAAAANmb29tAAAAA2Jhcg.qE9QGvTlm3Z51Q8gYQFJdWV6fYMMzj9-O3xwWadrvO0"},
		{"cookie store, a Phoenix-like session", mustKey(t, "QI9bW8Qe"), phoenixLikeETF(t),
			"SFMyNTY.g3QAAAAEbQAAAAtfY3NyZl90b2tlbm0AAAAYdk85d0NndXNCUGRmRHZaRUdneldOR2txbQAAAANiaWdiAAABLG0AAAABbmEqbQAAAAp1c2VyX3Rva2VubQAAACCrq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urqw.-Ji0eDFXA6JjsN7FjQuWEFiJoeLkuUgUr1IUYSClXqE"},
		{"Plug.Crypto.sign of a remember-me cookie", mustKey(t, "remember_me_cookie"), mustHex("8368036d00000001766e06000068e5cf8b016200015180"),
			"SFMyNTY.g2gDbQAAAAF2bgYAAGjlz4sBYgABUYA.egy-_fq7I534yfjtEkJlDuv3u8RLUh5t7YuNLoiLYUI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sign(tt.key, tt.payload); got != tt.want {
				t.Fatalf("sign = %s\nwant   %s", got, tt.want)
			}
			got, err := verify(tt.key, tt.want)
			if err != nil || !bytes.Equal(got, tt.payload) {
				t.Fatalf("verify = %x, %v", got, err)
			}
		})
	}
}

// phoenixLikeETF is the session of the Phoenix-like vector, encoded here.
func phoenixLikeETF(t *testing.T) []byte {
	t.Helper()
	b, err := ETF().Encode(map[string]any{
		"_csrf_token": "vO9wCgusBPdfDvZEGgzWNGkq", "user_token": bytes.Repeat([]byte{0xab}, 32), "n": 42, "big": 300,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustKey(t *testing.T, salt string) []byte {
	t.Helper()
	k, err := DeriveKey(testSKB, salt, 0, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestVerifyTakesTheDigestFromTheHeaderAndRefusesASwappedOne(t *testing.T) {
	key := []byte("secret")
	for _, h := range []string{hs256, hs384, hs512} {
		if len(h) != 7 {
			t.Fatal(h)
		}
	}
	// HS384 and HS512 tokens are built as MessageVerifier builds them.
	for _, tc := range []struct {
		header  string
		sigLen  int
		swapped []string
	}{
		{hs256, 43, []string{hs384, hs512}},
		{hs384, 64, []string{hs256, hs512}},
		{hs512, 86, []string{hs256, hs384}},
	} {
		token := signWith(tc.header, key, []byte("hello world"))
		parts := strings.Split(token, ".")
		if len(parts) != 3 || len(parts[2]) != tc.sigLen {
			t.Fatalf("%s: signature of %d chars, want %d", tc.header, len(parts[2]), tc.sigLen)
		}
		if got, err := verify(key, token); err != nil || string(got) != "hello world" {
			t.Fatalf("%s: verify = %q, %v", tc.header, got, err)
		}
		for _, other := range tc.swapped {
			if _, err := verify(key, other+token[len(tc.header):]); err == nil {
				t.Errorf("%s signature accepted under %s", tc.header, other)
			}
		}
	}
}

func TestPlugCrypto1MessageStillDecrypts(t *testing.T) {
	const old = "QTEyOEdDTQ.L85cCXPvSqswNJoxmP5QTopFY83qCPj9czxkwct8b0HDHdC8Qwruhkq3SWw.mmqfbc2dfaMMi6Xi.n1qvYhAUYI0r7-QB6Vw.0jV2tT3U-AQMAQSch2rNsw"
	right := []byte(strings.Repeat("abcdefgh", 4))
	wrong := []byte(strings.Repeat("12345678", 4))
	open := func(secret, signSecret []byte, aad string) ([]byte, error) {
		k, err := newV1Keys(secret, signSecret)
		if err != nil {
			t.Fatal(err)
		}
		return k.open(old, []byte(aad))
	}
	got, err := open(right, right, "right aad")
	if err != nil || string(got) != "\x00hełłoworld\x00" {
		t.Fatalf("decrypt = %q, %v", got, err)
	}
	for name, args := range map[string][3]any{
		"wrong aad":         {right, right, "wrong aad"},
		"wrong secret":      {wrong, right, "right aad"},
		"wrong sign secret": {right, wrong, "right aad"},
	} {
		if _, err := open(args[0].([]byte), args[1].([]byte), args[2].(string)); err == nil {
			t.Errorf("%s: decrypted", name)
		}
	}
}

func TestEncryptedCookieVectorsDecrypt(t *testing.T) {
	ks, err := newKeyset(Options{SecretKeyBase: testSKB, SigningSalt: "signing salt", EncryptionSalt: "encrypted cookie salt"}, true)
	if err != nil {
		t.Fatal(err)
	}
	for name, token := range map[string]string{
		"plug_crypto 2 COOKIE.put": "XCP.xjj-XsLircdP-8e7Gxdhe2zstQ3_o9RHTAm_ZFFIQ33uNHkgoCu8nCMaWaeafSsXWpO6AKpFR4gNmbEttvs",
		"plug_crypto 1.2.5":        "QTEyOEdDTQ.D1Iutj_yNmERQMpnvabqCQ-RWbslpFDHlfBMpVsaHYg1jlXp2nL2JRdQxLk.O4Dv4C6615GpsXUa.8kurp-z0PuHzec71k9EFdQSBOgOOhQ.gWKwkjSezO1RZuQjjBtCdQ",
		"Go-written, read by Plug": "XCP.rxGlaXekRORo57H4JRIUrktePMDZ3X1uW2ba2iXNbdu6zAoIeC6sArS-PIbe2Pk6wp7eq2QRRwWqu6nxn2U",
		"this package's own XCP":   ks.seal(etfFooBar),
	} {
		got, err := ks.open(token)
		if err != nil || !bytes.Equal(got, etfFooBar) {
			t.Errorf("%s: open = %x, %v; want %x", name, got, err, etfFooBar)
		}
	}
	v1, err := newKeyset(Options{SecretKeyBase: testSKB, SigningSalt: "signing salt", EncryptionSalt: "encrypted cookie salt", Encryption: AES128GCM}, true)
	if err != nil {
		t.Fatal(err)
	}
	token := v1.seal(etfFooBar)
	if !strings.HasPrefix(token, a128Prefix) {
		t.Fatalf("pinned to plug_crypto 1.x, wrote %s", token)
	}
	if got, err := ks.open(token); err != nil || !bytes.Equal(got, etfFooBar) {
		t.Fatalf("a plug_crypto 1.x cookie written here: open = %x, %v", got, err)
	}
}
