package redissessions_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/redissessions"
)

// Login is a session value Node reads as d: {"user": ..., "admin": ...}.
type Login struct {
	User  string `json:"user,omitempty"`
	Admin bool   `json:"admin,omitempty"`
}

// A Go service joins a Node fleet that keeps sessions with
// redis-sessions under the app name "shop": a login made here is one
// Node's get, soid and kill see, and the other way round.
func Example() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	store, err := redissessions.New[Login](client, "shop")
	if err != nil {
		log.Fatal(err)
	}
	m, err := sessions.NewWithStore[Login](store)
	if err != nil {
		log.Fatal(err)
	}
	stop := store.StartWiper(10*time.Minute, func(err error) { log.Print(err) }) // beside Node's
	defer stop()

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		ip, _, _ := net.SplitHostPort(r.RemoteAddr)
		ctx := redissessions.WithIP(r.Context(), ip) // Node keeps an ip per session
		user := r.FormValue("user")
		s, err := m.Generate(ctx, Login{User: user}, sessions.WithOwner(user))
		var bad *redissessions.ValidationError
		switch {
		case errors.As(err, &bad): // Node's message, such as "Invalid id format"
			http.Error(w, bad.Message, http.StatusBadRequest)
			return
		case err != nil:
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		sessions.WriteHeaders(w.Header(), m.ToCookieHeaders(s))
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", mux))
}

// Node's activity and soapp: who was active in the last ten minutes.
func ExampleStore_Activity() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	store, err := redissessions.New[Login](client, "shop")
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	users, err := store.Activity(ctx, 10*time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	list, err := store.SessionsOfApp(ctx, 10*time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(users, "users,", len(list), "sessions")
	for _, in := range list {
		fmt.Println(in.UserID, in.IP, in.Reads, in.Writes, in.Idle)
	}
}
