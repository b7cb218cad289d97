package plugcookie

import (
	"errors"
	"time"
)

// MetaKey is the session key under which a Store keeps what a Plug cookie
// has no room for: the session's random ID, its version, its creation and
// expiry instants, its owner and whether it is persistent. Phoenix ignores
// keys it does not use and carries them through its own writes, so the
// Manager's deadlines hold for cookies Go has written, whichever side
// wrote last. The value is a map with short string keys and integers, so
// it survives both serializers.
const MetaKey = "_go_session"

// meta is the record a Store keeps under MetaKey.
type meta struct {
	sid        [sidLen]byte
	version    uint64
	created    int64 // Unix milliseconds
	expires    int64 // Unix milliseconds
	owner      string
	persistent bool
}

const sidLen = 16

var errMeta = errors.New("plugcookie: malformed " + MetaKey)

func (m *meta) term() map[string]any {
	t := map[string]any{
		"id": b64.EncodeToString(m.sid[:]),
		"v":  m.version,
		"c":  m.created,
		"e":  m.expires,
	}
	if m.owner != "" {
		t["o"] = m.owner
	}
	if m.persistent {
		t["p"] = true
	}
	return t
}

// parseMeta reads the record a Store wrote under MetaKey; anything else
// is errMeta.
func parseMeta(term any) (meta, error) {
	t, ok := term.(map[string]any)
	if !ok {
		return meta{}, errMeta
	}
	var m meta
	id, _ := t["id"].(string)
	sid, err := b64.DecodeString(id)
	if err != nil || len(sid) != sidLen {
		return meta{}, errMeta
	}
	copy(m.sid[:], sid)
	version, ok1 := t["v"].(int64)
	created, ok2 := t["c"].(int64)
	expires, ok3 := t["e"].(int64)
	if !ok1 || !ok2 || !ok3 || version < 1 {
		return meta{}, errMeta
	}
	m.version, m.created, m.expires = uint64(version), created, expires
	if o, present := t["o"]; present {
		if m.owner, ok = o.(string); !ok || m.owner == "" {
			return meta{}, errMeta
		}
	}
	if p, present := t["p"]; present && p != true {
		return meta{}, errMeta
	}
	m.persistent = t["p"] == true
	if len(t) != 4+btoi(m.owner != "")+btoi(m.persistent) {
		return meta{}, errMeta
	}
	return m, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (m *meta) createdAt() time.Time { return time.UnixMilli(m.created).UTC() }
func (m *meta) expiresAt() time.Time { return time.UnixMilli(m.expires).UTC() }
