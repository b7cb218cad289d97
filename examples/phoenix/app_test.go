package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/typedsession/sessions/backends/plugcookie"
	"github.com/typedsession/sessions/backends/plugcookie/etf"
)

// The settings of a Phoenix app: its secret_key_base and @session_options.
var phoenixOptions = plugcookie.Options{
	SecretKeyBase: strings.Repeat("abcdef0123456789", 8),
	SigningSalt:   "QI9bW8Qe",
}

const cookieName = "_my_app_key"

// phxGenAuthCookie was written by the real Plug for a session holding a
// CSRF token and a phx.gen.auth user token (32 bytes of 0xab), among
// other keys.
const phxGenAuthCookie = "SFMyNTY.g3QAAAAEbQAAAAtfY3NyZl90b2tlbm0AAAAYdk85d0NndXNCUGRmRHZaRUdneldOR2txbQAAAANiaWdiAAABLG0AAAABbmEqbQAAAAp1c2VyX3Rva2VubQAAACCrq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urqw.-Ji0eDFXA6JjsN7FjQuWEFiJoeLkuUgUr1IUYSClXqE"

func newTestApp(t *testing.T) http.Handler {
	t.Helper()
	h, err := newApp(config{
		Cookie:  cookieName,
		Options: phoenixOptions,
		Lookup: func(_ *http.Request, token []byte) (int64, bool, error) {
			return 42, bytes.Equal(token, bytes.Repeat([]byte{0xab}, 32)), nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// phoenixCookie signs session as Plug's cookie store does.
func phoenixCookie(t *testing.T, session map[string]any) string {
	t.Helper()
	data, err := etf.Encode(session)
	if err != nil {
		t.Fatal(err)
	}
	key, err := plugcookie.DeriveKey(phoenixOptions.SecretKeyBase, phoenixOptions.SigningSalt, 0, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	signed := "SFMyNTY." + base64.RawURLEncoding.EncodeToString(data)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signed))
	return signed + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// get requests /go/whoami with cookie (none if empty).
func get(t *testing.T, h http.Handler, cookie string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "https://example.com/go/whoami", nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookieName+"="+cookie)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

// sessionOf returns what Phoenix reads from the response's cookie.
func sessionOf(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	cookies := resp.Cookies()
	if len(cookies) != 1 || cookies[0].Name != cookieName {
		t.Fatalf("cookies %v, want one %s", cookies, cookieName)
	}
	parts := strings.Split(cookies[0].Value, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	term, err := etf.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	return term.(map[string]any)
}

func TestAPhoenixLoginIsShownAndGetsAFlash(t *testing.T) {
	h := newTestApp(t)
	for name, cookie := range map[string]string{
		"phx.gen.auth token, written by Plug": phxGenAuthCookie,
		"user_id":                             phoenixCookie(t, map[string]any{"user_id": 42, "_csrf_token": "vO9wCgusBPdfDvZEGgzWNGkq"}),
	} {
		t.Run(name, func(t *testing.T) {
			resp := get(t, h, cookie)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || string(body) != "logged in as user 42\n" {
				t.Fatalf("%d %q", resp.StatusCode, body)
			}
			got := sessionOf(t, resp)
			if want := map[string]any{"info": "You visited the Go service."}; !reflect.DeepEqual(got["phoenix_flash"], want) {
				t.Errorf("phoenix_flash = %#v, want %#v", got["phoenix_flash"], want)
			}
			if got["_csrf_token"] != "vO9wCgusBPdfDvZEGgzWNGkq" {
				t.Errorf("the CSRF token Phoenix stored was lost: %#v", got)
			}
		})
	}
}

func TestNoLoginIs401AndSetsNoCookie(t *testing.T) {
	h := newTestApp(t)
	tampered := strings.Replace(phxGenAuthCookie, "-Ji0", "-Ji1", 1)
	for name, cookie := range map[string]string{
		"no cookie":              "",
		"a session with no user": phoenixCookie(t, map[string]any{"_csrf_token": "x"}),
		"a tampered cookie":      tampered,
	} {
		t.Run(name, func(t *testing.T) {
			resp := get(t, h, cookie)
			if resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
				t.Fatalf("%d with cookies %v", resp.StatusCode, resp.Cookies())
			}
		})
	}
}
