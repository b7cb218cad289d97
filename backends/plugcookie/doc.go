// Package plugcookie keeps sessions in the session cookie of a Phoenix
// (Plug) application, so a Go service and a Phoenix app share one login:
// a [Store] reads and writes the very cookie Plug's cookie store reads and
// writes. It is a [sessions.TokenStore]; pass it to
// [sessions.NewWithStore] with a Manager cookie of the same name:
//
//	store, err := plugcookie.New[Session]("_my_app_key", plugcookie.Options{
//		SecretKeyBase: os.Getenv("SECRET_KEY_BASE"),
//		SigningSalt:   "8chars..", // from the endpoint's @session_options
//	})
//	m, err := sessions.NewWithStore[Session](store,
//		sessions.WithCookie(sessions.Cookie{Name: "_my_app_key"}))
//
// The README's "Phoenix users" section maps endpoint.ex options to these.
//
// # Formats
//
// Without an EncryptionSalt, cookies are signed (Plug.Crypto.MessageVerifier:
// "SFMyNTY." payload "." HMAC), readable by the client and tamper-proof;
// HS256 is written, HS256, HS384 and HS512 are read. With one, they are
// encrypted: plug_crypto 2's "XCP." format (XChaCha20-Poly1305) is written
// unless [Options].Encryption pins plug_crypto 1.x's "QTEyOEdDTQ." format
// (AES-GCM with a wrapped key); both are read. Verification is constant
// time, and base64url has one accepted spelling. Keys are derived with
// PBKDF2 as Plug derives them ([DeriveKey]), once, in [New].
//
// Rotation follows Plug's rotating_options ([WithRotatingOptions]): the
// current options write; they and every older set read, in order. A
// cookie an older set reads is written with the current options on the
// session's next write, never on a read.
//
// # The session map and V
//
// The payload is Plug's session map, serialized with Erlang's external
// term format ([ETF], Plug's default, with the refusals and bounds of
// package [etf]) or JSON ([JSON], for `serializer: Jason`). V is either
// [Map] (the whole map, untyped) or a struct whose fields name session
// keys by tag:
//
//	type Session struct {
//		UserID    int64             `plug:"user_id,omitempty"`
//		UserToken []byte            `plug:"user_token,omitempty"`   // phx.gen.auth's raw token
//		CSRFToken string            `plug:"_csrf_token,omitempty"`
//		Flash     map[string]string `plug:"phoenix_flash,omitempty"`
//		Extra     plugcookie.Extra  // every other key, kept across writes
//	}
//
// A field is named by its `plug` tag, else its `json` tag, else its Go
// name; "-" skips it; omitempty leaves a zero field out of the cookie (it
// reads back as zero). The first untagged field of type [Extra] receives
// the keys no field names and writes them back, so a Go write never drops
// what the Phoenix app stored; [New] refuses a struct without one unless
// given [WithoutExtra].
//
// Terms and field types:
//
//	term                      field types                          written from a field as
//	binary (Elixir string)    string, []byte                       binary
//	integer (any size)        int*, uint* (if it fits), *big.Int,  integer
//	                          float* (converted)
//	float                     float32, float64                     float
//	true, false               bool                                 true, false
//	nil                       any field: its zero value            nil for nil pointers, slices, maps
//	other atoms               etf.Atom                             atom (UTF-8)
//	list                      slices of a supported type           list
//	tuple                     etf.Tuple                            tuple
//	map with binary keys      map[string]T, structs, Map           map
//	any term                  any (the etf Go value)               the term
//
// A term that does not fit its field (a binary for an int, an integer out
// of range, an atom for a string) makes the cookie read as absent, with a
// decode-failed event. Atom keys inside maps (Elixir structs such as
// DateTime) decode to etf.Map and can be held in an any field or in Extra.
//
// # Deadlines
//
// A Plug session cookie carries no expiry: Phoenix trusts it until its
// secret rotates. So that the Manager's idle timeout and lifetime hold,
// the store keeps the session's record (a random session ID, version,
// creation and expiry instants in Unix milliseconds, owner, persistence)
// in the session under [MetaKey] ("_go_session"), a key Phoenix ignores
// and carries through its own writes. A cookie past that expiry reads as
// absent in Go; Phoenix, which does not look, still accepts it. Phoenix's
// writes do not slide the idle deadline, so a user active only on Phoenix
// pages is logged out of Go after the idle timeout; choose
// sessions.WithIdleTimeout(0) to keep only the absolute lifetime if that
// matters.
//
// A cookie the Phoenix app wrote before any Go write has no MetaKey and no
// deadline. By default it reads as a session created at that moment (its
// ID derived from the cookie, so the first Go write keeps the ID), as
// Phoenix reads it; [WithOwnSessionsOnly] refuses such cookies instead.
//
// # What a cookie cannot do
//
// Everything lives in the cookie, as in Plug: Clear and Renew expire or
// replace the client's cookie but cannot revoke a copy taken before, which
// stays valid in Go until its deadline (and in Phoenix for ever). Owner
// operations (Sessions, ClearOwner, ClearOwned) return
// [sessions.ErrUnsupported]. Concurrent writes through copies of one
// cookie cannot be seen: the client keeps the last response.
//
// A cookie that fails to verify, decrypt or decode reads as absent, as in
// Plug, never as an error page. A Set-Cookie header over 4096 bytes (Plug's
// hard limit) is [sessions.ErrCookieTooLarge] from the write, before any
// header is sent: keep IDs in the session, not data.
//
// Signed cookies are readable by the client, MetaKey included (the
// session's random ID, owner and deadlines); encrypt them if that
// matters. The session's CSRF secret is derived under a key the client
// never sees. Tokens are bearer credentials outside the library's
// hashed-at-rest guarantee.
package plugcookie
