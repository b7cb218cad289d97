package plugcookie_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/typedsession/sessions/backends/plugcookie"
)

// Cookies written by the real Plug 1.20-dev and plug_crypto 2.1.1 (and
// 1.2.5) on OTP 25. Each must open through the store, as the Go side of
// an app sharing the cookie.
const (
	plugSignedFooBar = "SFMyNTY.g3QAAAABbQAAAANmb29tAAAAA2Jhcg.qE9QGvTlm3Z51Q8gYQFJdWV6fYMMzj9-O3xwWadrvO0"
	plugXCPFooBar    = "XCP.xjj-XsLircdP-8e7Gxdhe2zstQ3_o9RHTAm_ZFFIQ33uNHkgoCu8nCMaWaeafSsXWpO6AKpFR4gNmbEttvs"
	plugV1FooBar     = "QTEyOEdDTQ.D1Iutj_yNmERQMpnvabqCQ-RWbslpFDHlfBMpVsaHYg1jlXp2nL2JRdQxLk.O4Dv4C6615GpsXUa.8kurp-z0PuHzec71k9EFdQSBOgOOhQ.gWKwkjSezO1RZuQjjBtCdQ"
	goXCPFooBar      = "XCP.rxGlaXekRORo57H4JRIUrktePMDZ3X1uW2ba2iXNbdu6zAoIeC6sArS-PIbe2Pk6wp7eq2QRRwWqu6nxn2U"
	phoenixLike      = "SFMyNTY.g3QAAAAEbQAAAAtfY3NyZl90b2tlbm0AAAAYdk85d0NndXNCUGRmRHZaRUdneldOR2txbQAAAANiaWdiAAABLG0AAAABbmEqbQAAAAp1c2VyX3Rva2VubQAAACCrq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urqw.-Ji0eDFXA6JjsN7FjQuWEFiJoeLkuUgUr1IUYSClXqE"
)

func TestCookiesPlugWroteOpen(t *testing.T) {
	tests := []struct {
		name  string
		opts  plugcookie.Options
		token string
	}{
		{"signed", signedOptions(), plugSignedFooBar},
		{"encrypted, plug_crypto 2", encryptedOptions(), plugXCPFooBar},
		{"encrypted, plug_crypto 1", encryptedOptions(), plugV1FooBar},
		{"encrypted by an earlier Go version, read by Plug", encryptedOptions(), goXCPFooBar},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture[plugcookie.Map](t, tt.opts)
			s := f.load(tt.token)
			if want := (plugcookie.Map{"foo": "bar"}); !reflect.DeepEqual(s.Value(), want) {
				t.Fatalf("value %#v, want %#v", s.Value(), want)
			}
			if s.Modified() {
				t.Fatal("reading a cookie marked the session modified")
			}
		})
	}
}

func TestAPhoenixLoginMapsToATypedValue(t *testing.T) {
	o := signedOptions()
	o.SigningSalt = "QI9bW8Qe"
	f := newFixture[phoenixSession](t, o)
	got := f.load(phoenixLike).Value()
	want := phoenixSession{
		UserToken: bytes.Repeat([]byte{0xab}, 32),
		CSRFToken: "vO9wCgusBPdfDvZEGgzWNGkq",
		Extra:     plugcookie.Extra{"n": int64(42), "big": int64(300)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("value %#v\nwant  %#v", got, want)
	}
}

// The payload of a cookie written here, when the session holds what the
// Phoenix-like vector holds, is that vector's payload plus MetaKey: the
// same term_to_binary bytes for every key Phoenix reads.
func TestAGoWrittenCookieCarriesWhatPhoenixWrote(t *testing.T) {
	o := signedOptions()
	o.SigningSalt = "QI9bW8Qe"
	f := newFixture[phoenixSession](t, o)
	s, err := f.m.Generate(t.Context(), phoenixSession{
		UserToken: bytes.Repeat([]byte{0xab}, 32),
		CSRFToken: "vO9wCgusBPdfDvZEGgzWNGkq",
		Extra:     plugcookie.Extra{"n": int64(42), "big": int64(300)},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := payload(t, s.Token())
	if _, ok := got[plugcookie.MetaKey]; !ok {
		t.Fatalf("no %s in %v", plugcookie.MetaKey, got)
	}
	delete(got, plugcookie.MetaKey)
	if want := payload(t, phoenixLike); !reflect.DeepEqual(got, want) {
		t.Fatalf("payload %#v\nwant    %#v", got, want)
	}
	if !strings.HasPrefix(s.Token(), "SFMyNTY.") {
		t.Fatalf("not HS256: %s", s.Token())
	}
}
