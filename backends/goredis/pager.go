package goredis

import (
	"context"
	"math"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// pager reads an owner index in score order, at most batchSize entries
// per round trip, so that no owner's index is ever held in memory whole.
//
// It pages by score rather than by offset, so entries added or removed
// elsewhere in the index while it reads never make it skip one. A full
// page ends before the entries that share its last score, and the next
// page starts at that score: entries sharing a score are read together.
// Only when a whole page shares one score does it read that score by
// offset, counting the entries read there that stayed in the index; that
// takes more than batchSize sessions of one owner whose index instants
// fall on the same millisecond, and only there can an entry of the run
// that another client removes meanwhile make it pass over another.
type pager struct {
	client redis.UniversalClient
	key    string
	rev    bool   // highest scores first
	from   string // where the unread range starts: a score, or "(" and a score
	to     string // where it ends
	edge   float64
	tie    bool  // reading the entries scored exactly edge, by offset
	off    int64 // entries scored edge read so far that stayed in the index
	end    bool
}

// newPager returns a pager over the index at key, from from to to (each
// a ZRANGEBYSCORE bound), highest scores first if rev.
func newPager(c redis.UniversalClient, key string, rev bool, from, to string) *pager {
	edge := math.Inf(-1)
	if rev {
		edge = math.Inf(1)
	}
	return &pager{client: c, key: key, rev: rev, from: from, to: to, edge: edge}
}

// done reports whether every entry of the range has been returned.
func (p *pager) done() bool { return p.end }

// frontier returns a score that no entry left to read goes beyond: none
// is scored above it when reading highest first, below it otherwise.
func (p *pager) frontier() float64 { return p.edge }

// kept tells the pager how many entries of the page it last returned are
// still in the index, which the offset of a run of equal scores counts.
func (p *pager) kept(n int) {
	if p.tie {
		p.off += int64(n)
	}
}

// next returns the next page of entries, empty only when the range is
// exhausted.
func (p *pager) next(ctx context.Context) ([]redis.Z, error) {
	for !p.end {
		if p.tie {
			page, err := p.nextTie(ctx)
			if err != nil || len(page) > 0 {
				return page, err
			}
			continue
		}
		page, err := p.fetch(ctx, p.from, p.to, 0)
		if err != nil {
			return nil, err
		}
		if len(page) < batchSize {
			p.end = true
			return page, nil
		}
		last := page[len(page)-1].Score
		p.edge = last
		if page[0].Score == last {
			// One score fills the page: go on through it by offset.
			p.tie, p.off = true, 0
			return page, nil
		}
		cut := len(page) - 1
		for page[cut-1].Score == last {
			cut--
		}
		// The entries scored last are read again, with the rest of their
		// score, by the next page.
		p.from = formatScore(last)
		return page[:cut], nil
	}
	return nil, nil
}

// nextTie returns the next page of entries scored exactly edge, and
// leaves the run when it is exhausted.
func (p *pager) nextTie(ctx context.Context) ([]redis.Z, error) {
	score := formatScore(p.edge)
	page, err := p.fetch(ctx, score, score, p.off)
	if err != nil {
		return nil, err
	}
	if len(page) < batchSize {
		p.tie = false
		p.from = "(" + score
	}
	return page, nil
}

// fetch reads up to batchSize entries from from to to, skipping off.
func (p *pager) fetch(ctx context.Context, from, to string, off int64) ([]redis.Z, error) {
	if p.rev {
		return p.client.ZRevRangeByScoreWithScores(ctx, p.key, &redis.ZRangeBy{Max: from, Min: to, Offset: off, Count: batchSize}).Result()
	}
	return p.client.ZRangeByScoreWithScores(ctx, p.key, &redis.ZRangeBy{Min: from, Max: to, Offset: off, Count: batchSize}).Result()
}

// formatScore returns score as a ZRANGEBYSCORE bound that the server
// parses back to exactly score.
func formatScore(score float64) string {
	return strconv.FormatFloat(score, 'f', -1, 64)
}
