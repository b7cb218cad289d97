package goredis_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/goredis"
)

func Example() {
	type basket struct{ Items []string }

	// miniredis stands in for a Redis server here.
	srv, err := miniredis.Run()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	client := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true})
	defer client.Close()
	store, err := goredis.New[basket](client, goredis.WithPrefix("shop:sessions:"))
	if err != nil {
		log.Fatal(err)
	}
	m, err := sessions.New[basket](store)
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	s, err := m.Generate(ctx, basket{Items: []string{"tea"}}, sessions.WithOwner("alice"))
	if err != nil {
		log.Fatal(err)
	}
	s, err = m.Update(ctx, s, func(b basket) (basket, error) {
		return basket{Items: append(b.Items, "milk")}, nil
	})
	if err != nil {
		log.Fatal(err)
	}

	// Another request, perhaps on another server, finds the session.
	got, err := m.OfKey(ctx, s.Token())
	fmt.Println(got.Value().Items, got.Version(), err)
	devices, err := m.Sessions(ctx, "alice")
	fmt.Println(len(devices), err)
	// Output:
	// [tea milk] 2 <nil>
	// 1 <nil>
}

// A Cluster (or Sentinel) deployment passes its client the same way;
// every operation runs on the node that holds its key.
func ExampleNew_cluster() {
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 []string{"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"},
		ContextTimeoutEnabled: true,
	})
	store, err := goredis.New[map[string]string](client,
		goredis.WithPrefix("app:sessions:"),
		goredis.WithLifetime(7*24*time.Hour), // the Manager's lifetime, below
	)
	if err != nil {
		log.Fatal(err)
	}
	m, err := sessions.New[map[string]string](store, sessions.WithLifetime(7*24*time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	_ = m
}
