package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/redis/go-redis/v9"

	"github.com/typedsession/sessions/backends/redissessions"
)

// DefaultRedisURL is where RedisSessionsApp looks for Redis when RedisURL
// is empty.
const DefaultRedisURL = "redis://127.0.0.1:6379/0"

// openRedisSessions keeps sessions in the layout of Node's redis-sessions
// under app, so Node processes using that library share the logins (see
// ../node/read-login.js). The middleware records each session's client
// address, as Node's create does.
func openRedisSessions(ctx context.Context, url, app string) (store, error) {
	if url == "" {
		url = DefaultRedisURL
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return store{}, errors.New("app: the Redis URL does not parse")
	}
	opt.ContextTimeoutEnabled = true
	client := redis.NewClient(opt)
	s, err := redissessions.New[visit](client, app, redissessions.WithCodec[visit](visitCodec{}))
	if err == nil {
		err = client.Ping(ctx).Err()
	}
	if err != nil {
		return store{}, errors.Join(fmt.Errorf("app: redis-sessions: %w", err), client.Close())
	}
	return store{tokens: s, name: "Node redis-sessions (" + app + ")", close: client.Close, wrap: withClientIP}, nil
}

// withClientIP puts the request's client address in its context, where
// the redis-sessions store finds it when a session is created.
func withClientIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			ip = r.RemoteAddr
		}
		next.ServeHTTP(w, r.WithContext(redissessions.WithIP(r.Context(), ip)))
	})
}

// visitCodec writes a visit as Node's flat d: user, device and count as
// they are, the cart and the flash messages as JSON strings. Every key
// is written on every write, null when empty, so a Go write replaces the
// keys the app owns (Node's set deletes a key set to null) and keeps any
// a Node application adds.
type visitCodec struct{}

type flatVisit struct {
	User   *string `json:"user"`
	Device *string `json:"device"`
	Count  *int    `json:"count"`
	Cart   *string `json:"cart"`
	Flash  *string `json:"flash"`
}

func (visitCodec) Marshal(v visit) ([]byte, error) {
	f := flatVisit{User: nonEmpty(v.User), Device: nonEmpty(v.Device)}
	if v.Count != 0 {
		f.Count = &v.Count
	}
	if len(v.Cart) > 0 {
		b, err := json.Marshal(v.Cart)
		if err != nil {
			return nil, err
		}
		f.Cart = nonEmpty(string(b))
	}
	if len(v.Flash) > 0 {
		b, err := json.Marshal(v.Flash)
		if err != nil {
			return nil, err
		}
		f.Flash = nonEmpty(string(b))
	}
	return json.Marshal(f)
}

func (visitCodec) Unmarshal(d []byte) (visit, error) {
	var f flatVisit
	var v visit
	if err := json.Unmarshal(d, &f); err != nil {
		return v, err
	}
	if f.User != nil {
		v.User = *f.User
	}
	if f.Device != nil {
		v.Device = *f.Device
	}
	if f.Count != nil {
		v.Count = *f.Count
	}
	if f.Cart != nil {
		if err := json.Unmarshal([]byte(*f.Cart), &v.Cart); err != nil {
			return v, err
		}
	}
	if f.Flash != nil {
		if err := json.Unmarshal([]byte(*f.Flash), &v.Flash); err != nil {
			return v, err
		}
	}
	return v, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
