package redissessions

import (
	"fmt"
	"strconv"
	"time"

	"github.com/typedsession/sessions"
)

// keys names the Redis keys of one app, as Node 4.0.0 spells them.
type keys struct {
	ns, app string // ns ends in ':'
}

func (k keys) session(token string) string { return k.ns + k.app + ":" + token }
func (k keys) sessions() string            { return k.ns + k.app + ":_sessions" }
func (k keys) users() string               { return k.ns + k.app + ":_users" }
func (k keys) user(id string) string       { return k.ns + k.app + ":us:" + id }
func (k keys) global() string              { return k.ns + "SESSIONS" }
func (k keys) channel() string             { return k.ns + "cache" }

// sessionMember is the session's member of the app's _sessions set, and
// globalMember its member of the namespace's SESSIONS set.
func sessionMember(token, id string) string { return token + ":" + id }
func (k keys) globalMember(token, id string) string {
	return k.app + ":" + token + ":" + id
}

// cacheMessage is what Node's cache subscribers evict on.
func (k keys) cacheMessage(token string) string { return k.app + ":" + token }

// The hash fields. The first eight are Node's; HMGET answers in this
// order. The last two are this store's own, which Node never reads and
// its writes leave alone: the Manager's deadline to the millisecond, and
// the "remember me" flag. Node's kill deletes them with the hash.
const (
	fID         = "id"
	fReads      = "r"
	fWrites     = "w"
	fTTL        = "ttl"
	fData       = "d"
	fLastActive = "la"
	fIP         = "ip"
	fNoResave   = "no_resave"
	fExpires    = "go_expires"
	fPersistent = "go_persistent"
)

var hashFields = []string{fID, fReads, fWrites, fTTL, fData, fLastActive, fIP, fNoResave, fExpires, fPersistent}

// stored is one session hash as read.
type stored struct {
	id         string
	reads      int64
	writes     int64
	ttl        int64 // seconds
	d          string
	lastActive int64 // Unix seconds
	ip         string
	noResave   bool
	goExpires  int64 // Unix milliseconds; 0 if Node wrote last
	persistent bool
}

// parseStored reads an HMGET answer; ok is false for a hash without an
// id, which Node treats as absent. Numbers that do not parse are
// ErrDecode: such a hash was not written by either library.
func parseStored(vals []any) (s stored, ok bool, err error) {
	if len(vals) != len(hashFields) {
		return s, false, fmt.Errorf("redissessions: HMGET answered %d fields, want %d", len(vals), len(hashFields))
	}
	str := func(i int) (string, bool) { v, ok := vals[i].(string); return v, ok }
	id, ok := str(0)
	if !ok || id == "" {
		return s, false, nil
	}
	s.id = id
	num := func(i int, dst *int64, required bool) {
		v, present := str(i)
		if !present {
			if required && err == nil {
				err = fmt.Errorf("%w: session hash lacks %s", sessions.ErrDecode, hashFields[i])
			}
			return
		}
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil && err == nil {
			err = fmt.Errorf("%w: session hash field %s is %q, not an integer", sessions.ErrDecode, hashFields[i], v)
		}
		*dst = n
	}
	num(1, &s.reads, false)
	num(2, &s.writes, true)
	num(3, &s.ttl, true)
	num(5, &s.lastActive, true)
	num(8, &s.goExpires, false)
	s.d, _ = str(4)
	s.ip, _ = str(6)
	nr, _ := str(7)
	s.noResave = nr == "1"
	p, _ := str(9)
	s.persistent = p == "1"
	return s, true, err
}

// nodeDeadline is the first instant Node's get treats the session as
// absent: it keeps it while now − la ≤ ttl in whole seconds (its now is
// rounded down), so until la + ttl + 1.
func (s stored) nodeDeadline() time.Time { return time.Unix(s.lastActive+s.ttl+1, 0) }

// expiresAt is the session's deadline as this store reports it. When the
// store wrote it last, Node's fields say a deadline within two seconds
// after the Manager's (see wire), and the Manager's millisecond deadline
// is kept. When they say anything else, a Node process read or wrote the
// session since, and Node's deadline is the session's: expiry is
// decided as Node decides it. (The Manager still caps it at CreatedAt
// plus its lifetime.)
func (s stored) expiresAt() time.Time {
	node := s.nodeDeadline()
	if s.goExpires != 0 {
		g := time.UnixMilli(s.goExpires)
		if g.Before(node) && node.Sub(g) < 2*time.Second {
			return g
		}
	}
	return node
}

// idle is Node's idle: whole seconds since the last activity.
func (s stored) idle(now time.Time) int64 { return now.Unix() - s.lastActive }

// wire is what a write stores for Node: la (Unix seconds), ttl, and the
// SESSIONS score the wipers go by.
type wire struct {
	la, ttl, score int64
}

// newWire is what a create at now with deadline exp stores: la is now in
// whole seconds (Node's clock rounds down too), ttl the time left rounded
// up and at least Node's minimum of 10, so Node slides the session by the
// Manager's idle timeout.
func newWire(now, exp time.Time) wire {
	la := now.Unix()
	return withScore(la, max(ceilSeconds(exp.Sub(now)), int64(MinTTL/time.Second)), exp)
}

// withScore completes a wire with its score: Node's la + ttl, or the
// deadline the store will report rounded up if that is later, so no
// wiper removes a session before its deadline.
func withScore(la, ttl int64, exp time.Time) wire {
	st := stored{lastActive: la, ttl: ttl, goExpires: exp.UnixMilli()}
	return wire{la: la, ttl: ttl, score: max(la+ttl, ceilSeconds(st.expiresAt().Sub(time.Unix(0, 0))))}
}

// ceilSeconds rounds d up to whole seconds.
func ceilSeconds(d time.Duration) int64 {
	s := int64(d / time.Second)
	if d%time.Second > 0 {
		s++
	}
	return s
}
