package app_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/typedsession/sessions/examples/webapp/app"
	"github.com/typedsession/sessions/internal/testenv"
)

// A login made in the app is a redis-sessions session a Node process can
// read: the user is Node's id, the client's address its ip, and d holds
// the user, the count and the cart.
func TestRedisSessionsKeepTheLoginInNodesLayout(t *testing.T) {
	redisURL := testenv.RedisURL(t)
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	appName := "web" + strings.ToLower(rand.Text()[:12])
	t.Cleanup(func() { cleanApp(c, appName) })

	b := newBrowser(t, startApp(t, app.Config{RedisURL: redisURL, RedisSessionsApp: appName}), firefoxOnWindows)
	b.post("/cart/add", url.Values{"product": {"tea"}}).ok(t, "add to cart")
	if page := b.login("ann"); !loggedInAs(page, "ann") {
		t.Fatalf("login:\n%s", page)
	}
	b.post("/count", nil).ok(t, "count")
	token := b.sessionCookie()
	h, err := c.HGetAll(t.Context(), "rs:"+appName+":"+token).Result()
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		User  string `json:"user"`
		Count int    `json:"count"`
		Cart  string `json:"cart"`
	}
	if err := json.Unmarshal([]byte(h["d"]), &d); err != nil {
		t.Fatalf("d %q: %v", h["d"], err)
	}
	if h["id"] != "ann" || h["ip"] != "127.0.0.1" || d.User != "ann" || d.Count != 1 || d.Cart != `{"tea":1}` {
		t.Fatalf("the session hash: %v", h)
	}
	if page := b.post("/logout", nil).ok(t, "logout"); !showsLoginForm(page) {
		t.Fatalf("logout:\n%s", page)
	}
	if n, _ := c.Exists(t.Context(), "rs:"+appName+":"+token).Result(); n != 0 {
		t.Fatal("the session hash outlived the logout")
	}
}

// cleanApp deletes what the app's sessions left in the default namespace.
func cleanApp(c *redis.Client, appName string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	iter := c.Scan(ctx, 0, "rs:"+appName+":*", 1000).Iterator()
	for iter.Next(ctx) {
		c.Del(ctx, iter.Val())
	}
	members, _ := c.ZRange(ctx, "rs:SESSIONS", 0, -1).Result()
	for _, m := range members {
		if strings.HasPrefix(m, appName+":") {
			c.ZRem(ctx, "rs:SESSIONS", m)
		}
	}
}
