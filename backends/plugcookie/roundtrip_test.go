package plugcookie_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/plugcookie"
	"pgregory.net/rapid"
)

// extraTerm draws the terms a Phoenix app may keep in its session, in the
// form the decoders return; jsonOnly limits them to what JSON carries.
func extraTerm(jsonOnly bool, depth int) *rapid.Generator[any] {
	str := rapid.String()
	if !jsonOnly {
		str = rapid.Map(rapid.SliceOfN(rapid.Byte(), 0, 40), func(b []byte) string { return string(b) })
	}
	leaves := []*rapid.Generator[any]{
		rapid.Just[any](nil),
		rapid.Map(rapid.Bool(), func(b bool) any { return b }),
		rapid.Map(str, func(s string) any { return s }),
		rapid.Map(rapid.Int64(), func(n int64) any { return n }),
	}
	if depth == 0 {
		return rapid.OneOf(leaves...)
	}
	inner := extraTerm(jsonOnly, depth-1)
	return rapid.OneOf(append(leaves,
		rapid.Map(rapid.SliceOfN(inner, 0, 3), func(l []any) any { return l }),
		rapid.Map(rapid.MapOfN(rapid.StringN(1, 8, 8), inner, 0, 3), func(m map[string]any) any { return m }),
	)...)
}

func sessionGen(jsonOnly bool) *rapid.Generator[phoenixSession] {
	return rapid.Custom(func(t *rapid.T) phoenixSession {
		var v phoenixSession
		v.UserID = rapid.Int64().Draw(t, "user_id")
		if jsonOnly {
			v.UserToken = []byte(rapid.StringN(0, 32, 64).Draw(t, "user_token"))
		} else {
			v.UserToken = rapid.SliceOfN(rapid.Byte(), 0, 32).Draw(t, "user_token")
		}
		v.CSRFToken = rapid.StringN(0, 24, 24).Draw(t, "csrf")
		v.Flash = rapid.MapOfN(rapid.StringN(1, 8, 8), rapid.StringN(0, 20, 40), 0, 2).Draw(t, "flash")
		extra := rapid.MapOfN(rapid.StringMatching(`x_[a-z]{1,8}`), extraTerm(jsonOnly, 2), 0, 4).Draw(t, "extra")
		if len(extra) > 0 {
			v.Extra = extra
		}
		// Empty fields are omitted: they read back as their zero values.
		if len(v.UserToken) == 0 {
			v.UserToken = nil
		}
		if len(v.Flash) == 0 {
			v.Flash = nil
		}
		return v
	})
}

// Random sessions survive encoding, signing or encrypting, and opening,
// in every format and serializer: value, ID and record alike.
func TestRandomSessionsRoundTrip(t *testing.T) {
	pinned := encryptedOptions()
	pinned.Encryption = plugcookie.AES128GCM
	jsonOpts := encryptedOptions()
	jsonOpts.Serializer = plugcookie.JSON()
	for name, o := range map[string]plugcookie.Options{
		"signed": signedOptions(), "XCP": encryptedOptions(), "plug_crypto 1.x": pinned, "JSON": jsonOpts,
	} {
		t.Run(name, func(t *testing.T) {
			store, err := plugcookie.New[phoenixSession](cookieName, o)
			if err != nil {
				t.Fatal(err)
			}
			rapid.Check(t, func(rt *rapid.T) {
				rec := sessions.Record[phoenixSession]{
					Value:      sessionGen(o.Serializer != nil).Draw(rt, "value"),
					CreatedAt:  t0,
					ExpiresAt:  t0.Add(time.Duration(rapid.Int64Range(1, 1e6).Draw(rt, "ttl ms")) * time.Millisecond),
					Owner:      rapid.StringN(0, 10, 20).Draw(rt, "owner"),
					Persistent: rapid.Bool().Draw(rt, "persistent"),
				}
				token, id, err := store.Create(t.Context(), rec, t0)
				if err != nil {
					rt.Fatalf("Create: %v", err)
				}
				e, err := store.Open(t.Context(), token, t0)
				if err != nil {
					rt.Fatalf("Open: %v", err)
				}
				rec.Version = 1
				if e.ID != id || !reflect.DeepEqual(e.Record, rec) {
					rt.Fatalf("opened %+v\nwant   %+v", e.Record, rec)
				}
			})
		})
	}
}
